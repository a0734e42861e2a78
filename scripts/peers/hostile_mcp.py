#!/usr/bin/env python3
"""A minimal stateful MCP server (Streamable HTTP, JSON replies) whose DELETE never answers: the
peer for "shutdown work is bounded" tests. initialize hands out a session id, every tools/call
answers at once, DELETE /mcp holds the connection open for --delete-hang seconds. GET /stats
says how many DELETEs arrived. A tools/call of the tool "sse" with {"events": [N, ...]} answers as
an SSE stream: one log notification event of about N bytes per entry, then the reply event (for
the per-event size limit). Prints its port on stdout; binds 127.0.0.1 only.
"""
import argparse
import json
import threading
import time
import uuid

from loopback_http import Handler as Base, serve

parser = argparse.ArgumentParser()
parser.add_argument("--delete-hang", type=float, default=3600.0)
args = parser.parse_args()
lock = threading.Lock()
stats = {"deletes": 0, "sessions": 0}


class Handler(Base):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        message = json.loads(self.rfile.read(length) or b"{}")
        if "id" not in message:
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if message.get("method") == "initialize":
            session = uuid.uuid4().hex
            with lock:
                stats["sessions"] += 1
            body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": {
                "protocolVersion": message["params"]["protocolVersion"], "capabilities": {"tools": {}},
                "serverInfo": {"name": "hostile-mcp", "version": "1"}}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Mcp-Session-Id", session)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        result = {"jsonrpc": "2.0", "id": message["id"], "result": {"content": [{"type": "text", "text": "ok"}]}}
        params = message.get("params") or {}
        if params.get("name") == "sse":
            stream = b""
            for size in params.get("arguments", {}).get("events", []):
                note = json.dumps({"jsonrpc": "2.0", "method": "notifications/message",
                                   "params": {"level": "info", "data": "x" * max(0, size - 100)}})
                stream += b"event: message\r\ndata: " + note.encode() + b"\r\n\r\n"
            stream += b"event: message\r\ndata: " + json.dumps(result).encode() + b"\r\n\r\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(stream)))
            self.end_headers()
            self.wfile.write(stream)
            return
        self.reply(200, result)

    def do_DELETE(self):
        with lock:
            stats["deletes"] += 1
        time.sleep(args.delete_hang)
        self.reply(200, {})

    def do_GET(self):
        with lock:
            self.reply(200, dict(stats))


serve(Handler)
