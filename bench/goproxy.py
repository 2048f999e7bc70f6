#!/usr/bin/env python3
"""A caching, counting Go module proxy for the benchmark, on loopback.

Every contender's `go` fetches modules through it (GOPROXY=http://ADDR), so
1. downloads come from a local cache after the first fetch, as from a
   module proxy on the LAN: timings do not depend on the internet's mood;
2. it counts what each build fetched: GET /_stats answers
   {"zip": N, "mod": N, "info": N, "other": N} since the last GET /_reset,
   which is how the "fresh CI runner" scenario proves that a build
   downloaded no module.

Immutable files (`@v/<version>.info|.mod|.zip`) are cached under --cache;
lists and `@latest` go to the upstream proxy every time.

usage: goproxy.py --cache DIR [--listen 127.0.0.1] [--port 3130]
                  [--upstream https://proxy.golang.org] [--pid-file FILE]
"""
import argparse
import http.server
import ipaddress
import json
import os
import re
import sys
import threading
import urllib.error
import urllib.request

IMMUTABLE = re.compile(r"^/[^?#]+/@v/[^/]+\.(info|mod|zip)$")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cache", required=True)
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3130)
    p.add_argument("--upstream", default="https://proxy.golang.org")
    p.add_argument("--pid-file")
    args = p.parse_args(argv)
    if ipaddress.ip_address(args.listen) not in ipaddress.ip_network("127.0.0.0/8"):
        p.error("--listen: loopback (127.0.0.0/8) only")
    return args


def main(argv):
    args = parse_args(argv)
    cache = os.path.abspath(args.cache)
    lock = threading.Lock()
    stats = {"zip": 0, "mod": 0, "info": 0, "other": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *a):
            pass

        def reply(self, status, body, ctype="application/octet-stream"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/_stats":
                with lock:
                    return self.reply(200, json.dumps(stats).encode(), "application/json")
            if path == "/_reset":
                with lock:
                    for k in stats:
                        stats[k] = 0
                return self.reply(200, b"{}", "application/json")
            if "/../" in path or not path.startswith("/"):
                return self.reply(400, b"bad path\n", "text/plain")
            m = IMMUTABLE.match(path)
            with lock:
                stats[m.group(1) if m else "other"] += 1
            local = os.path.join(cache, path.lstrip("/")) if m else None
            if local and os.path.exists(local):
                with open(local, "rb") as f:
                    return self.reply(200, f.read())
            try:
                with urllib.request.urlopen(args.upstream + path, timeout=60) as r:
                    body = r.read()
            except urllib.error.HTTPError as e:
                return self.reply(e.code, e.read() or b"", "text/plain")
            except OSError as e:
                return self.reply(502, f"upstream: {e}\n".encode(), "text/plain")
            if local:
                os.makedirs(os.path.dirname(local), exist_ok=True)
                tmp = f"{local}.{os.getpid()}.{threading.get_ident()}"
                with open(tmp, "wb") as f:
                    f.write(body)
                os.replace(tmp, local)
            self.reply(200, body)

    server = http.server.ThreadingHTTPServer((args.listen, args.port), Handler)
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(str(os.getpid()))
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
