/* GET /metrics for the tests that read the workers' counters. */
#ifndef IT_SCRAPE_H
#define IT_SCRAPE_H

/* The Prometheus text (checked for status and Content-Type), or NULL after a reported
 * failure. The caller frees it. */
char *metrics_scrape(void);

/* The value of the series whose line starts with exactly `series` ("name{labels}"),
 * 0 when absent (Prometheus series appear at their first count). */
double metrics_value(const char *text, const char *series);

#endif
