# VirtualStack image, first version: build on Debian 12, run on Debian 12 slim.
#
# Not finished yet (a later issue): the entrypoint (render nginx.conf, start the
# spawn-fcgi/multiwatch pool, run nginx in the foreground) and the compose file that adds
# PostgreSQL. Until then the image has the binaries, migrations, nginx files and scripts,
# and no CMD.

# ---------------------------------------------------------------- build
FROM debian:bookworm AS build

WORKDIR /src

# Packages first: this layer stays cached while the sources change.
COPY scripts/install-deps scripts/install-deps
RUN bash scripts/install-deps && rm -rf /var/lib/apt/lists/*

# Only what the build reads. Never "COPY . .": a host build/ would look up to date to
# make, and a host .run/ holds a database cluster, secrets and admin credentials.
COPY Makefile ./
COPY lib/ lib/
COPY fcgi/ fcgi/
COPY sql/ sql/
COPY tests/ tests/
RUN make

# ---------------------------------------------------------------- runtime
FROM debian:bookworm-slim

ARG DEBIAN_FRONTEND=noninteractive
# Runtime libraries of vs-fcgi/vs-admin, the process model (spawn-fcgi, multiwatch,
# nginx, tini as PID 1 to reap orphans), psql for operators, and what scripts/stack uses.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		libfcgi0ldbl spawn-fcgi multiwatch \
		libpq5 libjson-c5 libjwt0 libargon2-1 libssl3 \
		nginx tini postgresql-client \
		ca-certificates openssl gettext-base curl procps \
	&& rm -rf /var/lib/apt/lists/*

# The unprivileged user the workers and nginx's workers run as (as in scripts/stack).
RUN useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin vstack

WORKDIR /opt/virtualstack
COPY --from=build /src/build/vs-fcgi /src/build/vs-admin build/
COPY --from=build /src/sql/ sql/
COPY nginx/ nginx/
COPY scripts/ scripts/

# Fail the build if a library the binaries link against is missing from this stage.
RUN ! ldd build/vs-fcgi build/vs-admin | grep -F 'not found'

ENV VS_BUILD_DIR=/opt/virtualstack/build \
	VS_SQL_DIR=/opt/virtualstack/sql

EXPOSE 8443
ENTRYPOINT ["/usr/bin/tini", "--"]
