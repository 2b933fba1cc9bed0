#!/usr/bin/env python3
"""Tiny demo app for the Switchboard lab (stdlib only).

    app_server.py --port 8001 --version v1

Endpoints
  GET /            (any other path too) 200 "hello from <version>\n", or 503 when
                   fault injection says so; optional added latency first.
  GET /health      200 "ok" (never delayed), or 503 "unhealthy" while health=0.
  GET /metrics     Prometheus text format:
                     app_requests_total{version,code}                      counter
                     app_request_duration_seconds_bucket{version,le} / _sum / _count
  GET|POST /admin?error=0.1&latency_ms=200&health=0
                   sets the failing fraction (0..1), added latency (ms) and whether
                   /health passes (1) or fails (0, so a load balancer's health check
                   takes the server out); each parameter is optional. Parameters may
                   also come in a POST body (application/x-www-form-urlencoded or JSON
                   object). Answers the current settings as JSON:
                   {"version","error","latency_ms","health"}.

Requests to /health, /metrics and /admin are not counted.
Errors are deterministic in aggregate: request i (1-based) fails when
floor(i*error) > floor((i-1)*error), so error=0.1 fails exactly every 10th request.
"""

import argparse
import json
import math
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class State:
    def __init__(self, version):
        self.version = version
        self.lock = threading.Lock()
        self.error = 0.0
        self.latency_ms = 0.0
        self.healthy = True
        self.seq = 0  # requests seen since the last error-rate change
        self.requests = {}  # code (str) -> count
        self.bucket_counts = [0] * len(BUCKETS)  # non-cumulative
        self.dur_sum = 0.0
        self.dur_count = 0

    def decide(self):
        """Returns (fail, latency_seconds) for the next counted request."""
        with self.lock:
            self.seq += 1
            i, e = self.seq, self.error
            fail = e > 0 and math.floor(i * e + 1e-9) > math.floor((i - 1) * e + 1e-9)
            return fail, self.latency_ms / 1000.0

    def observe(self, code, seconds):
        with self.lock:
            key = str(code)
            self.requests[key] = self.requests.get(key, 0) + 1
            for idx, le in enumerate(BUCKETS):
                if seconds <= le:
                    self.bucket_counts[idx] += 1
                    break
            self.dur_sum += seconds
            self.dur_count += 1

    def settings(self):
        with self.lock:
            return {"version": self.version, "error": self.error, "latency_ms": self.latency_ms,
                    "health": 1 if self.healthy else 0}

    def is_healthy(self):
        with self.lock:
            return self.healthy

    def update(self, error=None, latency_ms=None, healthy=None):
        with self.lock:
            if healthy is not None:
                self.healthy = healthy
            if error is not None:
                self.error = error
                self.seq = 0
            if latency_ms is not None:
                self.latency_ms = latency_ms

    def metrics_text(self):
        with self.lock:
            requests = dict(self.requests)
            counts = list(self.bucket_counts)
            dsum, dcount = self.dur_sum, self.dur_count
        v = self.version
        out = [
            "# HELP app_requests_total Requests answered by the app, by status code.",
            "# TYPE app_requests_total counter",
        ]
        for code in sorted(requests):
            out.append('app_requests_total{version="%s",code="%s"} %d' % (v, code, requests[code]))
        out += [
            "# HELP app_request_duration_seconds Time to answer a request, injected latency included.",
            "# TYPE app_request_duration_seconds histogram",
        ]
        cum = 0
        for le, c in zip(BUCKETS, counts):
            cum += c
            out.append('app_request_duration_seconds_bucket{version="%s",le="%s"} %d' % (v, _fmt(le), cum))
        out.append('app_request_duration_seconds_bucket{version="%s",le="+Inf"} %d' % (v, dcount))
        out.append('app_request_duration_seconds_sum{version="%s"} %.9f' % (v, dsum))
        out.append('app_request_duration_seconds_count{version="%s"} %d' % (v, dcount))
        return "\n".join(out) + "\n"


def _fmt(x):
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


def _parse_float(value, name, lo, hi):
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number, got %r" % (name, value))
    if not (lo <= f <= hi) or math.isnan(f):
        raise ValueError("%s must be between %g and %g, got %r" % (name, lo, hi, value))
    return f


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "switchboard-lab-app"
    sys_version = ""
    state = None  # set in main()
    timeout = 120  # seconds an idle keep-alive connection may hold a thread

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):  # quiet: no per-request lines
        pass

    def _send(self, code, body, ctype="text/plain; charset=utf-8"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _drain_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _route(self):
        body = self._drain_body()
        url = urlsplit(self.path)
        path = url.path
        if path == "/health":
            if not self.state.is_healthy():
                return self._send(503, "unhealthy\n")
            return self._send(200, "ok\n")
        if path == "/metrics":
            return self._send(200, self.state.metrics_text(), "text/plain; version=0.0.4; charset=utf-8")
        if path == "/admin":
            return self._admin(url.query, body)
        return self._app()

    def _admin(self, query, body):
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        if body:
            text = body.decode("utf-8", "replace").strip()
            if text.startswith("{"):
                try:
                    params.update({k: str(v) for k, v in json.loads(text).items()})
                except (ValueError, AttributeError):
                    return self._send(400, json.dumps({"error": "bad JSON body"}) + "\n", "application/json")
            else:
                params.update({k: v[-1] for k, v in parse_qs(text).items()})
        try:
            error = _parse_float(params["error"], "error", 0.0, 1.0) if "error" in params else None
            latency = _parse_float(params["latency_ms"], "latency_ms", 0.0, 600000.0) if "latency_ms" in params else None
            healthy = None
            if "health" in params:
                if params["health"] not in ("0", "1"):
                    raise ValueError("health must be 0 or 1")
                healthy = params["health"] == "1"
        except ValueError as exc:
            return self._send(400, json.dumps({"error": str(exc)}) + "\n", "application/json")
        self.state.update(error, latency, healthy)
        return self._send(200, json.dumps(self.state.settings()) + "\n", "application/json")

    def _app(self):
        start = time.monotonic()
        fail, delay = self.state.decide()
        if delay > 0:
            time.sleep(delay)
        if fail:
            code, body = 503, "injected failure from %s\n" % self.state.version
        else:
            code, body = 200, "hello from %s\n" % self.state.version
        self._send(code, body)
        self.state.observe(code, time.monotonic() - start)

    do_GET = _route
    do_HEAD = _route
    do_POST = _route
    do_PUT = _route


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # HAProxy's health checks (and impatient clients) reset the connection once they have
        # read the status line: that is normal, not worth a traceback.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print("app_server: error while serving %s: %r" % (client_address, exc), file=sys.stderr, flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--version", required=True, help="version label, e.g. v1 or v2")
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args(argv)
    Handler.state = State(args.version)
    httpd = Server((args.host, args.port), Handler)
    print("app_server %s listening on http://%s:%d" % (args.version, args.host, args.port), flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
