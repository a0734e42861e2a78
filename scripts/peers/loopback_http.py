"""Shared plumbing of the stdlib loopback peers (stall_server, capacity_server, orchestrator):
a threaded HTTP/1.1 keep-alive server bound to 127.0.0.1 that prints its port, and a handler base
class that answers with one write-friendly JSON reply."""
import http.server
import json
import socket
import socketserver


def pick_port(requested):
    """`requested`, or when it is 0 a free loopback port the OS picks (for servers such as uvicorn
    that must be told their port before they bind)."""
    if requested:
        return requested
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle + delayed ACK add 40 ms.
    disable_nagle_algorithm = True

    def reply(self, status, document):
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


def serve(handler_class, port=0):
    """Binds 127.0.0.1 only, prints the chosen port on stdout, serves until killed."""
    server = Server(("127.0.0.1", port), handler_class)
    print(server.server_address[1], flush=True)
    server.serve_forever()
