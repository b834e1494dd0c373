"""The generic server behind every local site: REAL's ``/config`` + ``/finish`` contract, a JSON state
API for the site's single-page app, and its static files. Binds to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import multiprocessing
import signal
import socket
import threading
import time
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from halo_lib.errors import SiteError, UnknownTaskError
from halo_lib.real_tasks import get_task
from halo_lib.sites import HOST, SITE_NAMES, get_site, site_port
from halo_lib.sites.spec import SiteSpec
from halo_lib.sites.state import SessionStore, deep_diff, shape_error

log = logging.getLogger(__name__)
COMMON_DIR = Path(__file__).parent / "common"
MAX_STATE_BYTES = 5_000_000


def cookie_name(spec: SiteSpec) -> str:
    # Cookies are scoped by host, not port: one name per site keeps the three origins apart.
    return f"halo_{spec.name}_sid"


def task_name_for_site(spec: SiteSpec, task_id: str) -> str:
    """``v2.gomail-1`` or ``gomail-1`` -> ``gomail-1``; generated ids (``gen.gomail...``) pass as they are."""
    if task_id.startswith(f"gen.{spec.name}"):
        return task_id
    task = get_task(task_id)  # raises UnknownTaskError listing what exists
    if task.site != spec.name:
        raise UnknownTaskError(f"task {task_id!r} belongs to {task.site}, not {spec.name}")
    return task.name


def finish_state(spec: SiteSpec, session) -> dict:
    """The JSON that ``/finish`` shows: REAL's ``initialfinaldiff`` and ``differences`` blocks."""
    return {
        "run_id": session.run_id,
        "task_id": session.task_id,
        "initialfinaldiff": deep_diff(session.initial, session.state),
        "differences": spec.differences(session.initial, session.state),
    }


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body>{body}</body></html>",
        status_code=status,
    )


def _error(title: str, message: str, status: int) -> HTMLResponse:
    return _page(title, f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>", status)


def build_app(spec: SiteSpec, store: SessionStore | None = None) -> Starlette:
    """A Starlette app for one site."""
    store = store or SessionStore()
    cookie = cookie_name(spec)
    index_html = spec.static_dir / "index.html"

    def session_of(request: Request):
        return store.get(request.cookies.get(cookie))

    async def config(request: Request) -> Response:
        params = request.query_params
        task_id = params.get("task_id", "").strip()
        run_id = params.get("run_id", "0").strip() or "0"
        latency_raw = params.get("latency", "0").strip() or "0"
        if not task_id:
            return _error("Bad /config request", "task_id is required: /config?run_id=<id>&task_id=<v2.site-N>", 400)
        try:
            latency = int(float(latency_raw))
            if latency < 0 or latency > 60_000:
                raise ValueError
        except (ValueError, OverflowError):  # inf overflows int()
            return _error("Bad /config request", f"latency must be milliseconds in 0..60000, got {latency_raw!r}", 400)
        try:
            name = task_name_for_site(spec, task_id)
            initial = spec.initial_state(name)
        except UnknownTaskError as err:
            return _error("Unknown task", str(err), 404)
        sid = store.create(run_id, task_id, initial, latency)
        resp = _page(
            f"{spec.title} configured",
            f"<h1>{html.escape(spec.title)}</h1><p id='config'>Configured run {html.escape(run_id)} "
            f"for task {html.escape(task_id)}.</p><p><a href='/'>Open {html.escape(spec.title)}</a></p>",
        )
        resp.set_cookie(cookie, sid, httponly=True, samesite="lax", path="/")
        return resp

    async def finish(request: Request) -> Response:
        if request.query_params:
            unknown = ", ".join(sorted(request.query_params.keys()))
            return _error("Bad /finish request", f"/finish takes no parameters (got: {unknown})", 400)
        session = session_of(request)
        if session is None:
            return _error("No run configured", "open /config?run_id=<id>&task_id=<task> in this browser first", 409)
        body = json.dumps(finish_state(spec, session), indent=2, sort_keys=True)
        return _page(f"{spec.title} finish", f"<pre>{html.escape(body, quote=False)}</pre>")

    async def api_finish(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return JSONResponse({"error": "no run configured: open /config first"}, status_code=409)
        return JSONResponse(finish_state(spec, session))

    async def api_state(request: Request) -> Response:
        session = session_of(request)
        new_sid = None
        if session is None:  # a plain visit without /config: the site's default data
            new_sid = store.create("0", None, spec.initial_state(None))
            session = store.get(new_sid)
        if session.latency_ms:
            await asyncio.sleep(session.latency_ms / 1000)
        if request.method == "POST":
            raw = await request.body()
            if len(raw) > MAX_STATE_BYTES:
                return JSONResponse({"error": "state too large"}, status_code=413)
            try:
                payload = json.loads(raw)
            except json.JSONDecodeError as err:
                return JSONResponse({"error": f"body is not JSON: {err}"}, status_code=400)
            state = payload.get("state") if isinstance(payload, dict) else None
            if not isinstance(state, dict) or set(state) != set(session.initial):
                return JSONResponse(
                    {"error": f"body must be {{'state': {{...}}}} with keys {sorted(session.initial)}"},
                    status_code=400,
                )
            error = shape_error(session.initial, state)
            if error:
                return JSONResponse({"error": f"malformed state update: {error}"}, status_code=400)
            session.state = state
        resp = JSONResponse(
            {
                "state": session.state,
                "clock": {"now": spec.now, "now_utc": spec.now_utc, "timezone": spec.timezone},
                "task_id": session.task_id,
                "run_id": session.run_id,
            }
        )
        if new_sid:
            resp.set_cookie(cookie, new_sid, httponly=True, samesite="lax", path="/")
        return resp

    async def spa(request: Request) -> Response:
        return FileResponse(index_html, headers={"Cache-Control": "no-store"})

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/config", config),
        Route("/finish", finish),
        Route("/api/finish", api_finish),
        Route("/api/state", api_state, methods=["GET", "POST"]),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=spec.static_dir), name="static"),
        Mount("/common", StaticFiles(directory=COMMON_DIR), name="common"),
        Route("/{path:path}", spa),
    ]
    return Starlette(routes=routes)


def check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # A port in TIME_WAIT after a server stopped is free for uvicorn (it sets SO_REUSEADDR too);
        # only a listening socket makes this bind fail.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            raise SiteError(
                f"port {port} on {HOST} is busy (is `halo sites serve` already running? stop it with "
                f"./teardown.sh, or choose other ports with HALO_SITES_PORT_BASE)"
            ) from None


def _servers(names: list[str]) -> list[uvicorn.Server]:
    specs = [get_site(n) for n in names]  # unknown names fail before any port is touched
    servers = []
    for spec in specs:
        port = site_port(spec.name)
        check_port_free(port)
        config = uvicorn.Config(build_app(spec), host=HOST, port=port, log_level="warning", access_log=False)
        servers.append(uvicorn.Server(config))
    return servers


def serve(names: list[str] | None = None) -> None:
    """Serve sites in the foreground until SIGINT/SIGTERM; both end in a graceful shutdown and a normal return.

    uvicorn shuts down gracefully, then re-raises the signal with the handler that was there before it:
    SIGTERM is made to raise KeyboardInterrupt like SIGINT, and both are the expected way out."""
    servers = _servers(list(names or SITE_NAMES))

    async def main() -> None:
        await asyncio.gather(*(s.serve() for s in servers))

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


class SitesInThread(contextlib.AbstractContextManager):
    """Run sites in a background thread (tests, ``halo sites check``). Reuses sites already serving."""

    def __init__(self, names: list[str] | None = None):
        self.names = list(names or SITE_NAMES)
        self._thread: threading.Thread | None = None
        self._servers: list[uvicorn.Server] = []

    def __enter__(self) -> "SitesInThread":
        to_start = [n for n in self.names if not _answers(site_port(n))]
        if not to_start:
            return self
        self._servers = _servers(to_start)
        for s in self._servers:
            s.install_signal_handlers = lambda: None  # only the main thread may own signals

        async def main() -> None:
            await asyncio.gather(*(s.serve() for s in self._servers))

        self._thread = threading.Thread(target=lambda: asyncio.run(main()), name="halo-sites", daemon=True)
        self._thread.start()
        deadline = time.time() + 15
        while not all(s.started for s in self._servers):
            if time.time() > deadline or not self._thread.is_alive():
                raise SiteError(f"local sites {to_start} did not start within 15 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        for s in self._servers:
            s.should_exit = True
        if self._thread:
            self._thread.join(timeout=10)


class SitesInProcess(contextlib.AbstractContextManager):
    """Run sites in a child process, as ``halo sites serve`` does for ``./launch.sh``: the sites' Python work
    does not share the caller's interpreter lock (benchmarks of parallel contexts). Reuses sites already
    serving; stops what it started (SIGTERM: uvicorn's graceful shutdown)."""

    def __init__(self, names: list[str] | None = None, start_timeout_s: float = 30.0):
        self.names = list(names or SITE_NAMES)
        self.start_timeout_s = start_timeout_s
        self._process = None

    def __enter__(self) -> "SitesInProcess":
        to_start = [n for n in self.names if not _answers(site_port(n))]
        if not to_start:
            return self
        # spawn: a fresh interpreter (the caller may hold threads, event loops, a browser)
        self._process = multiprocessing.get_context("spawn").Process(target=serve, args=(to_start,),
                                                                     name="halo-sites", daemon=True)
        self._process.start()
        deadline = time.time() + self.start_timeout_s
        while not all(_answers(site_port(n)) for n in to_start):
            if time.time() > deadline or not self._process.is_alive():
                self.__exit__()
                raise SiteError(f"local sites {to_start} did not start within {self.start_timeout_s:g} s in a "
                                "child process")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()
        self._process = None


def _answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((HOST, port)) == 0
