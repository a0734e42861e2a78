#!/usr/bin/env python3
"""A loopback HTTP/1.1 keep-alive server of known capacity: at most --concurrency requests are
served at once, each taking --service-ms; the rest wait their turn. Capacity = C / T per second.
Used to prove `loadgate capacity` finds it. Prints the chosen port on stdout. Binds 127.0.0.1 only.
"""
import argparse
import threading
import time

from loopback_http import Handler as Base, serve

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--concurrency", type=int, required=True)
parser.add_argument("--service-ms", type=float, required=True)
args = parser.parse_args()

slots = threading.BoundedSemaphore(args.concurrency)
service_seconds = args.service_ms / 1000.0


class Handler(Base):
    def do_GET(self):
        with slots:
            deadline = time.monotonic() + service_seconds
            remaining = service_seconds
            while remaining > 0:
                time.sleep(remaining)
                remaining = deadline - time.monotonic()
        self.reply(200, b'{"status":"ok"}')


serve(Handler, args.port)
