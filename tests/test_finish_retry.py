"""Reading a site's ``/finish`` state survives a connection reset (it once stopped a training run)."""

import asyncio
import socket
import struct
import threading
from types import SimpleNamespace

from halo_lib.env.evaluation import read_finish_state


def _server_that_resets_first(resets: int):
    """A 127.0.0.1 HTTP server whose first ``resets`` connections are reset (RST), then answers /finish."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    seen = []

    def serve():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            conn.recv(65536)
            seen.append(1)
            if len(seen) <= resets:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
                conn.close()
                continue
            body = b'<html><body><pre>{"ok": true}</pre></body></html>'
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                         % len(body) + body)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return sock, seen


def test_a_reset_connection_is_retried():
    from playwright.async_api import async_playwright

    sock, seen = _server_that_resets_first(2)

    async def main():
        async with async_playwright() as p:
            request = await p.request.new_context()
            try:
                return await read_finish_state(SimpleNamespace(request=request),
                                               f"http://127.0.0.1:{sock.getsockname()[1]}")
            finally:
                await request.dispose()

    try:
        assert asyncio.run(main()) == {"ok": True}
        assert len(seen) == 3  # two resets, then the answer
    finally:
        sock.close()
