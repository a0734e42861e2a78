#!/usr/bin/env python3
"""A reference A2A agent built on the official A2A Python SDK (a2a-sdk 1.x), on 127.0.0.1.

Serves the 1.0 agent card at /.well-known/agent-card.json and JSON-RPC at /, with the SDK's v0.3
compatibility on the same endpoint (message/send, tasks/get, ...), plus a legacy 0.3 card at
/.well-known/agent.json. Modes: task (creates a task, works --delay-ms, adds an artifact and
completes, or fails with --fail) and message (answers with a message at once).
Prints the port on stdout once bound.
"""
import argparse
import asyncio
from loopback_http import pick_port

import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from a2a.helpers.proto_helpers import new_task_from_user_message, new_text_artifact, new_text_message, get_message_text
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes.agent_card_routes import create_agent_card_routes
from a2a.server.routes.jsonrpc_routes import create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import AgentCapabilities, AgentCard, AgentInterface, AgentSkill

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--mode", choices=["task", "message"], default="task")
parser.add_argument("--delay-ms", type=float, default=0)
parser.add_argument("--fail", action="store_true")
args = parser.parse_args()

port = pick_port(args.port)
base = f"http://127.0.0.1:{port}/"


class Executor(AgentExecutor):
    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        text = get_message_text(context.message) if context.message else ""
        if args.mode == "message":
            await event_queue.enqueue_event(new_text_message(f"echo: {text}", context_id=context.context_id))
            return
        task = context.current_task or new_task_from_user_message(context.message)
        await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        await updater.start_work()
        if args.delay_ms:
            await asyncio.sleep(args.delay_ms / 1000)
        if args.fail:
            await updater.failed()
            return
        await updater.add_artifact([new_text_artifact("result", f"done: {text}").parts[0]], name="result")
        await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        updater = TaskUpdater(event_queue, context.task_id, context.context_id)
        await updater.cancel()


card = AgentCard(
    name="loadgate-reference-agent",
    description="Reference agent for LoadGate tests",
    version="1.0.0",
    supported_interfaces=[AgentInterface(url=base, protocol_binding="JSONRPC", protocol_version="1.0")],
    capabilities=AgentCapabilities(streaming=True),
    default_input_modes=["text/plain"],
    default_output_modes=["text/plain"],
    skills=[AgentSkill(id="echo", name="echo", description="echoes", tags=["test"])],
)
handler = DefaultRequestHandler(agent_executor=Executor(), task_store=InMemoryTaskStore(), agent_card=card)


async def legacy_card(request):
    return JSONResponse({
        "name": card.name, "description": card.description, "version": card.version, "url": base,
        "protocolVersion": "0.3.0", "preferredTransport": "JSONRPC",
        "capabilities": {"streaming": True}, "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
        "skills": [{"id": "echo", "name": "echo", "description": "echoes", "tags": ["test"]}],
    })


routes = create_agent_card_routes(card) + [Route("/.well-known/agent.json", legacy_card)]
routes += create_jsonrpc_routes(handler, "/", enable_v0_3_compat=True)
app = Starlette(routes=routes)
print(port, flush=True)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
