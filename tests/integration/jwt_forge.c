#include "jwt_forge.h"

#include <ctype.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *b64url_encode(const unsigned char *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	int len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);

	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (int i = 0; i < len; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
}

unsigned char *b64url_decode(const char *s, size_t n, size_t *out_len)
{
	size_t padded = (n + 3) / 4 * 4, pad = padded - n;
	char *in;
	unsigned char *out;
	int len;

	if (n % 4 == 1)
		return NULL;
	in = xmalloc(padded + 1);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!isalnum((unsigned char)c))
			goto bad;
		in[i] = c;
	}
	memset(in + n, '=', pad);
	in[padded] = '\0';
	out = xmalloc(padded / 4 * 3 + 1);
	len = EVP_DecodeBlock(out, (unsigned char *)in, (int)padded);
	free(in);
	if (len < 0 || (size_t)len < pad) {
		free(out);
		return NULL;
	}
	len -= (int)pad;
	out[len] = '\0';
	if (out_len)
		*out_len = (size_t)len;
	return out;
bad:
	free(in);
	return NULL;
}

struct json_object *jwt_part(const char *token, int part)
{
	const char *start = token, *dot;
	unsigned char *raw;
	size_t len;
	struct json_tokener *tok;
	struct json_object *o;

	for (int i = 0; i < part; i++) {
		start = strchr(start, '.');
		if (!start)
			return NULL;
		start++;
	}
	dot = strchr(start, '.');
	if (!dot)
		return NULL;
	raw = b64url_decode(start, (size_t)(dot - start), &len);
	if (!raw)
		return NULL;
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, (const char *)raw, (int)len);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	free(raw);
	return o;
}

static char *encode_json(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	return b64url_encode((const unsigned char *)s, strlen(s));
}

static char *hmac_b64(const EVP_MD *md, const unsigned char *key, size_t keylen,
		      const char *data)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	static const unsigned char nokey[1];

	if (!HMAC(md, keylen ? key : nokey, (int)keylen,
		  (const unsigned char *)data, strlen(data), mac, &maclen))
		return NULL;
	return b64url_encode(mac, maclen);
}

char *jws_hmac(struct json_object *header, struct json_object *claims,
	       const EVP_MD *md, const unsigned char *key, size_t keylen)
{
	char *h = encode_json(header), *c = encode_json(claims);
	char *input = xasprintf("%s.%s", h, c), *sig, *out;

	free(h);
	free(c);
	sig = md ? hmac_b64(md, key, keylen, input) : xstrdup("");
	if (!sig) {
		free(input);
		return NULL;
	}
	out = xasprintf("%s.%s", input, sig);
	free(input);
	free(sig);
	return out;
}

char *jws_libjwt(jwt_alg_t alg, struct json_object *claims,
		 struct json_object *header_template, const unsigned char *key,
		 size_t keylen)
{
	jwt_t *jwt = NULL;
	char *out = NULL;

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grants_json(jwt, json_object_to_json_string_ext(
					     claims, JSON_C_TO_STRING_PLAIN)) != 0)
		goto out;
	if (header_template) {
		json_object_object_foreach(header_template, k, v)
		{
			if (strcmp(k, "alg") == 0 || strcmp(k, "typ") == 0)
				continue;
			if (json_object_is_type(v, json_type_string))
				jwt_add_header(jwt, k, json_object_get_string(v));
			else if (json_object_is_type(v, json_type_int))
				jwt_add_header_int(jwt, k, (long)json_object_get_int64(v));
		}
	}
	if (jwt_set_alg(jwt, alg, key, (int)keylen) != 0)
		goto out;
	out = jwt_encode_str(jwt);
out:
	jwt_free(jwt);
	return out;
}

static bool signs_sample(const unsigned char *key, size_t keylen, const char *token)
{
	const char *last = strrchr(token, '.');
	char *input, *sig;
	bool ok;

	if (!last || last == token)
		return false;
	input = xstrndup(token, (size_t)(last - token));
	sig = hmac_b64(EVP_sha256(), key, keylen, input);
	ok = sig && strlen(sig) == strlen(last + 1) &&
	     CRYPTO_memcmp(sig, last + 1, strlen(sig)) == 0;
	free(sig);
	free(input);
	return ok;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool jwt_find_key(const char *secret_file, const char *sample_token,
		  unsigned char **key, size_t *keylen)
{
	size_t n = 0, t;
	char *raw = read_file(secret_file, &n);
	unsigned char *hex = NULL;
	bool found = false;

	if (!raw)
		return false;
	t = n;
	while (t > 0 && isspace((unsigned char)raw[t - 1]))
		t--;
	if (signs_sample((unsigned char *)raw, n, sample_token)) {
		*keylen = n;
		found = true;
	} else if (signs_sample((unsigned char *)raw, t, sample_token)) {
		*keylen = t;
		found = true;
	}
	if (found) {
		*key = (unsigned char *)raw;
		return true;
	}
	if (t > 0 && t % 2 == 0) {
		hex = xmalloc(t / 2 + 1);
		for (size_t i = 0; i < t / 2; i++) {
			int hi = hexval(raw[2 * i]), lo = hexval(raw[2 * i + 1]);

			if (hi < 0 || lo < 0)
				goto out;
			hex[i] = (unsigned char)(hi << 4 | lo);
		}
		if (signs_sample(hex, t / 2, sample_token)) {
			*key = hex;
			*keylen = t / 2;
			hex = NULL;
			found = true;
		}
	}
out:
	free(hex);
	free(raw);
	return found;
}
