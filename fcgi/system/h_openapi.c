/* GET /api/v1/openapi.json: the OpenAPI document, built into the binary from the merge of
 * fcgi/openapi/base.json and the modules' fcgi/<module>/openapi.json (the Makefile makes
 * it, names it in VS_OPENAPI_PATH and makes this object depend on it). tests/unit checks
 * the document against the route table. */
#include "system/handlers.h"

/* .incbin takes the path relative to the directory the assembler runs in: make runs
 * from the repository root. A NUL follows the document so it is also a C string. */
__asm__(".pushsection .rodata\n"
	".balign 16\n"
	".globl vs__openapi_json\n"
	".hidden vs__openapi_json\n"
	"vs__openapi_json:\n"
	".incbin \"" VS_OPENAPI_PATH "\"\n"
	".globl vs__openapi_json_end\n"
	".hidden vs__openapi_json_end\n"
	"vs__openapi_json_end:\n"
	".byte 0\n"
	".popsection\n");

extern const char vs__openapi_json[] __attribute__((visibility("hidden")));
extern const char vs__openapi_json_end[] __attribute__((visibility("hidden")));

const char *vs_openapi_document(size_t *len)
{
	*len = (size_t)(vs__openapi_json_end - vs__openapi_json);
	return vs__openapi_json;
}

/* The document is served as built in: it was checked when it was built (tests/unit). */
enum vs_err vs_h_openapi(struct vs_worker *w, struct vs_request *req)
{
	(void)w;
	size_t len;
	const char *text = vs_openapi_document(&len);
	vs_res_header(req, "Cache-Control", "public, max-age=300");
	vs_res_raw(req, 200, "application/json", text, len);
	return VS_OK;
}
