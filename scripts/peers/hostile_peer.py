#!/usr/bin/env python3
"""A loopback HTTP peer that misbehaves on purpose, one way per path (raw sockets, so it can break
HTTP as a real broken or hostile server would), plus a canary listener that only counts what
reaches it. Used by HostilePeerTests. Binds 127.0.0.1 (the canary binds --canary-host, e.g.
127.0.0.2, "another loopback address"). Prints its port on stdout (the canary's port is in
/seen), then serves until killed.

Paths:
  /never             reads the request, never answers
  /trickle           200 with Content-Length 100, then one byte per second
  /endless-chunked   200 chunked, 64 KiB chunks forever
  /wrong-length      Content-Length 1000, sends 10 bytes, closes
  /garbage           bytes that are not HTTP
  /reset             headers and half a body, then a TCP reset
  /big               100 MB body (Content-Length)
  /big-header        a 1 MB response header
  /status-999        "HTTP/1.1 999 Weird"
  /card/<kind>       an A2A agent card whose endpoint is file://, gopher://, or another host
                     (<kind>: file, gopher, other, same)
  /rpc-300k          a JSON-RPC reply whose result is an object with 300,000 keys
  /capture-crlf      {"token": "abc\\r\\nX-Injected: yes"} to be captured
  /escape-body       503 whose body holds terminal escape sequences (retitle, clear screen)
  /echo-headers      200, records the request's header block (see /seen)
  /seen              JSON: every header block /echo-headers, /card/* and the canary received
  /ka-once           200 "once" without `Connection: close`; the next request on that connection is
                     read and dropped unanswered (a kept-alive connection the server closed)
  /silent-close*     closes the connection without answering (a fresh connection too)
  /conn-close        200 with `Connection: close`, then closes
  /http10            HTTP/1.0 200 without Content-Length: the body ends at the close
  /http10-keepalive  HTTP/1.0 200 with `Connection: keep-alive` and a Content-Length; stays open
  /chunked           200 chunked: three chunks (one with an extension) and a trailer
  /head-length       200 with Content-Length 1000; the body only for GET (HEAD gets headers only)
  /echo-body         200 JSON {method, target, contentLength, bodyLength, body, contentType}
  /capture-next      {"next": "..."} from ?next=...: a value for the next step's URL (%XX decoded)
  /sized/<n>         200 with a body of n bytes (Content-Length, kept alive)
  /early-reply       413 as soon as the request head is read, the body left unread; closes after 3 s
  /close-quietly     200 without `Connection: close`, then a FIN at once (see finish_then_close)
  /idle-close        200 without `Connection: close`, then closes the connection 50 ms later if idle
                     (a server's short keep-alive timeout); a request within them is served
  /canned/<name>     a raw response from CANNED (odd framing, headers, statuses); a FIN unless CANNED_KEPT
  /interim-100       "100 Continue", then 200 with a body (kept alive)
  /no-content        204 without Content-Length or body (kept alive)
  /counts            JSON: connections accepted and requests per path (every path)
"""
import argparse
import json
import select
import urllib.parse
import socket
import socketserver
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--canary-host", default="127.0.0.2")
args = parser.parse_args()

lock = threading.Lock()
# /canned/<name>: a response as raw bytes, sent as is.
CANNED = {
    "dup-length-same": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    "dup-length-differ": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "length-list": b"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
    "length-negative": b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello",
    "length-plus": b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
    "length-huge": b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nhello",
    "chunked-and-length": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "bare-lf": b"HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",
    "no-reason": b"HTTP/1.1 200\r\nContent-Length: 5\r\n\r\nhello",
    "two-digit-status": b"HTTP/1.1 20 OK\r\nContent-Length: 5\r\n\r\nhello",
    "http2-status": b"HTTP/2 200\r\nContent-Length: 5\r\n\r\nhello",
    "http11-lowercase": b"http/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "header-without-colon": b"HTTP/1.1 200 OK\r\nBogus header line\r\nContent-Length: 5\r\n\r\nhello",
    "folded-header": b"HTTP/1.1 200 OK\r\nX-A: a\r\n  folded\r\nContent-Length: 5\r\n\r\nhello",
    "nul-in-header": b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 5\r\n\r\nhello",
    "chunk-size-overflow": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nhello\r\n0\r\n\r\n",
    "chunk-size-missing": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n",
    "chunk-no-crlf-after-data": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
    "chunked-gzip": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "te-identity": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nhello",
    "interim-then-close": b"HTTP/1.1 100 Continue\r\n\r\n",
    "switching-protocols": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
    "no-content-with-body": b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello",
    "not-modified": b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
    "extra-after-response": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA BYTES",
    "status-line-only": b"HTTP/1.1 200 OK\r\n",
    "empty-reply": b"",
    "http10-no-length": b"HTTP/1.0 200 OK\r\n\r\nhello",
    "space-before-colon": b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello",
    "status-600": b"HTTP/1.1 600 Beyond\r\nContent-Length: 5\r\n\r\nhello",
    "status-099": b"HTTP/1.1 099 Low\r\nContent-Length: 5\r\n\r\nhello",
}
# Canned responses whose length is known: the connection stays open for the next request (closing
# it would race with a client that reuses it). The others end with a FIN.
CANNED_KEPT = {"dup-length-same", "dup-length-differ", "length-list", "length-plus", "chunked-and-length", "bare-lf",
               "no-reason", "http2-status", "http11-lowercase", "header-without-colon", "folded-header", "nul-in-header",
               "chunked-gzip", "no-content-with-body", "not-modified", "status-600"}
seen = {"echo": [], "cards": [], "canary": [], "canaryBytes": 0, "canaryPort": 0}
counts = {"connections": 0, "requests": {}}
canary_port = [0]


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 1 << 20:
            return None, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def send(sock, status, body, content_type="application/json", extra=b""):
    sock.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + content_type.encode()
                 + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def card(kind, own_port):
    endpoint = {
        "file": "file:///etc/passwd",
        "gopher": "gopher://127.0.0.1:%d/_GOPHER-BYTES" % canary_port[0],
        "other": "http://%s:%d/a2a" % (args.canary_host, canary_port[0]),
        "same": "http://127.0.0.1:%d/echo-headers" % own_port,
    }[kind]
    return json.dumps({"name": "hostile", "url": endpoint, "preferredTransport": "JSONRPC",
                       "supportedInterfaces": [{"url": endpoint, "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}]}).encode()


def finish_then_close(sock):
    """Ends the response with a FIN at once, then reads (and drops) a request that was already on
    its way before closing: a client that reused the connection meanwhile sees it end without an
    answer, never a reset that could race with its send."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(1)
        read_head(sock)
    except OSError:
        pass
    return False


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with lock:
            counts["connections"] += 1
        try:
            while self.one(sock):
                pass
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    def one(self, sock):
        head, rest = read_head(sock)
        if head is None:
            return False
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        path = parts[1].decode(errors="replace") if len(parts) > 1 else "/"
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or b"0")
        if path == "/early-reply":
            # Answers before reading the request body (as a server refusing an upload does), then
            # reads nothing for 3 s and closes.
            sock.sendall(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo-big!")
            time.sleep(3)
            return False
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        own_port = sock.getsockname()[1]
        with lock:
            counts["requests"][path] = counts["requests"].get(path, 0) + 1
        method = parts[0].decode(errors="replace")
        answered = self.added(sock, method, path, lines, rest)
        if answered is not None:
            return answered
        if path == "/never":
            while sock.recv(65536):
                pass
            return False
        if path == "/trickle":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            for _ in range(100):
                sock.sendall(b"x")
                time.sleep(1)
            return False
        if path == "/endless-chunked":
            sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"%x\r\n" % 65536 + b"y" * 65536 + b"\r\n"
            while True:
                sock.sendall(chunk)
        if path == "/wrong-length":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
            return False
        if path == "/garbage":
            sock.sendall(b"\x00\xff\xfeNOT HTTP AT ALL\x1b[2J\r\n\r\n" + bytes(range(256)))
            return False
        if path == "/reset":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"z" * 5000)
            time.sleep(0.05)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.close()
            return False
        if path == "/big":
            total = 100 * 1000 * 1000
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % total)
            block = b"b" * (1 << 20)
            sent = 0
            while sent < total:
                piece = block[: min(len(block), total - sent)]
                sock.sendall(piece)
                sent += len(piece)
            return True
        if path == "/big-header":
            sock.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"h" * (1 << 20) + b"\r\nContent-Length: 2\r\n\r\nok")
            return True
        if path == "/status-999":
            sock.sendall(b"HTTP/1.1 999 Weird\r\nContent-Length: 2\r\n\r\nok")
            return True
        if path.startswith("/card/"):
            with lock:
                seen["cards"].append(head.decode(errors="replace"))
            send(sock, b"200 OK", card(path[len("/card/"):], own_port))
            return True
        if path == "/rpc-300k":
            body = b'{"jsonrpc":"2.0","id":1,"result":{' + b",".join(b'"k%d":%d' % (i, i) for i in range(300000)) + b"}}"
            send(sock, b"200 OK", body)
            return True
        if path == "/escape-body":
            send(sock, b"503 Service Unavailable", b"down\x1b]0;pwned\x07\x1b[2J\x1b[31mred\rover", content_type="text/plain")
            return True
        if path == "/capture-crlf":
            send(sock, b"200 OK", json.dumps({"token": "abc\r\nX-Injected: yes"}).encode())
            return True
        if path.startswith("/echo-headers"):
            with lock:
                seen["echo"].append(head.decode(errors="replace"))
            send(sock, b"200 OK", b'{"ok":true}')
            return True
        if path == "/seen":
            with lock:
                body = json.dumps(seen).encode()
            send(sock, b"200 OK", body)
            return True
        send(sock, b"404 Not Found", b"{}")
        return True


    def added(self, sock, method, path, lines, body):
        """The paths added for the native engine's tests; None when `path` is not one of them."""
        if path == "/ka-once":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nonce")
            # The connection looks kept alive; the next request on it is read, then dropped unanswered.
            sock.settimeout(2)
            try:
                dropped, _ = read_head(sock)
            except OSError:
                dropped = None
            if dropped:
                target = dropped.split(b"\r\n")[0].split(b" ")
                name = (target[1].decode(errors="replace") if len(target) > 1 else "/") + " (dropped)"
                with lock:
                    counts["requests"][name] = counts["requests"].get(name, 0) + 1
            return False
        if path.startswith("/silent-close"):
            return False
        if path == "/conn-close":
            sock.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nclose")
            return False
        if path == "/http10":
            sock.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + b"ten" * 100)
            return False
        if path == "/http10-keepalive":
            sock.sendall(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 6\r\n\r\nten-ka")
            return True
        if path == "/chunked":
            sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"5\r\nhello\r\n1;ext=1\r\n \r\nA\r\nchunked-ok\r\n0\r\nX-Trailer: t\r\n\r\n")
            return True
        if path == "/head-length":
            head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
            sock.sendall(head if method == "HEAD" else head + b"h" * 1000)
            return True
        if path.startswith("/echo-body"):
            length = None
            content_type = None
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip() or b"0")
                if name.strip().lower() == b"content-type":
                    content_type = value.strip().decode(errors="replace")
            send(sock, b"200 OK", json.dumps({"method": method, "target": path, "contentLength": length, "bodyLength": len(body),
                                              "body": body.decode(errors="replace"), "contentType": content_type}).encode())
            return True
        if path.startswith("/capture-next"):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
            send(sock, b"200 OK", json.dumps({"next": query.get("next", [""])[0]}).encode())
            return True
        if path == "/close-quietly":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nquiet")
            return finish_then_close(sock)
        if path == "/idle-close":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nidle")
            ready, _, _ = select.select([sock], [], [], 0.05)
            return bool(ready)
        if path.startswith("/canned/"):
            name = path[len("/canned/"):]
            sock.sendall(CANNED[name])
            return True if name in CANNED_KEPT else finish_then_close(sock)
        if path == "/interim-100":
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal")
            return True
        if path == "/no-content":
            sock.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
            return True
        if path.startswith("/sized/"):
            size = int(path[len("/sized/"):] or "0")
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + b"s" * size)
            return True
        if path == "/counts":
            with lock:
                reply = json.dumps(counts).encode()
            send(sock, b"200 OK", reply)
            return True
        return None


class CanaryHandler(socketserver.BaseRequestHandler):
    """Counts every byte and keeps what arrives; answers nothing."""

    def handle(self):
        data = b""
        self.request.settimeout(2)
        try:
            while len(data) < 65536:
                chunk = self.request.recv(65536)
                if not chunk:
                    break
                data += chunk
                if b"\r\n\r\n" in data or b"\n" in data:
                    break
        except OSError:
            pass
        with lock:
            seen["canary"].append(data.decode(errors="replace"))
            seen["canaryBytes"] += len(data)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


canary = Server((args.canary_host, 0), CanaryHandler)
canary_port[0] = canary.server_address[1]
seen["canaryPort"] = canary_port[0]
threading.Thread(target=canary.serve_forever, daemon=True).start()
# The gopher URL points at the canary port on 127.0.0.1 too.
canary_local = Server(("127.0.0.1", canary_port[0]), CanaryHandler)
threading.Thread(target=canary_local.serve_forever, daemon=True).start()
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
