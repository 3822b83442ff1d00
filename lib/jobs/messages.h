/* Texts clients see for jobs. */
#ifndef VS_JOBS_MESSAGES_H
#define VS_JOBS_MESSAGES_H

#define VS_MSG_JOB_NOT_FOUND "Job not found"
#define VS_MSG_JOB_NOT_CANCELLABLE "Only a queued job can be cancelled; this one is %s."
#define VS_MSG_JOB_STATUS_INVALID "must be one of queued, running, succeeded, failed, cancelled"
#define VS_MSG_JOB_KIND_INVALID "must be a job kind such as invitation.email"
#define VS_MSG_JOB_DUPLICATE "An equal job is already queued or running."

#endif
