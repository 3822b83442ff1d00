#!/usr/bin/python3
"""The fault suite's load: one scenario's bounded write load, its ledger and its verdict.

    load.py --name NAME --out DIR [--jobs] [--allow 502:2] ...   (tests/fault/run starts it)

Logs in as the stack's admin (VS_URL, VS_ADMIN_EMAIL, VS_ADMIN_PASSWORD, the state dir's
tls/cert.pem), makes a GLOBAL API key, writes DIR/ready, and then runs until it is done:

  writers   --writers threads, each at most --rate requests/s: POST /api/v1/roles with a
            unique name. Every acknowledged (2xx) write goes to DIR/ledger (id, name).
  checkers  --checkers threads: GET /api/v1/auth/check with the key (expect 204).
  jobs      with --jobs, one thread enqueues testing.record jobs through psql as the
            database owner (a job is acknowledged when its COMMIT returned); the runners
            append each run to --runs-file.

SIGUSR1 says "the fault is injected now", SIGUSR2 "the fault is cleared now" (a
scenario whose fault clears by itself gets both at once). From the clear on, the first
write sent after it and acknowledged is the recovery; the load goes on for --after
seconds more, then stops. Then: every acknowledged role must be in the database (0
lost), every acknowledged job must have succeeded and have run, both pools must serve
again (a database session for every worker: pg_stat_activity, nudged with requests),
and every status seen must be documented: 2xx, 4xx, 503 with Retry-After, and what
--allow adds (502:N: at most N 502s, the requests in flight on killed workers). A
request that gets no answer (refused, reset, a timeout) is a failure; one that finds
its kept-alive connection closed before any answer is sent again on a new connection
(as every HTTP client does; RFC 9112 section 9.3.1) and counted as "reconnects".

Writes DIR/result.json and prints one table row; exits 1 when the scenario failed (the
reasons on stderr).

Python's standard library only: http.client over ssl, threads, and the psql client the
stack's PostgreSQL ships (VS_PG_BIN). The load is bounded (a few threads, a rate cap)
and each request blocks its thread, so the GIL costs nothing here, and no build step or
extra package is needed.
"""

import argparse
import http.client
import json
import os
import random
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import zlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
REQUEST_TIMEOUT = 15.0


def now():
    return time.monotonic()


class Client:
    """One kept-alive HTTPS connection to nginx."""

    def __init__(self, url, cacert):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.ctx = ssl.create_default_context(cafile=cacert)
        self.conn = None
        self.used = False
        self.reconnects = 0

    def _open(self):
        self.close()
        self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                                timeout=REQUEST_TIMEOUT)
        self.used = False

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, headers dict, body bytes) or (error text, {}, b'')."""
        hdrs = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self._open()
            reused = self.used
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                r = self.conn.getresponse()
                payload = r.read()
                self.used = True
                h = {k.lower(): v for k, v in r.getheaders()}
                if h.get("connection", "").lower() == "close":
                    self.close()
                return r.status, h, payload
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError, ssl.SSLEOFError, ssl.SSLZeroReturnError) as e:
                self.close()
                # the server closed a kept-alive connection before this request reached
                # it (nginx closes idle ones when a generation of workers stops, over TLS
                # without a close_notify: an EOF): send it again on a fresh one, once
                if reused and attempt == 0:
                    self.reconnects += 1
                    continue
                return "conn:" + type(e).__name__, {}, b""
            except (TimeoutError, ssl.SSLError, OSError, http.client.HTTPException) as e:
                self.close()
                return "conn:" + type(e).__name__, {}, b""
        return "conn:retry", {}, b""


def random_key():
    """A well-formed API key nobody has: its check must ask the database."""
    body = "vsak_" + "".join(random.choice(BASE62) for _ in range(12 + 22))
    crc = zlib.crc32(body.encode()) & 0xFFFFFFFF
    tail = []
    for _ in range(6):
        tail.append(BASE62[crc % 62])
        crc //= 62
    return body + "".join(reversed(tail))


class Psql:
    """The stack's psql as the database owner."""

    def __init__(self, pg_bin, url):
        self.argv = [os.path.join(pg_bin, "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                     "-d", url]

    def run(self, sql, timeout=30):
        """Lines of output, or None on failure."""
        try:
            p = subprocess.run(self.argv + ["-f", "-"], input=sql, capture_output=True,
                               text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        if p.returncode != 0:
            sys.stderr.write("psql: " + p.stderr)
            return None
        return p.stdout.splitlines()

    def platform(self, sql, timeout=30):
        """sql in the platform scope (RLS is forced on the owner too)."""
        return self.run("BEGIN;\nSELECT iam.enter_scope(NULL, NULL, true) \\g /dev/null\n" +
                        sql + "\nCOMMIT;\n", timeout)


class Load:
    def __init__(self, a):
        self.a = a
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.hist = {}           # (kind, status) -> count
        self.bad = []            # reasons the scenario failed
        self.ledger = []         # acknowledged role ids
        self.jobs = []           # acknowledged job ids
        self.jobs_during = 0     # of those, enqueued between inject and clear
        self.t_inject = None
        self.t_clear = None
        self.t_recovered = None
        self.first_fault = None  # first non-2xx answer after the inject
        self.in_fault = 0        # requests answered between inject and recovery
        self.max_latency = 0.0
        self.no_retry_after = 0
        self.reconnects = 0
        self.seq = 0
        psql_url = os.environ["VS_OWNER_DATABASE_URL"]
        self.psql = Psql(os.environ["VS_PG_BIN"], psql_url)
        self.url = os.environ["VS_URL"]
        self.cacert = os.path.join(os.environ["VS_STATE_DIR"], "tls", "cert.pem")

    # ---- bookkeeping

    def note(self, kind, status, headers, t0, t1):
        with self.lock:
            key = (kind, status)
            self.hist[key] = self.hist.get(key, 0) + 1
            self.max_latency = max(self.max_latency, t1 - t0)
            ok = isinstance(status, int) and 200 <= status < 300
            if self.t_inject is not None and self.t_recovered is None:
                self.in_fault += 1
                if not ok and self.first_fault is None:
                    self.first_fault = t1 - self.t_inject
            if status == 503 and "retry-after" not in headers:
                self.no_retry_after += 1
            if (kind == "write" and ok and self.t_clear is not None and
                    self.t_recovered is None and t0 >= self.t_clear):
                self.t_recovered = t1

    def next_name(self, who):
        with self.lock:
            self.seq += 1
            return "fault-%s-%s-%d-%d" % (self.a.name, who, os.getpid(), self.seq)

    # ---- setup

    def login(self):
        c = Client(self.url, self.cacert)
        st, _, body = c.request("POST", "/api/v1/auth/login",
                                {"email": os.environ["VS_ADMIN_EMAIL"],
                                 "password": os.environ["VS_ADMIN_PASSWORD"]})
        if st != 200:
            raise SystemExit("load: login answered %s: %r" % (st, body[:200]))
        self.token = json.loads(body)["access_token"]
        self.auth = {"Authorization": "Bearer " + self.token}
        st, _, body = c.request("POST", "/api/v1/api-keys",
                                {"name": "fault-" + self.a.name, "scope": "GLOBAL"}, self.auth)
        if st != 201:
            raise SystemExit("load: creating an API key answered %s: %r" % (st, body[:200]))
        doc = json.loads(body)
        self.key = doc.get("key") or doc.get("api_key")
        self.key_id = doc["id"]
        c.close()

    # ---- the load threads

    def pace(self, t0):
        left = 1.0 / self.a.rate - (now() - t0)
        if left > 0:
            self.stop.wait(left)

    def writer(self, i):
        c = Client(self.url, self.cacert)
        while not self.stop.is_set():
            t0 = now()
            name = self.next_name("w%d" % i)
            st, h, body = c.request("POST", "/api/v1/roles", {"name": name}, self.auth)
            t1 = now()
            if isinstance(st, int) and 200 <= st < 300:
                try:
                    rid = json.loads(body)["id"]
                except (ValueError, KeyError):
                    rid = None
                with self.lock:
                    if rid:
                        self.ledger.append(rid)
                    else:
                        self.bad.append("a %d to a write without the role's id" % st)
            self.note("write", st, h, t0, t1)
            self.pace(t0)
        with self.lock:
            self.reconnects += c.reconnects
        c.close()

    def checker(self, i):
        c = Client(self.url, self.cacert)
        hdrs = {"X-API-Key": self.key, "X-Original-URI": "/", "X-Original-Method": "GET"}
        while not self.stop.is_set():
            t0 = now()
            st, h, _ = c.request("GET", "/api/v1/auth/check", None, hdrs)
            self.note("check", st, h, t0, now())
            self.pace(t0)
        with self.lock:
            self.reconnects += c.reconnects
        c.close()

    def enqueuer(self):
        """testing.record jobs, each acknowledged once its COMMIT returned."""
        proc = None
        n = 0
        while not self.stop.is_set():
            if proc is None:
                proc = subprocess.Popen(self.psql.argv, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, bufsize=1)
            t0 = now()
            n += 1
            payload = json.dumps({"file": self.a.runs_file, "n": n})
            try:
                proc.stdin.write(
                    "BEGIN;\nSELECT iam.enter_scope(NULL, NULL, true) \\g /dev/null\n"
                    "INSERT INTO jobs.jobs (kind, payload, max_attempts) VALUES "
                    "('testing.record', '%s'::jsonb, 10) RETURNING id;\nCOMMIT;\n"
                    "\\echo committed\n" % payload)
                proc.stdin.flush()
                jid = proc.stdout.readline().strip()
                done = proc.stdout.readline().strip()
            except (BrokenPipeError, OSError):
                jid = done = ""
            if done == "committed" and jid:
                with self.lock:
                    self.jobs.append(jid)
                    if self.t_inject is not None and t0 >= self.t_inject and (
                            self.t_clear is None or t0 < self.t_clear):
                        self.jobs_during += 1
            else:
                proc.kill()
                proc.wait()
                proc = None
                self.stop.wait(0.2)
            self.pace(t0)
        if proc is not None:
            proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # ---- after the load

    def lost_roles(self):
        if not self.ledger:
            return []
        ids = ",".join(self.ledger)
        out = self.psql.platform(
            "SELECT 'lost:' || a.id FROM unnest('{%s}'::uuid[]) AS a(id) "
            "LEFT JOIN iam.roles r ON r.id = a.id WHERE r.id IS NULL;" % ids)
        if out is None:
            self.bad.append("could not read the roles back from the database")
            return []
        return [line[5:] for line in out if line.startswith("lost:")]

    def job_states(self):
        ids = ",".join(self.jobs)
        out = self.psql.platform(
            "SELECT 's:' || a.id || ' ' || coalesce(j.status::text, 'missing') "
            "FROM unnest('{%s}'::uuid[]) AS a(id) LEFT JOIN jobs.jobs j ON j.id = a.id;" % ids)
        if out is None:
            return None
        return dict(line[2:].split(" ", 1) for line in out if line.startswith("s:"))

    def jobs_verdict(self):
        """(lost, drain seconds after the clear)."""
        if not self.jobs:
            self.bad.append("no job was acknowledged")
            return [], None
        deadline = now() + self.a.jobs_wait
        states = None
        while now() < deadline:
            states = self.job_states()
            if states is not None and all(s in ("succeeded", "failed", "cancelled", "missing")
                                          for s in states.values()):
                break
            time.sleep(0.1)
        drained = now() - self.t_clear if self.t_clear else None
        if states is None:
            self.bad.append("could not read the jobs back from the database")
            return [], drained
        lost = [j for j, s in states.items() if s != "succeeded"]
        try:
            with open(self.a.runs_file) as f:
                ran = {line.split()[0] for line in f if line.strip()}
        except OSError:
            ran = set()
        lost += [j for j in self.jobs if j not in ran and j not in lost]
        unfinished = [j for j, s in states.items() if s in ("queued", "running")]
        if unfinished:
            self.bad.append("%d acknowledged jobs still unfinished %.0f s after the clear" %
                            (len(unfinished), self.a.jobs_wait))
        return lost, drained

    def serving(self):
        """Both pools serve again: a database session for each worker, then runs of
        requests and checks that succeed."""
        want = self.a.workers + self.a.check_workers
        deadline = now() + 20
        have = -1
        while now() < deadline:
            out = self.psql.run("SELECT count(*) FROM pg_stat_activity WHERE "
                                "application_name = 'vs-fcgi';", timeout=5)
            have = int(out[0]) if out else -1
            if have == want:
                break
            self.nudge()
            time.sleep(0.1)
        if have != want:
            self.bad.append("%d database sessions of the workers after the fault, not %d" %
                            (have, want))
            return False
        c = Client(self.url, self.cacert)
        for _ in range(3 * self.a.workers):
            st, _, _ = c.request("GET", "/api/v1/users/me", None, self.auth)
            if st != 200:
                self.bad.append("the API pool is not serving: /users/me answered %s" % st)
                return False
        hdrs = {"X-API-Key": self.key, "X-Original-URI": "/", "X-Original-Method": "GET"}
        for _ in range(3 * self.a.check_workers):
            st, _, _ = c.request("GET", "/api/v1/auth/check", None, hdrs)
            if st != 204:
                self.bad.append("the check pool is not serving: a check answered %s" % st)
                return False
        c.request("DELETE", "/api/v1/api-keys/" + self.key_id, None, self.auth)
        c.close()
        return True

    def nudge(self):
        """Concurrent requests reach every worker: a worker notices a dead connection
        only when a request uses it."""
        def one(kind):
            c = Client(self.url, self.cacert)
            if kind == "api":
                c.request("GET", "/api/v1/users/me", None, self.auth)
            else:
                c.request("GET", "/api/v1/auth/check", None,
                          {"X-API-Key": random_key(), "X-Original-URI": "/",
                           "X-Original-Method": "GET"})
            c.close()
        ts = [threading.Thread(target=one, args=("api",)) for _ in range(2 * self.a.workers)]
        ts += [threading.Thread(target=one, args=("check",))
               for _ in range(2 * self.a.check_workers)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    # ---- the verdict

    def judge(self):
        allow_502 = 0
        for a in self.a.allow.split(","):
            if a.startswith("502:"):
                allow_502 = int(a[4:])
        n502 = 0
        for (kind, st), n in sorted(self.hist.items(), key=lambda kv: str(kv[0])):
            if isinstance(st, int) and (200 <= st < 300 or 400 <= st < 500 or st == 503):
                continue
            if st == 502:
                n502 += n
                continue
            self.bad.append("%d %s requests answered %s" % (n, kind, st))
        if n502 > allow_502:
            self.bad.append("%d 502s; allowed: %d (the requests in flight on killed workers)"
                            % (n502, allow_502))
        if self.no_retry_after:
            self.bad.append("%d 503s without Retry-After" % self.no_retry_after)
        if self.t_recovered is None:
            self.bad.append("no write succeeded within %.0f s of the clear" % self.a.max_recovery)
        if self.max_latency > self.a.max_latency:
            self.bad.append("a request took %.1f s (the bound is %.1f s): a hang" %
                            (self.max_latency, self.a.max_latency))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--writers", type=int, default=4)
    p.add_argument("--checkers", type=int, default=2)
    p.add_argument("--rate", type=float, default=40.0, help="requests/s per thread, at most")
    p.add_argument("--jobs", action="store_true")
    p.add_argument("--runs-file", default="")
    p.add_argument("--jobs-wait", type=float, default=30.0)
    p.add_argument("--allow", default="-")
    p.add_argument("--after", type=float, default=1.0)
    p.add_argument("--max-recovery", type=float, default=30.0)
    p.add_argument("--max-latency", type=float, default=10.0)
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--check-workers", type=int, required=True)
    a = p.parse_args()

    ld = Load(a)
    ld.login()

    def on_inject(*_):
        with ld.lock:
            ld.t_inject = now()

    def on_clear(*_):
        with ld.lock:
            if ld.t_inject is None:
                ld.t_inject = now()
            ld.t_clear = now()

    signal.signal(signal.SIGUSR1, on_inject)
    signal.signal(signal.SIGUSR2, on_clear)
    signal.signal(signal.SIGTERM, lambda *_: ld.stop.set())

    threads = [threading.Thread(target=ld.writer, args=(i,)) for i in range(a.writers)]
    threads += [threading.Thread(target=ld.checker, args=(i,)) for i in range(a.checkers)]
    if a.jobs:
        threads.append(threading.Thread(target=ld.enqueuer))
    for t in threads:
        t.start()
    with open(os.path.join(a.out, "ready"), "w") as f:
        f.write("%d\n" % os.getpid())

    # until recovery and --after more, or the recovery's deadline
    while not ld.stop.is_set():
        time.sleep(0.05)
        with ld.lock:
            tc, tr = ld.t_clear, ld.t_recovered
        if tr is not None and now() >= tr + a.after:
            break
        if tc is not None and tr is None and now() >= tc + a.max_recovery:
            break
    ld.stop.set()
    for t in threads:
        t.join()

    ld.judge()
    lost = ld.lost_roles()
    jobs_lost, drained = ([], None)
    if a.jobs:
        jobs_lost, drained = ld.jobs_verdict()
        if a.name.find("freeze") >= 0 and ld.jobs_during == 0:
            ld.bad.append("no job was enqueued during the fault")
    if lost:
        ld.bad.append("%d acknowledged writes lost: %s" % (len(lost), " ".join(lost[:5])))
    if jobs_lost:
        ld.bad.append("%d acknowledged jobs lost: %s" % (len(jobs_lost), " ".join(jobs_lost[:5])))
    ld.serving()

    statuses = {}
    for (kind, st), n in ld.hist.items():
        statuses[str(st)] = statuses.get(str(st), 0) + n
    seen = " ".join("%s:%d" % (k, statuses[k]) for k in sorted(statuses))
    if ld.reconnects:
        seen += " reconnects:%d" % ld.reconnects
    rec_ms = None if ld.t_recovered is None else max(0, int((ld.t_recovered - ld.t_clear) * 1000))
    result = {
        "name": a.name,
        "acked": len(ld.ledger) + len(ld.jobs),
        "acked_writes": len(ld.ledger),
        "acked_jobs": len(ld.jobs),
        "jobs_during_fault": ld.jobs_during,
        "lost": len(lost) + len(jobs_lost),
        "statuses": seen,
        "recovery_ms": rec_ms,
        "first_fault_ms": None if ld.first_fault is None else int(ld.first_fault * 1000),
        "jobs_drained_ms": None if drained is None else int(drained * 1000),
        "max_latency_ms": int(ld.max_latency * 1000),
        "failures": ld.bad,
    }
    with open(os.path.join(a.out, "result.json"), "w") as f:
        json.dump(result, f)
    for b in ld.bad:
        sys.stderr.write("load: %s: %s\n" % (a.name, b))
    return 1 if ld.bad else 0


if __name__ == "__main__":
    sys.exit(main())
