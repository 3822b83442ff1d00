# scripts/lib/service.sh — sourced by scripts/stack (the local stack) and scripts/entrypoint
# (the container). What both need to run the same service the same way: the state-dir
# layout nginx.conf.template is written for, the service user, the TLS certificate, the
# workers' environment, and rendering nginx.conf.
#
# Not a program: it only defines functions and sets nothing at source time. The caller
# defines die() and log(), sets REPO (the repository or image root) and SVC_USER_ROOT
# (the user the services run as when started as root), and calls load_service_config
# before anything else here. Functions read and set plain globals, named as in
# scripts/stack.
# shellcheck shell=bash

# ---------------------------------------------------------------- helpers

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "'$c' not found; run scripts/install-deps"
	done
}

# Write a file atomically with the given mode (content on stdin). The temp file lives in
# the same directory, so the rename never crosses file systems.
write_file() {
	local path=$1 mode=$2 owner=${3:-} tmp
	tmp=$(mktemp -- "$path.XXXXXX")
	cat >"$tmp"
	chmod "$mode" -- "$tmp"
	[[ -z $owner ]] || chown -- "$owner" "$tmp"
	mv -f -- "$tmp" "$path"
}

# Is this integer in [lo, hi]?
int_in_range() {
	[[ $1 =~ ^[0-9]+$ ]] && (( 10#$1 >= $2 && 10#$1 <= $3 ))
}

# Last lines of each non-empty log file (a symlink to a stream, as in the container, is
# skipped: its lines are already where the caller's stderr goes).
tail_logs() {
	local f
	for f in "$@"; do
		[[ -s $f && ! -L $f ]] || continue
		printf '\n==> %s (last 25 lines) <==\n' "$f" >&2
		tail -n 25 -- "$f" >&2 || true
	done
}

# Close every file descriptor inherited from the caller (other than stdio): the daemons
# started here would keep them open for their whole life. A pipe the caller waits on
# (make, a test harness, "scripts/stack up | tee") would then never see EOF. The fd
# bash reads the main script from is kept.
close_inherited_fds() {
	local self fd target
	self=$(realpath -- "${BASH_SOURCE[-1]}")
	for fd in "/proc/$$/fd/"*; do
		fd=${fd##*/}
		((fd > 2)) || continue
		target=$(readlink -- "/proc/$$/fd/$fd" 2>/dev/null) || continue
		[[ $target != "$self" ]] || continue
		{ exec {fd}>&-; } 2>/dev/null || true   # (a bare "exec ... 2>x" would redirect stderr for good)
	done
}

# ---------------------------------------------------------------- configuration

# The settings both launchers read from the environment, validated, and the state-dir
# layout (the template hard-codes sock/fcgi.sock, sock/check.sock, tls/, logs/, pids/ under VS_STATE_DIR).
# STATE must be set (an absolute path).
# shellcheck disable=SC2034  # the globals set here are the callers'
load_service_config() {
	HTTPS_PORT=${VS_HTTPS_PORT:-8443}
	WORKERS=${VS_WORKERS:-$((2 * $(nproc)))}
	# The key check's own pool: a warm check never waits, so one worker per core; more
	# only add context switches (README, "Benchmark").
	CHECK_WORKERS=${VS_CHECK_WORKERS:-$(nproc)}
	# vs-worker processes (the job runner); 0 runs none (another host runs them).
	RUNNERS=${VS_JOB_RUNNERS:-1}
	LOGIN_RATE=${VS_LOGIN_RATE:-5r/s}
	LOGIN_BURST=${VS_LOGIN_BURST:-10}
	# nginx's address: loopback for the local stack; scripts/entrypoint sets its own after
	# this (never taken from the caller's environment by accident).
	LISTEN_ADDR=127.0.0.1

	# The state path ends up inside nginx.conf, postgresql.conf and shell files; keep it to
	# characters that need no escaping in any of them.
	[[ $STATE =~ ^/[A-Za-z0-9\ ._/+@-]*$ ]] ||
		die "VS_STATE_DIR '$STATE' may only contain letters, digits, space and . _ / + @ -"
	[[ $STATE != / ]] || die "VS_STATE_DIR must not be /"
	int_in_range "$HTTPS_PORT" 1 65535 || die "VS_HTTPS_PORT '$HTTPS_PORT' is not a port number"
	int_in_range "$WORKERS" 1 1024 || die "VS_WORKERS '$WORKERS' must be an integer in 1..1024"
	int_in_range "$CHECK_WORKERS" 1 1024 || die "VS_CHECK_WORKERS '$CHECK_WORKERS' must be an integer in 1..1024"
	int_in_range "$RUNNERS" 0 64 || die "VS_JOB_RUNNERS '$RUNNERS' must be an integer in 0..64"
	[[ $LOGIN_RATE =~ ^[1-9][0-9]*r/[sm]$ ]] || die "VS_LOGIN_RATE '$LOGIN_RATE' must look like 5r/s or 30r/m"
	int_in_range "$LOGIN_BURST" 0 100000 || die "VS_LOGIN_BURST '$LOGIN_BURST' must be a non-negative integer"

	SOCK_DIR=$STATE/sock
	FCGI_SOCK=$SOCK_DIR/fcgi.sock
	CHECK_SOCK=$SOCK_DIR/check.sock
	NGINX_DIR=$STATE/nginx
	TLS_DIR=$STATE/tls
	SECRETS_DIR=$STATE/secrets
	JWT_FILE=$SECRETS_DIR/jwt-secret
	AUDIT_KEY_FILE=$SECRETS_DIR/audit-signing-key.pem
	LOG_DIR=$STATE/logs
	RUNNERS_LOG=$LOG_DIR/runners.log
	MAIL_DIR=$STATE/mail
	PID_DIR=$STATE/pids
	NGINX_PID=$PID_DIR/nginx.pid
	NGINX_CONF=$NGINX_DIR/nginx.conf

	if [[ $(id -u) -eq 0 ]]; then
		AS_ROOT=1
		SVC_USER=$SVC_USER_ROOT
	else
		AS_ROOT=0
		SVC_USER=$(id -un)
	fi
}

# ---------------------------------------------------------------- service user, TLS

ensure_svc_user() {
	((AS_ROOT)) || return 0
	getent passwd "$SVC_USER" >/dev/null && return 0
	log "creating system user $SVC_USER"
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$SVC_USER"
}

# The service user must be able to reach the state dir and execute the worker binary.
# Grant only search (x) permission, only on the directories that lack it, top-down
# (a directory cannot be tested before its parent is searchable).
ensure_traversal() {
	((AS_ROOT)) || return 0
	local target dir path
	for target in "$@"; do
		path=''
		local -a parts
		IFS=/ read -r -a parts <<<"${target#/}"
		for dir in "${parts[@]}"; do
			path+=/$dir
			[[ -d $path ]] || break
			if ! runuser -u "$SVC_USER" -- test -x "$path" 2>/dev/null; then
				command -v setfacl >/dev/null 2>&1 || die "$SVC_USER cannot enter $path and setfacl is missing; run scripts/install-deps"
				setfacl -m "u:$SVC_USER:x" -- "$path"
				log "granted $SVC_USER search permission (setfacl u:$SVC_USER:x) on $path"
			fi
		done
	done
	runuser -u "$SVC_USER" -- test -x "$BUILD/vs-fcgi" ||
		die "$SVC_USER cannot execute $BUILD/vs-fcgi (check its mode, e.g. chmod 755)"
}

ensure_tls() {
	[[ -s $TLS_DIR/cert.pem && -s $TLS_DIR/key.pem ]] && return 0
	log "creating a self-signed certificate for localhost in $TLS_DIR"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" -days 825 \
		-subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' 2>/dev/null ||
		die "openssl could not create the certificate"
	chmod 0600 -- "$TLS_DIR/key.pem"
	chmod 0644 -- "$TLS_DIR/cert.pem"
}

# The audit log's Ed25519 checkpoint key (README "Checkpoints"), where the service user
# reads it: VS_AUDIT_SIGNING_KEY (a PEM file) copied, else one generated once when
# `generate` is 1 (scripts/stack; the container generates none unless told to).
install_audit_key() { # generate owner
	local generate=$1 owner=${2:-}
	if [[ -n ${VS_AUDIT_SIGNING_KEY:-} ]]; then
		[[ -r $VS_AUDIT_SIGNING_KEY ]] || die "VS_AUDIT_SIGNING_KEY '$VS_AUDIT_SIGNING_KEY' is not readable"
		[[ $VS_AUDIT_SIGNING_KEY -ef $AUDIT_KEY_FILE ]] ||
			write_file "$AUDIT_KEY_FILE" 0400 "$owner" <"$VS_AUDIT_SIGNING_KEY"
	elif [[ ! -s $AUDIT_KEY_FILE ]] && ((generate)); then
		log "generating the audit checkpoint key $AUDIT_KEY_FILE"
		openssl genpkey -algorithm ed25519 2>/dev/null | write_file "$AUDIT_KEY_FILE" 0400 "$owner"
	fi
	if [[ -s $AUDIT_KEY_FILE && -n $owner ]]; then chown -- "$owner" "$AUDIT_KEY_FILE"; fi
	return 0
}

# ---------------------------------------------------------------- workers

# The workers' environment: nothing inherited but what is listed here. APP_URL is the
# database URL of the application role; the JWT secret goes as given (VS_JWT_SECRET) or
# as the file JWT_FILE the caller prepared.
worker_env() {
	# The workers of this host share one epoch (sock/ belongs to the service user).
	WORKER_ENV=(PATH=/usr/local/bin:/usr/bin:/bin "VS_DATABASE_URL=$APP_URL"
		"VS_SHM_PATH=${VS_SHM_PATH:-$STATE/sock/host-epoch}")
	if [[ -n ${VS_JWT_SECRET:-} ]]; then
		WORKER_ENV+=("VS_JWT_SECRET=$VS_JWT_SECRET")
	else
		WORKER_ENV+=("VS_JWT_SECRET_FILE=$JWT_FILE")
	fi
	[[ ! -s ${AUDIT_KEY_FILE:-} ]] || WORKER_ENV+=("VS_AUDIT_SIGNING_KEY=$AUDIT_KEY_FILE")
	local v
	for v in VS_JWT_ISSUER VS_JWT_AUDIENCE VS_ACCESS_TOKEN_TTL VS_REFRESH_TOKEN_TTL \
		VS_STATEMENT_TIMEOUT_MS VS_DB_TIMEOUT_MS VS_MAX_BODY_BYTES VS_MAX_REQUESTS VS_LOG_LEVEL \
		VS_KEY_CACHE_SIZE VS_KEY_CACHE_TTL VS_LOG_CHECKS VS_CHECK_SCHEDULING \
		VS_WEBHOOK_ALLOW_HTTP VS_WEBHOOK_ALLOW_PRIVATE VS_WEBHOOK_ALLOW_ADDRESSES \
		VS_WEBHOOK_CA_FILE VS_WEBHOOK_RETRY_MS VS_WEBHOOK_DISABLE_AFTER_S \
		ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		if [[ -v $v ]]; then WORKER_ENV+=("$v=${!v}"); fi
	done
}

# The job runners' environment: the workers' plus where links point, how mail leaves
# (SMTP with VS_SMTP_URL, else files in MAIL_DIR) and the VS_JOB_* settings.
runner_env() { # default public URL
	worker_env
	RUNNER_ENV=("${WORKER_ENV[@]}" "VS_PUBLIC_URL=${VS_PUBLIC_URL:-$1}")
	local v
	for v in VS_SMTP_URL VS_SMTP_FROM VS_SMTP_FROM_NAME VS_SMTP_USER VS_SMTP_PASSWORD \
		VS_SMTP_CA_FILE VS_SMTP_TIMEOUT_MS VS_MAIL_DIR VS_JOB_CONCURRENCY VS_JOB_LEASE_SECONDS \
		VS_JOB_POLL_MS VS_JOB_BACKOFF_BASE_MS VS_JOB_BACKOFF_CAP_MS VS_JOB_RETENTION_SECONDS \
		VS_JOB_SHUTDOWN_GRACE_MS VS_JOB_TEST_KINDS VS_AUDIT_CHECKPOINT_SECONDS \
		VS_AUDIT_SEQUENCE_MS; do
		if [[ -n ${!v:-} ]]; then RUNNER_ENV+=("$v=${!v}"); fi
	done
	[[ -n ${VS_SMTP_URL:-} || -n ${VS_MAIL_DIR:-} ]] || RUNNER_ENV+=("VS_MAIL_DIR=$MAIL_DIR")
}

# The workers' shared counters (/metrics) start at zero with the pools. A file left by an
# earlier run may also have another build's layout, which the workers would refuse.
# Only while no worker of this state dir runs.
reset_metrics() {
	rm -f -- "${VS_SHM_PATH:-$STATE/sock/host-epoch}.metrics"
}

# A worker that dies on bad configuration is restarted in a loop by multiwatch, so catch
# the obvious mistakes here, with a message naming the variable.
check_worker_config() {
	local v
	for v in VS_ACCESS_TOKEN_TTL VS_REFRESH_TOKEN_TTL VS_STATEMENT_TIMEOUT_MS VS_DB_TIMEOUT_MS VS_MAX_BODY_BYTES \
		VS_MAX_REQUESTS VS_KEY_CACHE_SIZE VS_KEY_CACHE_TTL; do
		[[ -z ${!v:-} || ${!v} =~ ^[0-9]+$ ]] || die "$v='${!v}' must be a non-negative integer"
	done
	if [[ -n ${VS_JWT_SECRET:-} ]] && ((${#VS_JWT_SECRET} < 32)); then
		die "VS_JWT_SECRET must be at least 32 bytes"
	fi
	case ${VS_LOG_LEVEL:-info} in
	debug | info | warn | error) ;;
	*) die "VS_LOG_LEVEL='$VS_LOG_LEVEL' must be debug, info, warn or error" ;;
	esac
	case ${VS_LOG_CHECKS:-none} in
	none | failures | all) ;;
	*) die "VS_LOG_CHECKS='$VS_LOG_CHECKS' must be none, failures or all" ;;
	esac
	case ${VS_CHECK_SCHEDULING:-batch} in
	batch | normal) ;;
	*) die "VS_CHECK_SCHEDULING='$VS_CHECK_SCHEDULING' must be batch or normal" ;;
	esac
}

# ---------------------------------------------------------------- nginx

# nginx with our prefix, the config file $1 and more arguments; nginx_argv only sets
# NGINX_ARGV, for a caller that must start nginx itself (as a background child: a
# function run with & would put a subshell between the caller and nginx).
# nginx by its absolute path: on USR2 (the binary upgrade: a new master from the binary on
# disk takes over the listening sockets, no connection refused) nginx execs its own argv[0],
# and a bare "nginx" there fails with EACCES, leaving only a stop and start with the port
# closed in between (tests/fault: nginx-upgrade).
nginx_argv() {
	local bin
	bin=$(command -v nginx) || bin=nginx
	NGINX_ARGV=("$bin" -p "$NGINX_DIR/" -c "$1" -e "$LOG_DIR/nginx-error.log" "${@:2}")
}
nginx_cmd() {
	local -a NGINX_ARGV
	nginx_argv "$@"
	"${NGINX_ARGV[@]}"
}

# Render the template and copy the snippets into a fresh directory, test the result, and
# only then install it. Prints "changed" when the installed config differs from before.
# The one place that knows the template's ${VARIABLES}: add new ones here, for both
# launchers. LISTEN_ADDR (load_service_config) is the address nginx listens on.
render_nginx() {
	local tmp f user_directive='# not started as root: no "user" directive'
	local listen=$LISTEN_ADDR
	# Swagger UI and ReDoc files (/docs, /redoc): npm packages, not committed. A missing
	# directory is no error for nginx; those paths are then 404s.
	local web_dir=${VS_WEB_DIR:-$REPO/node_modules}
	if ((AS_ROOT)); then user_directive="user $SVC_USER $SVC_USER;"; fi
	tmp=$(mktemp -d -- "$NGINX_DIR/.render.XXXXXX")
	# shellcheck disable=SC2016  # envsubst takes the literal ${NAME} list
	VS_STATE_DIR=$STATE VS_HTTPS_PORT=$HTTPS_PORT VS_LOGIN_RATE=$LOGIN_RATE \
		VS_LOGIN_BURST=$LOGIN_BURST VS_NGINX_USER_DIRECTIVE=$user_directive \
		VS_LISTEN_ADDR=$listen VS_WEB_DIR=$web_dir VS_DOCS_DIR=$REPO/nginx/docs \
		envsubst '${VS_STATE_DIR} ${VS_HTTPS_PORT} ${VS_LOGIN_RATE} ${VS_LOGIN_BURST} ${VS_NGINX_USER_DIRECTIVE} ${VS_LISTEN_ADDR} ${VS_WEB_DIR} ${VS_DOCS_DIR}' \
		<"$REPO/nginx/nginx.conf.template" >"$tmp/nginx.conf"
	# A template that still hard-codes "listen 127.0.0.1:PORT" gets the address here.
	if [[ $listen != 127.0.0.1 ]]; then
		sed -i -E "s/^([[:space:]]*listen[[:space:]]+)127\\.0\\.0\\.1:/\\1$listen:/" "$tmp/nginx.conf"
		grep -qE "^[[:space:]]*listen[[:space:]]+${listen//./\\.}:${HTTPS_PORT}[[:space:]]" "$tmp/nginx.conf" || {
			rm -rf -- "$tmp"
			die "nginx.conf.template has no 'listen 127.0.0.1:\${VS_HTTPS_PORT}' line to bind to $listen"
		}
	fi
	cp -- "$REPO"/nginx/fastcgi_params_vs* "$REPO"/nginx/vs_*.conf "$tmp/"
	chmod 0644 -- "$tmp"/*

	if ! nginx_cmd "$tmp/nginx.conf" -t -q 2>"$tmp/test.log"; then
		cat -- "$tmp/test.log" >&2
		tail_logs "$LOG_DIR/nginx-error.log"
		rm -rf -- "$tmp"
		die "the rendered nginx configuration does not pass nginx -t"
	fi
	rm -f -- "$tmp/test.log"

	local changed=0
	for f in "$tmp"/*; do
		cmp -s -- "$f" "$NGINX_DIR/${f##*/}" || changed=1
		mv -f -- "$f" "$NGINX_DIR/"
	done
	rmdir -- "$tmp"
	if ((changed)); then echo changed; fi
}
