/* Type-checked accessors for json-c objects: NULL / false when absent or of another type. */
#ifndef IT_JSON_GET_H
#define IT_JSON_GET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

struct json_object *jget(struct json_object *o, const char *key);
/* True when o is an object that has key at all (even with a null value). */
bool jhas(struct json_object *o, const char *key);
/* The string value of key, or NULL when missing or not a string. */
const char *jstr(struct json_object *o, const char *key);
/* True when key holds a JSON integer (not a double, not a string). */
bool jint(struct json_object *o, const char *key, int64_t *out);
bool jbool(struct json_object *o, const char *key, bool *out);
/* The array at key (or o itself when key is NULL); NULL when not an array. */
struct json_object *jarr(struct json_object *o, const char *key);
size_t jlen(struct json_object *arr);
struct json_object *jat(struct json_object *arr, size_t i);
/* True when the array holds a string equal to s. */
bool jarr_has_str(struct json_object *arr, const char *s);
/* The index of the object in arr whose "id" equals id, or -1. */
long jarr_find_id(struct json_object *arr, const char *id);
/* Parses s strictly as one JSON value; NULL on error. Release with json_object_put. */
struct json_object *jparse(const char *s, size_t len);

#endif
