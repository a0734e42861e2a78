#!/usr/bin/env python3
"""Conformance probe: the official MCP Python SDK client (streamable HTTP transport +
ClientSession) initializes against a server, lists its tools and calls `echo`.
Usage: mcp_sdk_client.py URL   (prints one JSON line; exit 0 on success)
"""
import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


async def main(url: str) -> None:
    async with streamable_http_client(url) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            result = await session.call_tool("echo", {"text": "conformance"})
            text = result.content[0].text if result.content else ""
            print(json.dumps({"server": init.server_info.name, "protocolVersion": init.protocol_version,
                              "tools": sorted(t.name for t in tools.tools), "echo": text, "isError": result.is_error}))


asyncio.run(main(sys.argv[1]))
