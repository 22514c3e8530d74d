/* logging.h for check-vm: Criterion's log calls, kept with the test's output. */
#ifndef MAXRSS_VM_CRITERION_LOGGING_H
#define MAXRSS_VM_CRITERION_LOGGING_H

#include "criterion.h"

#define cr_log_info(...) crit_log(__VA_ARGS__)
#define cr_log_warn(...) crit_log(__VA_ARGS__)
#define cr_log_error(...) crit_log(__VA_ARGS__)

#endif
