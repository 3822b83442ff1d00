#!/usr/bin/python3
"""A real HTTPS webhook receiver for the webhook tests: Python's standard library only.

    /usr/bin/python3 receiver.py DIR

Serves HTTPS (HTTP/1.1, keep-alive) on 127.0.0.1 on a port the kernel picks, with
DIR/cert.pem and DIR/key.pem: made with the openssl command (P-256, for 127.0.0.1 and
localhost, self-signed, so DIR/cert.pem is the client's CA file) unless both are there
already. Once it accepts connections it writes that port to DIR/port (atomically).

Every request, any method and path, becomes DIR/req-N.json (N = 1, 2, … in arrival order;
each written whole under a temporary name and renamed, and in the order of N, so a reader
that finds req-N knows req-1 … req-(N-1) are there too):

  {"n", "method", "path" (the request target as sent, query included),
   "headers": {lower-cased name: value; repeated fields joined with ", "},
   "body" (UTF-8, errors replaced), "body_b64" (the exact bytes),
   "received_at" (time.time() when the request line was read), "status" (the answer)}

The record is written before the answer (before its delay), so a test sees a request that
the client gave up waiting for.

Answers on demand: DIR/control, read at each request, is JSON

  {"default": RULE, "paths": {"/a": RULE, ...}}

with RULE = {"status": int (204 when absent), "delay_ms": int (sleep before answering),
"location": str (a Location header, for 3xx), "body_bytes": int (a body of that many 'x'),
"count": int}. A request takes the rule of its target in "paths" (the target with its
query, else without), else "default", else 204. A rule with a count applies to the next
count requests of that path only; after them the path falls back to "default" (a
"default" with a count: per path, then 204). Counts are kept in memory per path and per
rule text: writing a rule anew with other text (another field, or a "gen" the C helpers
bump) starts its count again, while rules left as they were keep theirs when other paths'
rules change. No control file: every request is answered 204 and the counts are dropped.

Errors go to stderr; nothing else is logged. Runs until SIGTERM or SIGINT.
"""

import base64
import http.server
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

IDLE_TIMEOUT_S = 60  # a kept-alive connection the client forgot
CHUNK = 65536


def write_atomically(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def log(fmt, *args):
    sys.stderr.write("receiver: " + (fmt % args) + "\n")
    sys.stderr.flush()


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    if not (os.path.exists(cert) and os.path.exists(key)):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec",
             "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", key, "-out", cert],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


class Recorder:
    """The numbering, the control file's rules and their counts, under one lock: the
    rule a request gets and its number both follow arrival order."""

    def __init__(self, directory):
        self.directory = directory
        self.control_path = os.path.join(directory, "control")
        self.lock = threading.Lock()
        self.n = 0
        self.counts = {}  # (path, which, rule text) -> requests answered by that rule
        self.bad_control = None  # the text last logged as unreadable, to log it once

    def read_control(self):
        try:
            with open(self.control_path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return None
        except OSError as e:
            log("cannot read %s: %s", self.control_path, e)
            return None
        try:
            control = json.loads(text)
            if not isinstance(control, dict):
                raise ValueError("not an object")
            return control
        except ValueError as e:
            if text != self.bad_control:
                self.bad_control = text
                log("%s is no JSON object (%s); answering 204", self.control_path, e)
            return None

    def choose(self, control, target):
        """The rule for target (a dict), counting it; called under the lock."""
        if control is None:
            self.counts.clear()
            return {}
        path = target.partition("?")[0]
        paths = control.get("paths") if isinstance(control.get("paths"), dict) else {}
        candidates = []
        for key in (target, path):
            if key in paths:
                candidates.append((key, "path", paths[key]))
                break
        candidates.append((path, "default", control.get("default")))
        for key, which, rule in candidates:
            if not isinstance(rule, dict):
                continue
            count = rule.get("count")
            if isinstance(count, int) and not isinstance(count, bool):
                k = (key, which, json.dumps(rule, sort_keys=True))
                used = self.counts.get(k, 0)
                if used >= count:
                    continue
                self.counts[k] = used + 1
            return rule
        return {}

    def record(self, entry, target):
        """Chooses the rule, numbers the request and writes its file; the rule."""
        control = self.read_control()
        with self.lock:
            rule = self.choose(control, target)
            status = rule.get("status", 204)
            if not isinstance(status, int) or not 100 <= status <= 999:
                log("status %r in %s is no HTTP status; answering 500", status,
                    self.control_path)
                status = 500
            self.n += 1
            entry["n"] = self.n
            entry["status"] = status
            # Under the lock, so that the files appear in the order of their numbers.
            try:
                write_atomically(os.path.join(self.directory, "req-%d.json" % self.n),
                                 json.dumps(entry).encode())
            except OSError as e:
                log("cannot record request %d: %s", self.n, e)
        return rule, status


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer is framed
    timeout = IDLE_TIMEOUT_S

    def version_string(self):
        return "vs-test-webhook-receiver"

    def __getattr__(self, name):
        # Any method at all: do_GET, do_POST, do_PURGE, …
        if name.startswith("do_"):
            return self.answer
        raise AttributeError(name)

    def log_message(self, fmt, *args):
        pass

    def log_error(self, fmt, *args):
        # A kept-alive connection left idle times out: the client's choice, no error.
        if not fmt.startswith("Request timed out"):
            log("%s: " + fmt, self.client_address[0], *args)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size_line = self.rfile.readline(1024)
                if not size_line:
                    raise ConnectionError("the chunked body ended early")
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass  # trailer fields
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(8)  # the chunk's CRLF
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) != length:
            raise ConnectionError("the body ended early")
        return body

    def answer(self):
        received_at = time.time()
        try:
            body = self.read_body()
        except (ConnectionError, ValueError, OSError) as e:
            # Not a request (not all of it came): nothing to record, nothing to answer.
            log("%s %s from %s: %s", self.command, self.path, self.client_address[0], e)
            self.close_connection = True
            return
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = headers[name] + ", " + value if name in headers else value
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": headers,
            "body": body.decode("utf-8", errors="replace"),
            "body_b64": base64.b64encode(body).decode("ascii"),
            "received_at": received_at,
        }
        rule, status = self.server.recorder.record(entry, self.path)

        delay = rule.get("delay_ms")
        if isinstance(delay, (int, float)) and delay > 0:
            time.sleep(delay / 1000.0)
        size = rule.get("body_bytes")
        size = size if isinstance(size, int) and size > 0 else 0
        # 1xx, 204 and 304 have no body by definition (RFC 9110 §6.4.1) and must not carry
        # Content-Length; every other answer frames itself with one, 0 included.
        bodiless = status < 200 or status in (204, 304)
        try:
            self.send_response(status)
            if isinstance(rule.get("location"), str):
                self.send_header("Location", rule["location"])
            if not bodiless:
                self.send_header("Content-Length", str(size))
                if size:
                    self.send_header("Content-Type", "text/plain")
            self.end_headers()
            if not bodiless and self.command != "HEAD":
                block = b"x" * min(size, CHUNK)
                left = size
                while left > 0:
                    self.wfile.write(block[:left])
                    left -= len(block)
            self.wfile.flush()
        except (ConnectionError, socket.timeout, ssl.SSLError):
            # The client gave up (its timeout, a size limit): its business, not an error.
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a connection the client keeps open must not hold up a stop
    request_queue_size = 128

    def __init__(self, directory, ctx):
        self.recorder = Recorder(directory)
        self.ctx = ctx
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address):
        # The handshake in the connection's own thread, not in accept's: a slow or failing
        # client must not hold up the others.
        request.settimeout(IDLE_TIMEOUT_S)
        try:
            conn = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("TLS handshake with %s:%d failed: %s", client_address[0], client_address[1], e)
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if isinstance(e, (ConnectionError, socket.timeout, ssl.SSLError)):
            return  # a client that went away mid-request
        super().handle_error(request, client_address)  # a traceback on stderr


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: receiver.py DIR\n")
        return 2
    directory = sys.argv[1]
    ctx = make_certificate(directory)
    server = Server(directory, ctx)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # serve_forever in a thread: shutdown() waits for it, so it cannot be called from the
    # thread that serves (a signal handler runs there).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.start()
    write_atomically(os.path.join(directory, "port"), b"%d\n" % server.server_address[1])
    while not stop.wait(0.1):
        if not thread.is_alive():
            log("the server loop ended by itself")
            return 1
    server.shutdown()
    thread.join()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
