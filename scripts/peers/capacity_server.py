#!/usr/bin/env python3
"""A loopback HTTP/1.1 keep-alive server of known capacity: at most --concurrency requests are
served at once, each taking --service-ms; the rest wait their turn. Capacity = C / T per second.
Used to prove `loadgate capacity` finds it. Prints the chosen port on stdout. Binds 127.0.0.1 only.
"""
import argparse
import http.server
import socketserver
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--concurrency", type=int, required=True)
parser.add_argument("--service-ms", type=float, required=True)
args = parser.parse_args()

slots = threading.BoundedSemaphore(args.concurrency)
service_seconds = args.service_ms / 1000.0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes

    def do_GET(self):
        with slots:
            deadline = time.monotonic() + service_seconds
            remaining = service_seconds
            while remaining > 0:
                time.sleep(remaining)
                remaining = deadline - time.monotonic()
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
    request_queue_size = 1024


server = Server(("127.0.0.1", args.port), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
