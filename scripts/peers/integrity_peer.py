#!/usr/bin/env python3
"""A loopback peer that misbehaves in one chosen way, for the gate-integrity tests:
  --mode hang        accept and read requests, never answer
  --mode status      answer every request with --status (e.g. 999) and a small JSON body
  --mode slow        answer after --delay-ms
  --mode body        answer 200 with a body of --bytes bytes ('x' repeated)
  --mode mixed       by the last path segment: 1 -> 503 echoing the Authorization header,
                     2 -> 404, 3 -> never answer, anything else -> 200 "ok"
Prints the chosen port on stdout, then serves until killed. Binds 127.0.0.1 only.
"""
import argparse
import time

from loopback_http import Handler as Base, serve

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--mode", choices=["hang", "status", "slow", "body", "mixed"], required=True)
parser.add_argument("--status", type=int, default=200)
parser.add_argument("--delay-ms", type=float, default=0)
parser.add_argument("--bytes", type=int, default=0)
args = parser.parse_args()


class Handler(Base):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if args.mode == "mixed":
            last = self.path.rstrip("/").rsplit("/", 1)[-1]
            if last == "1":
                self.reply(503, {"error": "overloaded", "auth": self.headers.get("Authorization", "")})
            elif last == "2":
                self.reply(404, {"error": "no such thing"})
            elif last == "3":
                time.sleep(3600)
            else:
                self.reply(200, {"status": "ok"})
        elif args.mode == "hang":
            time.sleep(3600)
        elif args.mode == "status":
            self.reply(args.status, {"status": args.status})
        elif args.mode == "slow":
            time.sleep(args.delay_ms / 1000)
            self.reply(200, {"status": "ok"})
        else:
            self.reply(200, b"x" * args.bytes)

    do_GET = answer
    do_POST = answer


serve(Handler, args.port)
