/* A FastCGI worker that answers 204 and does nothing else: what nginx → auth_request →
 * libfcgi costs by itself, the limit any key check is measured against (scripts/bench).
 * It closes connections the same way vs-fcgi does, so the comparison is like for like. */
#include <fcgiapp.h>

int main(void)
{
	FCGX_Request r;
	char drain[4096];
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutS("Status: 204 No Content\r\n\r\n", r.out);
		while (FCGX_GetStr(drain, sizeof(drain), r.in) > 0)
			;
		FCGX_Detach(&r);
		FCGX_Finish_r(&r);
	}
	return 0;
}
