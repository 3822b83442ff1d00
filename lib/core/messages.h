/* Texts clients see for input that cannot be read or bound (core/json.c), one place for
 * each. */
#ifndef VS_CORE_MESSAGES_H
#define VS_CORE_MESSAGES_H

#define VS_MSG_BODY_EMPTY "Request body is empty; a JSON document was expected."
#define VS_MSG_BODY_TOO_LARGE "Request body is too large."
#define VS_MSG_BODY_NOT_UTF8 "Request body is not valid UTF-8."
#define VS_MSG_BODY_TOO_DEEP "Request body is nested too deeply."
#define VS_MSG_BODY_NOT_JSON "Request body is not valid JSON."
#define VS_MSG_BODY_TRAILING "Request body has data after the JSON document."
#define VS_MSG_BODY_DUPLICATE_KEYS "Request body has duplicate keys."
#define VS_MSG_BODY_NUL "Request body has a NUL character in a string."
#define VS_MSG_PARSER_FAILED "could not allocate a JSON parser"

/* Field errors (422). */
#define VS_MSG_VALIDATION_FAILED "Validation failed."
#define VS_MSG_NOT_NULL "must not be null"
#define VS_MSG_NOT_STRING "must be a string"
#define VS_MSG_NOT_BOOLEAN "must be a boolean"
#define VS_MSG_NOT_INTEGER "must be an integer"
#define VS_MSG_OUT_OF_RANGE "is out of range"
#define VS_MSG_TOO_SHORT "is too short"
#define VS_MSG_TOO_LONG "is too long"
#define VS_MSG_NOT_UUID "must be a UUID"
#define VS_MSG_NOT_TIMESTAMP "must be an RFC 3339 timestamp with a UTC offset"
#define VS_MSG_NOT_ARRAY "must be an array"
#define VS_MSG_NOT_STRINGS "must be an array of strings"
#define VS_MSG_NOT_UUIDS "must be an array of UUIDs"
#define VS_MSG_TOO_MANY_ITEMS "has too many items"
#define VS_MSG_NOT_OBJECT "must be a JSON object"
#define VS_MSG_UNKNOWN_FIELD "unknown field"
#define VS_MSG_FIELD_REQUIRED "field required"
#define VS_MSG_GIVEN_TWICE "must be given once"

#endif
