#!/usr/bin/env python3
"""A loopback HTTP/1.1 keep-alive server that appends every request's path to --log (one line
each) and answers 200 {"status":"ok"}. Used to prove that sharded runs number ${vu} and
${iteration} uniquely across shards. Prints the chosen port on stdout. Binds 127.0.0.1 only."""
import argparse
import threading

from loopback_http import Handler as Base, serve

parser = argparse.ArgumentParser()
parser.add_argument("--log", required=True)
args = parser.parse_args()

lock = threading.Lock()
log = open(args.log, "a", buffering=1, encoding="utf-8")


class Handler(Base):
    def do_GET(self):
        with lock:
            log.write(self.path + "\n")
        self.reply(200, b'{"status":"ok"}')


serve(Handler)
