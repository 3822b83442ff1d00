# shellcheck shell=bash
# VMware's vCenter simulator for a test run (DESIGN.md §5b): build/vcsim/vcsim (make vcsim,
# source in tests/vcsim/main.go), started on a free port of 127.0.0.1 and stopped by its
# pid. Sourced by tests/integration/run after tests/lib/harness.sh (its h_alive); bash
# only, no state outside VCSIM_* variables.
#
#   vcsim_start DIR [PORT]   start it with its files in DIR (made if missing): ca.pem (the
#                            CA its TLS certificate chains to), ready, vcsim.log, and the
#                            model's datastore directories (TMPDIR). PORT 0 (the default)
#                            lets the kernel choose, which avoids racing other programs
#                            for a port picked in advance. Waits until it serves and its
#                            template exists, then exports
#                              VS_TEST_VCSIM_URL        https://127.0.0.1:<port>/sdk
#                              VS_TEST_VCSIM_USER       the only user name it accepts
#                              VS_TEST_VCSIM_PASSWORD   and that user's password (random)
#                              VS_TEST_VCSIM_CA_FILE    DIR/ca.pem
#                              VS_TEST_VCSIM_TEMPLATE   the VM it marked as template
#                              VS_TEST_VCSIM_THUMBPRINT SHA-1 of its certificate (AA:BB:…)
#                              VS_TEST_VCSIM_PID        its pid
#                            Returns non-zero (after printing its log) if it does not start.
#   vcsim_stop               TERM to that pid, wait for it (up to VCSIM_STOP_GRACE s,
#                            default 10), KILL if it is still there. Returns non-zero if it
#                            had to be killed, was already gone (crashed during the run) or
#                            exited with a failure. Does nothing if none was started.
#
# VCSIM_BIN overrides the binary; VS_TEST_VCSIM_USER / VS_TEST_VCSIM_PASSWORD set the
# credentials instead of the defaults.

VCSIM_PID=""
VCSIM_DIR=""

_vcsim_log() { printf 'vcsim: %s\n' "$*" >&2; }

# The value of KEY in a KEY=value file.
_vcsim_field() {
	local key=$1 file=$2 line
	while IFS= read -r line; do
		case $line in "$key="*) printf '%s' "${line#"$key="}"; return 0 ;; esac
	done <"$file"
	return 1
}

vcsim_start() {
	local dir=$1 port=${2:-0} repo bin ready pid url
	repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
	bin=${VCSIM_BIN:-$repo/build/vcsim/vcsim}
	if [ -n "$VCSIM_PID" ]; then
		_vcsim_log "already started (pid $VCSIM_PID)"
		return 1
	fi
	if [ ! -x "$bin" ]; then
		_vcsim_log "$bin is missing; build it with 'make vcsim' (make test does)"
		return 1
	fi
	mkdir -p -- "$dir" || return 1
	VCSIM_DIR=$(cd -- "$dir" && pwd)
	ready=$VCSIM_DIR/ready
	rm -f -- "$ready"

	VS_TEST_VCSIM_USER=${VS_TEST_VCSIM_USER:-vs-test}
	VS_TEST_VCSIM_PASSWORD=${VS_TEST_VCSIM_PASSWORD:-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}
	TMPDIR=$VCSIM_DIR "$bin" -listen "127.0.0.1:$port" \
		-username "$VS_TEST_VCSIM_USER" -password "$VS_TEST_VCSIM_PASSWORD" \
		-ca-out "$VCSIM_DIR/ca.pem" -ready "$ready" \
		</dev/null >"$VCSIM_DIR/vcsim.log" 2>&1 &
	VCSIM_PID=$!

	# Model, listener, a login and the template take about a second; a loaded machine more.
	for _ in $(seq 1 600); do
		[ -s "$ready" ] && break
		h_alive "$VCSIM_PID" || break
		sleep 0.1
	done
	if [ ! -s "$ready" ]; then
		_vcsim_log "did not become ready (pid $VCSIM_PID); its log:"
		cat -- "$VCSIM_DIR/vcsim.log" >&2
		vcsim_stop >/dev/null 2>&1
		return 1
	fi
	pid=$(_vcsim_field pid "$ready") || pid=""
	url=$(_vcsim_field url "$ready") || url=""
	if [ "$pid" != "$VCSIM_PID" ] || [ -z "$url" ]; then
		_vcsim_log "$ready names pid '$pid' and url '$url', not pid $VCSIM_PID"
		vcsim_stop >/dev/null 2>&1
		return 1
	fi
	export VS_TEST_VCSIM_URL=$url
	export VS_TEST_VCSIM_USER VS_TEST_VCSIM_PASSWORD
	export VS_TEST_VCSIM_CA_FILE=$VCSIM_DIR/ca.pem
	export VS_TEST_VCSIM_TEMPLATE
	VS_TEST_VCSIM_TEMPLATE=$(_vcsim_field template "$ready") || VS_TEST_VCSIM_TEMPLATE=""
	export VS_TEST_VCSIM_THUMBPRINT
	VS_TEST_VCSIM_THUMBPRINT=$(_vcsim_field thumbprint "$ready") || VS_TEST_VCSIM_THUMBPRINT=""
	export VS_TEST_VCSIM_PID=$VCSIM_PID
	_vcsim_log "serving $url (pid $VCSIM_PID, template $VS_TEST_VCSIM_TEMPLATE)"
}

vcsim_stop() {
	local pid=$VCSIM_PID grace=${VCSIM_STOP_GRACE:-10} rc=0 status=0 i
	[ -n "$pid" ] || return 0
	VCSIM_PID=""
	if ! h_alive "$pid"; then
		wait "$pid" 2>/dev/null || status=$?
		_vcsim_log "pid $pid had already exited (status $status) before it was stopped; its log:"
		[ -n "$VCSIM_DIR" ] && tail -n 20 -- "$VCSIM_DIR/vcsim.log" >&2
		return 1
	fi
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < grace * 10; i++)); do
		h_alive "$pid" || break
		sleep 0.1
	done
	if h_alive "$pid"; then
		_vcsim_log "pid $pid did not stop within ${grace}s of TERM; killing it"
		kill -KILL "$pid" 2>/dev/null
		rc=1
	fi
	wait "$pid" 2>/dev/null || status=$?
	if h_alive "$pid"; then
		_vcsim_log "pid $pid survived KILL"
		return 1
	fi
	if [ "$rc" -eq 0 ] && [ "$status" -ne 0 ]; then
		_vcsim_log "pid $pid exited with status $status on TERM; its log:"
		[ -n "$VCSIM_DIR" ] && tail -n 20 -- "$VCSIM_DIR/vcsim.log" >&2
		rc=1
	fi
	return "$rc"
}
