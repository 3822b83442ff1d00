/*
 * After a suite has disturbed the stack on purpose (stopped the database, killed a
 * worker), it waits here until the stack serves again as it did before: a suite leaves
 * the stack as it found it, so the next one, whichever it is, needs no patience of its own.
 */
#ifndef IT_SERVING_H
#define IT_SERVING_H

#include <stdbool.h>

/*
 * Waits at most `seconds` until /api/v1/health/ready is 200, a run of authenticated
 * requests long enough to reach every API worker is all 200, and a run of key checks of
 * a new key (which every check worker must look up in the database) is all 204.
 * Asserts each step (EXPECT); true when all held.
 */
bool expect_stack_serving(double seconds);

#endif
