# tests/lib/harness.sh — sourced by the scripts that run a private stack: the integration
# tests (tests/integration/run), the fault suite (tests/fault/run) and the soak
# (scripts/soak). What they all need, in one place: a temporary state dir on a free port,
# `scripts/stack up` there, the stack's processes from /proc, and a teardown that stops
# the stack, reports (as a failure) and kills whatever of it survived, checks a
# sanitizer build's logs and removes the state dir.
#
# Not a program: it defines functions and a few globals (H_*), and starts nothing at
# source time. The caller sets H_NAME (the prefix of its messages), then:
#
#   h_init PREFIX BUILD_DIR    H_REPO, H_BUILD, H_ASAN, H_TMP (mktemp /tmp/PREFIX.XXXXXX),
#                              H_STATE ($H_TMP/s), H_PORT (a free port)
#   trap h_exit EXIT; trap 'exit 130' INT ...   (h_exit calls the caller's h_before_teardown
#                              and h_after_teardown if defined, then h_teardown)
#   export VS_…                the stack's settings
#   h_stack_up                 scripts/stack up in H_STATE on H_PORT; sources its env file
#   h_lift_limit KIND [--email E]  vs-admin limits set KIND to its maximum, as the owner
#
# Processes are read from /proc with builtins (procps may be absent on a minimal Debian).
# shellcheck shell=bash
# shellcheck disable=SC2317  # functions run from traps look unreachable to shellcheck 0.9

H_NAME=${H_NAME:-harness}
H_TMP=""
H_STATE=""
H_STACK_STARTED=0
H_ASAN=0

h_log() { printf '%s: %s\n' "$H_NAME" "$*" >&2; }

# --- processes ------------------------------------------------------------------

# The parent of every process, read once: H_KIDS[ppid] is " child child …".
declare -A H_KIDS=()
h_scan() {
	local f stat rest pid
	H_KIDS=()
	for f in /proc/[0-9]*/stat; do
		{ read -r stat <"$f"; } 2>/dev/null || continue
		rest=${stat##*) }           # "S PPID ..." after the last ") "
		rest=${rest#* }             # "PPID ..."
		pid=${f#/proc/}
		H_KIDS[${rest%% *}]+=" ${pid%/stat}"
	done
}

# Children of pid $1, one per line.
h_children_of() {
	local c
	h_scan
	for c in ${H_KIDS[$1]:-}; do echo "$c"; done
}

# $1 and all its descendants, one per line (from the last h_scan when $2 is "scanned").
h_tree_of() {
	local queue=("$1") p c
	[ "${2:-}" = scanned ] || h_scan
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		echo "$p"
		for c in ${H_KIDS[$p]:-}; do
			queue+=("$c")
		done
	done
}

# A live (not zombie) process. Opens no descriptor of the caller's.
h_alive() {
	local l
	while read -r l; do
		case $l in
		State:*Z*) return 1 ;;
		State:*) return 0 ;;
		esac
	done 2>/dev/null <"/proc/$1/status"
	return 1
}

# The pid in the first line of a pid file, if that process is alive.
h_pid_file() {
	local p
	[ -r "$1" ] || return 1
	p=$(head -n1 "$1" 2>/dev/null | tr -dc '0-9')
	[ -n "$p" ] && h_alive "$p" && echo "$p"
}

# Every process of the stack in $H_STATE: pid files (an nginx being upgraded has a
# .oldbin too), the postmaster, and their descendants.
h_stack_pids() {
	local f p
	h_scan
	{
		for f in "$H_STATE"/pids/*.pid "$H_STATE"/pids/*.oldbin "$H_STATE"/pg/postmaster.pid; do
			p=$(h_pid_file "$f") && h_tree_of "$p" scanned
		done
	} | sort -un
}

# Processes whose environment says VS_STATE_DIR=$H_STATE: everything that 'stack up'
# started inherits it, and so does whatever the caller started after exporting it
# (builtins only, so this shell's own helpers are not caught).
h_env_pids() {
	local f pid e envs
	for f in /proc/[0-9]*/environ; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		envs=()
		{ mapfile -d '' -t envs <"$f"; } 2>/dev/null || continue
		for e in "${envs[@]}"; do
			if [ "$e" = "VS_STATE_DIR=$H_STATE" ]; then
				h_alive "$pid" && echo "$pid"
				break
			fi
		done
	done
}

# Processes that carry the stack's environment but are in neither its process tree nor
# the caller's (whatever the caller runs to look, and the tools it runs on purpose): left
# behind by a fault (an old nginx master, a worker its multiwatch lost, a client of the
# load whose parent died). One per line, as "pid command line".
h_strays() {
	local tree p
	tree=" $(
		h_stack_pids
		h_tree_of $$ scanned
	) "
	tree=${tree//$'\n'/ }
	for p in $(h_env_pids); do
		[[ $tree == *" $p "* ]] && continue
		printf '%s %s\n' "$p" "$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"
	done
}

# Live children of the multiwatch in pid file $1 (a pool's workers, or the runners).
h_supervised() {
	local mw n=0 c
	mw=$(h_pid_file "$1") || { echo 0; return; }
	h_scan
	for c in ${H_KIDS[$mw]:-}; do
		h_alive "$c" && n=$((n + 1))
	done
	echo "$n"
}

# The pids of the multiwatch in pid file $1's live children, one per line.
h_supervised_pids() {
	local mw c
	mw=$(h_pid_file "$1") || return 0
	h_scan
	for c in ${H_KIDS[$mw]:-}; do
		h_alive "$c" && echo "$c"
	done
}

# --- a free TCP port on 127.0.0.1 -------------------------------------------------

h_port_in_use() {
	if command -v ss >/dev/null 2>&1 &&
		[ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; then
		return 0
	fi
	# something accepts connections there
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Below the kernel's range of ephemeral ports when there is room (32768 up on Linux):
# there, any outgoing connection (another run's load) may take the port between this
# check and nginx's bind.
h_pick_port() {
	local p lo=61000 range=40000
	read -r lo _ 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range || true
	((lo > 21000)) && range=$((lo - 20000))
	for _ in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % range))
		if ! h_port_in_use "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# --- the stack ------------------------------------------------------------------------

# h_init PREFIX BUILD_DIR: checks nothing of the build but its name.
h_init() {
	H_REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
	H_BUILD=${2%/}
	case $H_BUILD in *asan*) H_ASAN=1 ;; esac
	H_TMP=$(mktemp -d "/tmp/$1.XXXXXX")
	# the stack may run PostgreSQL and the workers as an unprivileged user
	chmod 0755 "$H_TMP"
	H_STATE=$H_TMP/s
	mkdir -m 0755 "$H_STATE"
	H_PORT=$(h_pick_port) || {
		h_log "no free TCP port found"
		return 1
	}
}

# scripts/stack up with the caller's VS_* settings, in H_STATE on H_PORT; then the facts
# of its env file are exported here.
h_stack_up() {
	export VS_STATE_DIR=$H_STATE VS_HTTPS_PORT=$H_PORT VS_BUILD_DIR=$H_BUILD VS_REPO_ROOT=$H_REPO
	if [ "$H_ASAN" -eq 1 ]; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	fi
	h_log "starting a stack in $H_STATE on 127.0.0.1:$H_PORT ($H_BUILD)"
	H_STACK_STARTED=1
	if ! (cd "$H_REPO" && timeout --foreground 300 scripts/stack up) >"$H_TMP/stack-up.out" 2>&1; then
		h_log "scripts/stack up failed:"
		cat "$H_TMP/stack-up.out" >&2
		return 1
	fi
	if [ ! -r "$H_STATE/env" ]; then
		h_log "scripts/stack up did not write $H_STATE/env"
		return 1
	fi
	set -a
	# shellcheck source=/dev/null
	. "$H_STATE/env"
	set +a
	if [ "$VS_STATE_DIR" != "$H_STATE" ]; then
		h_log "env names another state dir: $VS_STATE_DIR"
		return 1
	fi
	local v
	for v in VS_URL VS_ADMIN_EMAIL VS_ADMIN_PASSWORD VS_JWT_SECRET_FILE VS_OWNER_DATABASE_URL; do
		if [ -z "${!v:-}" ]; then
			h_log "$H_STATE/env does not define $v"
			return 1
		fi
	done
}

# A limit of README "Limits" lifted for the run (its default, or one user's with
# --email), through the build's vs-admin as an operator would; says why when it fails.
h_lift_limit() {
	local kind=$1
	shift
	if ! VS_DATABASE_URL=$VS_OWNER_DATABASE_URL "$H_BUILD/vs-admin" limits set "$kind" \
		2147483647 "$@" >"$H_TMP/limits.out" 2>&1; then
		h_log "could not lift the $kind limit:"
		cat "$H_TMP/limits.out" >&2
		return 1
	fi
}

h_show_logs() {
	local f
	for f in "$H_STATE"/logs/workers.log "$H_STATE"/logs/runners.log \
		"$H_STATE"/logs/nginx-error.log "$H_STATE"/logs/postgres.log; do
		[ -s "$f" ] || continue
		echo "----- last lines of ${f#"$H_STATE"/} -----" >&2
		tail -n 40 "$f" >&2
	done
}

# Stops the stack and checks that none of it survives; the sanitizer check; returns
# non-zero when anything was wrong (the caller folds that into its exit status). Does not
# remove H_TMP (h_exit does, after h_after_teardown).
h_teardown() {
	local rc=$1 bad=0 survivors leftover p matches
	[ -n "$H_STATE" ] && [ -d "$H_STATE" ] || return 0
	[ "$rc" -ne 0 ] && h_show_logs
	if [ -n "${VS_KEEP_LOGS:-}" ] && [ -d "$H_STATE/logs" ]; then
		mkdir -p -- "$VS_KEEP_LOGS" && cp -r -- "$H_STATE/logs/." "$VS_KEEP_LOGS/" &&
			h_log "the stack's logs are kept in $VS_KEEP_LOGS"
	fi
	survivors=$(h_stack_pids)
	h_log "stopping the stack in $H_STATE"
	if [ "$H_STACK_STARTED" -eq 1 ] &&
		! (cd "$H_REPO" && VS_STATE_DIR=$H_STATE timeout --foreground 120 scripts/stack down); then
		h_log "scripts/stack down failed"
		bad=1
	fi
	# everything it ran must be gone; wait a little, then insist
	for _ in $(seq 1 50); do
		p=""
		for p in $survivors; do h_alive "$p" && break; p=""; done
		[ -z "$p" ] && break
		sleep 0.2
	done
	leftover=""
	for p in $survivors; do h_alive "$p" && leftover+=" $p"; done
	leftover+=" $(h_env_pids)" # nothing external runs during the scan
	# shellcheck disable=SC2086 # word splitting wanted
	survivors=$(printf '%s\n' $leftover | sort -un | grep .)
	if [ -n "$survivors" ]; then
		for p in $survivors; do
			h_log "process $p ($(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")) survived 'stack down'"
		done
		h_log "killing the survivors"
		for p in $survivors; do kill -TERM "$p" 2>/dev/null; done
		bad=1
		sleep 2
		for p in $survivors; do h_alive "$p" && kill -KILL "$p" 2>/dev/null; done
	fi

	if [ "$H_ASAN" -eq 1 ]; then
		if [ -d "$H_STATE/logs" ]; then
			matches=$(grep -rnE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' \
				"$H_STATE/logs" 2>/dev/null)
			if [ -n "$matches" ]; then
				h_log "sanitizer reports in the stack's logs:"
				printf '%s\n' "$matches" >&2
				bad=1
			else
				h_log "no sanitizer reports in the stack's logs"
			fi
		else
			h_log "no logs directory to check for sanitizer reports"
			bad=1
		fi
	fi
	return "$bad"
}

# The EXIT trap: the caller's h_before_teardown (stop what it started itself), the
# stack's teardown, the caller's h_after_teardown (unmount what it mounted), then the
# temporary directory goes. Exits with the first failure's status.
h_exit() {
	local rc=$?
	trap - EXIT INT TERM HUP
	set +e
	if declare -F h_before_teardown >/dev/null; then
		h_before_teardown || { [ "$rc" -ne 0 ] || rc=1; }
	fi
	h_teardown "$rc" || { [ "$rc" -ne 0 ] || rc=1; }
	if declare -F h_after_teardown >/dev/null; then
		h_after_teardown || { [ "$rc" -ne 0 ] || rc=1; }
	fi
	if [ -n "$H_TMP" ]; then
		# never into a file system that is still mounted below (h_after_teardown failed)
		if grep -q " $H_TMP/" /proc/mounts 2>/dev/null; then
			h_log "something is still mounted below $H_TMP; not removing it"
			[ "$rc" -ne 0 ] || rc=1
		else
			rm -rf -- "$H_TMP"
		fi
	fi
	exit "$rc"
}

h_traps() {
	trap h_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}
