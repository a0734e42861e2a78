#!/usr/bin/env python3
"""A loopback HTTP/1.1 keep-alive server that stalls exactly once.

Every request is answered at once, except during the stall window [first request + --stall-after,
+ --stall-for): requests arriving or in progress then are held until the window ends. Used to
prove coordinated-omission correction. Prints the chosen port on stdout, then serves until killed.
Binds 127.0.0.1 only.
"""
import argparse
import threading
import time

from loopback_http import Handler as Base, serve

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--stall-after", type=float, default=2.0)
parser.add_argument("--stall-for", type=float, default=1.0)
args = parser.parse_args()

lock = threading.Lock()
first_request = [None]


class Handler(Base):
    def do_GET(self):
        now = time.monotonic()
        with lock:
            if first_request[0] is None:
                first_request[0] = now
            start = first_request[0] + args.stall_after
        end = start + args.stall_for
        if start <= now < end:
            time.sleep(end - now)
        self.reply(200, b'{"status":"ok"}')


serve(Handler, args.port)
