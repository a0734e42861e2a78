#!/usr/bin/env python3
"""A loopback HTTP/1.1 keep-alive server that stalls exactly once.

Every request is answered at once, except during the stall window [first request + --stall-after,
+ --stall-for): requests arriving or in progress then are held until the window ends. Used to
prove coordinated-omission correction. Prints the chosen port on stdout, then serves until killed.
Binds 127.0.0.1 only.
"""
import argparse
import http.server
import socketserver
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--stall-after", type=float, default=2.0)
parser.add_argument("--stall-for", type=float, default=1.0)
args = parser.parse_args()

lock = threading.Lock()
first_request = [None]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle + delayed ACK add 40 ms.
    disable_nagle_algorithm = True

    def do_GET(self):
        now = time.monotonic()
        with lock:
            if first_request[0] is None:
                first_request[0] = now
            start = first_request[0] + args.stall_after
        end = start + args.stall_for
        if start <= now < end:
            time.sleep(end - now)
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", args.port), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
