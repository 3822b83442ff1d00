/* Texts clients match on, for login and refresh tokens. */
#ifndef VS_SESSIONS_MESSAGES_H
#define VS_SESSIONS_MESSAGES_H

#define VS_MSG_LOGIN_FAILED "Incorrect email or password"
#define VS_MSG_BAD_REFRESH "Invalid or expired refresh token"
#define VS_MSG_GRANT_TYPE "must be \"password\""

#endif
