#!/usr/bin/env python3
"""The official MCP Python SDK's reference server (mcp 2.x MCPServer) on 127.0.0.1, as a real peer.

Modes: stateful-sse (sessions, SSE replies), stateful-json (sessions, JSON replies), stateless
(no sessions; also serves the 2026-07-28 stateless era). Tools: echo(text), sleep_ms(ms),
fail() which raises, progress(steps) which sends progress notifications, log(lines) which sends
log messages (notifications/message) before answering.
GET /stats reports the live session count (the server's own view) for tests.
Prints the port on stdout once listening.
"""
import argparse
from loopback_http import pick_port
import sys

import anyio
from mcp.server.mcpserver import MCPServer, Context
from starlette.requests import Request
from starlette.responses import JSONResponse

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--mode", choices=["stateful-sse", "stateful-json", "stateless"], default="stateful-sse")
args = parser.parse_args()

port = pick_port(args.port)

server = MCPServer("loadgate-reference")


@server.tool()
def echo(text: str) -> str:
    """Returns the text it was given."""
    return text


@server.tool()
async def sleep_ms(ms: int) -> str:
    """Sleeps ms milliseconds, then answers."""
    await anyio.sleep(ms / 1000)
    return f"slept {ms} ms"


@server.tool()
def fail() -> str:
    """Always raises."""
    raise ValueError("this tool always fails")


@server.tool()
async def progress(steps: int, ctx: Context) -> str:
    """Reports progress `steps` times before answering."""
    for step in range(steps):
        await ctx.report_progress(step + 1, steps)
    return "done"


@server.tool()
async def log(lines: int, ctx: Context) -> str:
    """Sends `lines` log messages before answering."""
    for line in range(lines):
        await ctx.info(f"line {line + 1}")
    return "logged"


@server.custom_route("/stats", methods=["GET"])
async def stats(request: Request) -> JSONResponse:
    manager = server.session_manager
    return JSONResponse({"active_sessions": len(getattr(manager, "_server_instances", {}))})


print(port, flush=True)
server.run("streamable-http", host="127.0.0.1", port=port, streamable_http_path="/mcp",
           stateless_http=args.mode == "stateless", json_response=args.mode == "stateful-json")
