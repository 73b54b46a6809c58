"""Running an ASGI app on uvicorn in a background thread (start, port, stop).

uvicorn is the server FastAPI and Starlette recommend, well kept and pure Python with
h11; run off the main thread it installs no signal handlers, so it cannot steal the
kiosk's Ctrl-C. A port that cannot be bound is a :class:`ServerError` with one line.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import uvicorn

log = logging.getLogger(__name__)


class ServerError(RuntimeError):
    """The server could not start; ``str()`` is one line."""


class WebServer:
    def __init__(self, app: Any, host: str, port: int, *, max_connections: int = 200,
                 max_header_bytes: int = 16_384) -> None:
        self.host, self.requested_port = host, port
        self.config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False,
            lifespan="off", limit_concurrency=max_connections, timeout_keep_alive=5,
            h11_max_incomplete_event_size=max_header_bytes, server_header=False,
            date_header=False, proxy_headers=False,
            timeout_graceful_shutdown=2)  # live-update streams end with the server
        self.server = uvicorn.Server(self.config)
        self.thread: threading.Thread | None = None
        self._failed: BaseException | None = None

    def start(self, timeout: float = 15.0) -> None:
        self.thread = threading.Thread(target=self._run, name="handoff-web", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"could not listen on {self.host}:{self.requested_port} "
                                  "(address in use, or not an address of this machine?)")
            self.thread.join(0.02)
        log.info("hand-off server listening on %s:%d", self.host, self.port)

    @property
    def port(self) -> int:
        for srv in getattr(self.server, "servers", []) or []:
            for sock in srv.sockets:
                return int(sock.getsockname()[1])
        return self.requested_port

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def _run(self) -> None:
        try:
            self.server.run()
        except BaseException as exc:  # noqa: BLE001 - SystemExit on a bind error, too
            self._failed = exc
            log.error("hand-off server stopped: %s", f"{type(exc).__name__}: {exc}"[:200])
