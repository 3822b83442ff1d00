/* Texts clients see from the webhooks module. */
#ifndef VS_WEBHOOKS_MESSAGES_H
#define VS_WEBHOOKS_MESSAGES_H

#define VS_MSG_WEBHOOK_NOT_FOUND "Webhook not found"
#define VS_MSG_DELIVERY_NOT_FOUND "Delivery not found"
#define VS_MSG_DELIVERY_PENDING "The delivery is being sent already"
#define VS_MSG_WEBHOOK_EVENT_TYPES_EMPTY "must name at least one event type"

#endif
