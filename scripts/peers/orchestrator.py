#!/usr/bin/env python3
"""A small loopback stand-in for the agent orchestrator's REST API (the platform's
`bmw-a2a-orchestrator`): POST /api/v1/workflows creates a workflow (202, {"id", "status"}),
GET /api/v1/workflows/{id} reports "running" until --complete-ms have passed, then "completed"
(or "failed" for workflow_type "fail"). With --stuck-first the first workflow submitted stays
"running" forever (a stuck job). Requests without X-User-ID get 401 (authentication is
required on the platform). Prints the port on stdout. Binds 127.0.0.1 only.
"""
import argparse
import json
import threading
import time
import uuid

from loopback_http import Handler as Base, serve

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--complete-ms", type=float, default=100)
parser.add_argument("--stuck-first", action="store_true")
args = parser.parse_args()

lock = threading.Lock()
workflows = {}


class Handler(Base):
    def authorized(self):
        if self.headers.get("X-User-ID"):
            return True
        self.reply(401, {"error": "authentication required"})
        return False

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self.authorized():
            return
        if self.path != "/api/v1/workflows":
            return self.reply(404, {"error": "not found"})
        try:
            request = json.loads(raw or b"{}")
        except ValueError:
            return self.reply(400, {"error": "invalid JSON"})
        workflow_id = str(uuid.uuid4())
        with lock:
            kind = "stuck" if args.stuck_first and not workflows else request.get("workflow_type")
            workflows[workflow_id] = (time.monotonic(), kind)
        self.reply(202, {"id": workflow_id, "status": "submitted"})

    def do_GET(self):
        if not self.authorized():
            return
        prefix = "/api/v1/workflows/"
        if not self.path.startswith(prefix):
            return self.reply(404, {"error": "not found"})
        workflow_id = self.path[len(prefix):]
        with lock:
            entry = workflows.get(workflow_id)
        if entry is None:
            return self.reply(404, {"error": "unknown workflow"})
        created, kind = entry
        if kind == "stuck" or time.monotonic() - created < args.complete_ms / 1000:
            return self.reply(200, {"id": workflow_id, "status": "running"})
        self.reply(200, {"id": workflow_id, "status": "failed" if kind == "fail" else "completed"})


serve(Handler, args.port)
