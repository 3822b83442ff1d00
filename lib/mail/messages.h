/* Texts of the mail module: field errors of a mail that cannot be composed, and the
 * mailers' configuration errors (for the process's refusal to start). */
#ifndef VS_MAIL_MESSAGES_H
#define VS_MAIL_MESSAGES_H

#define VS_MSG_MAIL_REQUIRED "is required"
#define VS_MSG_MAIL_ADDRESS "must be a valid email address"
#define VS_MSG_MAIL_NOT_UTF8 "must be valid UTF-8"
#define VS_MSG_MAIL_CONTROL "must not contain control characters"
#define VS_MSG_MAIL_MESSAGE_ID "must be <left@right> of letters, digits and dots"
#define VS_MSG_MAIL_DATE "is out of range"
#define VS_MSG_MAIL_CANNOT_COMPOSE "cannot compose the mail"

#endif
