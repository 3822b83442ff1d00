#include "scrape.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "http.h"
#include "util.h"

char *metrics_scrape(void)
{
	struct resp *r = http_do("GET", "/metrics", NULL, NULL, 0, HTTP_NO_RESPONSE_LOG);
	char *text = NULL;
	if (EXPECT_STATUS(r, 200)) {
		const char *type = resp_header(r, "Content-Type");
		EXPECT(type && strncmp(type, "text/plain; version=0.0.4", 25) == 0,
		       "metrics Content-Type: %s", type ? type : "(none)");
		text = xstrdup(r->body);
	}
	resp_free(r);
	return text;
}

double metrics_value(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		if (strncmp(line, series, n) == 0 && line[n] == ' ')
			return strtod(line + n + 1, NULL);
	}
	return 0;
}
