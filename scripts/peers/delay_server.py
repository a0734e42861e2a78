"""Loopback HTTP/1.1 keep-alive peer that answers every request after a fixed delay, built to hold
many connections at once (scripts/bench holds 10,000 against it): one asyncio event loop, one
timer per pending request, no thread per connection. Prints its port on stdout.
Usage: python3 delay_server.py [--delay SECONDS] [--port N]"""
import argparse
import asyncio
import resource

REPLY = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}"


class DelayedReply(asyncio.Protocol):
    def __init__(self, delay):
        self.delay = delay
        self.buffer = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        loop = asyncio.get_running_loop()
        # One reply per complete request head (GET without a body).
        while b"\r\n\r\n" in self.buffer:
            _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            loop.call_later(self.delay, self.reply)

    def reply(self):
        if not self.transport.is_closing():
            self.transport.write(REPLY)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    server = await asyncio.get_running_loop().create_server(lambda: DelayedReply(args.delay), "127.0.0.1", args.port,
                                                            backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
