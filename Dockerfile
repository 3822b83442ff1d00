# VirtualStack image: built on Debian 12 with the README's scripts, run on Debian 12 slim.
#
#   docker build -t virtualstack .
#   docker run -e VS_DATABASE_URL=… -e VS_JWT_SECRET=… -p 8443:8443 virtualstack
#
# The container runs scripts/entrypoint under tini: nginx (TLS, port $VS_HTTPS_PORT), the
# spawn-fcgi/multiwatch pools of vs-fcgi workers and the vs-worker job runners,
# configured by environment variables alone
# (README.md "Container"). docker-compose.yml adds PostgreSQL 15 and the migrations.

# ---------------------------------------------------------------- build
FROM debian:bookworm AS build

WORKDIR /src

# Packages and node_modules first: these layers stay cached while the sources change.
# install-deps is the README's script: the Debian packages, then "npm ci" of
# package-lock.json (Swagger UI and ReDoc for /docs and /redoc, and the test tooling).
COPY scripts/install-deps scripts/install-deps
COPY package.json package-lock.json ./
RUN bash scripts/install-deps && rm -rf /var/lib/apt/lists/*

# Only what the build reads. Never "COPY . .": a host build/ would look up to date to
# make, and a host .run/ holds a database cluster, secrets and admin credentials
# (.dockerignore keeps them out of the context as well).
COPY Makefile ./
COPY lib/ lib/
COPY fcgi/ fcgi/
COPY sql/ sql/
COPY tests/ tests/
# The unit tests need no database or network: a build that fails them ships nothing.
RUN make && build/tests/unit_tests

# The runtime tree, assembled here so that it arrives in one layer with sane modes
# whatever the build context's umask was (nginx's workers read nginx/docs and
# node_modules as the unprivileged user).
COPY nginx/ nginx/
COPY scripts/entrypoint scripts/entrypoint
COPY scripts/lib/ scripts/lib/
RUN set -eu; \
	out=/out/virtualstack; \
	install -d "$out/build" "$out/scripts/lib" "$out/node_modules/redoc"; \
	install -m 0755 build/vs-fcgi build/vs-admin build/vs-worker "$out/build/"; \
	install -m 0755 scripts/entrypoint "$out/scripts/"; \
	cp -R scripts/lib/. "$out/scripts/lib/"; \
	cp -R sql nginx "$out/"; \
	cp -R node_modules/swagger-ui-dist "$out/node_modules/"; \
	cp -R node_modules/redoc/bundles node_modules/redoc/LICENSE node_modules/redoc/package.json \
		"$out/node_modules/redoc/"; \
	chmod -R u=rwX,go=rX /out; \
	chown -R root:root /out

# ---------------------------------------------------------------- runtime
FROM debian:bookworm-slim AS runtime

ARG DEBIAN_FRONTEND=noninteractive
# Runtime libraries of the binaries (readelf NEEDED: libfcgi, libpq, libjson-c, libjwt,
# libcurl (mail), libargon2, libssl/libcrypto, libz), the process model (spawn-fcgi,
# multiwatch, nginx, tini as PID 1), and what scripts/entrypoint uses: pg_isready
# (postgresql-client), openssl (self-signed certificate), envsubst (gettext-base), curl
# (start check, HEALTHCHECK), ps/pgrep (procps). runuser, setpriv, setsid and useradd are
# in the base image (util-linux, passwd).
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		libfcgi0ldbl libpq5 libjson-c5 libjwt0 libcurl4 libargon2-1 libssl3 zlib1g \
		spawn-fcgi multiwatch nginx tini \
		postgresql-client ca-certificates openssl gettext-base curl procps \
	&& rm -rf /var/lib/apt/lists/*

# The security fixes scripts/install-deps insists on (its SECURITY_MINIMUMS; keep in
# sync): bookworm-security is in the base image's sources, so a build older than the fix
# means a stale mirror. Fail rather than ship it.
RUN set -eu; \
	for req in "libjwt0 1.10.2-1+deb12u1" "libfcgi0ldbl 2.4.2-2+deb12u1"; do \
		set -- $req; \
		v=$(dpkg-query -W -f='${Version}' "$1"); \
		dpkg --compare-versions "$v" ge "$2" || { echo "$1 $v is older than $2 (security fix)" >&2; exit 1; }; \
	done

# The unprivileged user the workers and nginx's workers run as (as in scripts/stack). A
# fixed uid, so that mounted secrets can be made readable to it.
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin vstack \
	&& install -d -o vstack -g vstack -m 0750 /run/virtualstack

COPY --from=build /out/virtualstack/ /opt/virtualstack/

# Fail the build if a library the binaries link against is missing from this stage.
RUN ! ldd /opt/virtualstack/build/vs-fcgi /opt/virtualstack/build/vs-admin \
	/opt/virtualstack/build/vs-worker | grep -F 'not found'

WORKDIR /opt/virtualstack
# The entrypoint finds build/, sql/, nginx/ and node_modules/ next to its scripts/ by
# itself; these are stated for operators (and "docker run … vs-admin" style debugging).
ENV VS_BUILD_DIR=/opt/virtualstack/build \
	VS_SQL_DIR=/opt/virtualstack/sql \
	VS_STATE_DIR=/run/virtualstack \
	VS_HTTPS_PORT=8443 \
	VS_LISTEN_ADDR=0.0.0.0

EXPOSE 8443

# Ready = nginx answers, a worker answers, the database is reachable and migrated.
# Shell form: VS_HTTPS_PORT is read when the check runs (docker run -e VS_HTTPS_PORT=…).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
	CMD curl -q -fsk --noproxy '*' --max-time 4 -o /dev/null \
		"https://127.0.0.1:${VS_HTTPS_PORT}/api/v1/health/ready" || exit 1

# tini is PID 1 (reaps orphans, forwards SIGTERM); the entrypoint stops nginx, then the
# pool, and exits 0. It starts as root only to drop to vstack for every long-running
# process but nginx's master; "docker run --user 10001" runs everything as vstack.
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/virtualstack/scripts/entrypoint"]
CMD ["serve"]
