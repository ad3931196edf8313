"""Several worker processes, each listening on a socket of its own (``SO_REUSEPORT``, Linux).

uvicorn's ``--workers`` hands one listening socket to every worker, and a worker woken by a new
connection accepts every connection then waiting: 32 connections opened together were measured
splitting 8/24, 28/4 and even 32/0 between two workers, which then served no more than one
(docs/performance.md). With ``SO_REUSEPORT`` each worker listens on its own socket bound to the
same address, and Linux spreads new connections across them by a hash of their addresses, so the
workers share the load whatever the timing. (Other systems accept the option without spreading
connections; there ``fittrack serve`` keeps uvicorn's supervisor.)

``Supervisor`` starts the workers (fresh interpreters, like uvicorn's), stops them all on SIGINT
or SIGTERM (each finishes its requests: uvicorn's graceful shutdown), and starts a worker again
when one dies. A worker that dies within ``STARTUP_S`` of starting is taken as one that cannot
start (a database that is down, a port taken): the supervisor stops the others and exits 1
instead of restarting it forever.
"""

import contextlib
import logging
import multiprocessing
import signal
import socket
import sys
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

log = logging.getLogger("fittrack.server")

STARTUP_S = 5.0
"""A worker that dies sooner than this after starting is one that cannot start."""

STOP_S = 15.0
"""How long the workers get to finish after SIGTERM before they are killed (uvicorn's graceful
shutdown is given 10 s by ``fittrack serve``)."""


def spreads_connections() -> bool:
    """Whether this system spreads connections across sockets sharing a port (Linux 3.9+)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) that other workers may bind too, not yet listening."""
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run_uvicorn_worker(options: dict[str, Any], host: str, port: int, parent: int) -> None:
    """One worker: uvicorn on a socket of its own (a process target: it must be importable)."""
    import uvicorn

    # uvicorn finishes its requests on SIGINT or SIGTERM, then raises the signal again so that
    # the process ends "by" it; left to the default action, SIGTERM would end this one before
    # the log lines of the shutdown are written. Ended by an exception instead, the ``finally``
    # below writes them (multiprocessing ends a worker with os._exit, which skips logging's own
    # flush at exit).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit_quietly)
    _exit_with(parent)
    sock = listening_socket(host, port)
    config = uvicorn.Config(**options)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        logging.shutdown()


def _exit_quietly(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _exit_with(parent: int) -> None:
    """Have the kernel send this process SIGTERM when ``parent`` exits, however it exits (a
    ``kill -9`` of the supervisor must not leave workers serving on their own)."""
    import ctypes
    import os

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # it exited before the line above
        os.kill(os.getpid(), signal.SIGTERM)


def serve(options: dict[str, Any], workers: int) -> int:
    """Run uvicorn with ``options`` (``uvicorn.Config``'s): in this process for one worker; for
    several, under ``Supervisor`` with a socket each where the system spreads connections, else
    under uvicorn's own supervisor. The exit status, once stopped."""
    import uvicorn

    if workers > 1 and spreads_connections():
        import logging.config
        import os

        logging.config.dictConfig(options["log_config"])
        args = (options, options["host"], options["port"], os.getpid())
        return Supervisor(run_uvicorn_worker, args, workers).run()
    # uvicorn raises SIGTERM again once it has shut down, to end the process by it: write the
    # log lines of the shutdown first (the log handler keeps a loop turn's lines until the next).
    signal.signal(signal.SIGTERM, _flush_then_end)
    uvicorn.run(**options, workers=workers)
    return 0


def _flush_then_end(signum: int, _frame: FrameType | None) -> None:
    import os

    logging.shutdown()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


class Supervisor:
    """Runs ``count`` processes of ``target(*args)`` until SIGINT or SIGTERM; see the module."""

    def __init__(
        self,
        target: Callable[..., None],
        args: tuple[Any, ...],
        count: int,
        *,
        startup_s: float = STARTUP_S,
        stop_s: float = STOP_S,
        poll_s: float = 0.2,
    ) -> None:
        self.target = target
        self.args = args
        self.count = count
        self.startup_s = startup_s
        self.stop_s = stop_s
        self.poll_s = poll_s
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[tuple[BaseProcess, float]] = []
        self._stopping = False
        self.restarts = 0

    def run(self) -> int:
        """Start the workers and keep them running; the exit status for the command."""
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._workers = [self._start() for _ in range(self.count)]
            while not self._stopping:
                time.sleep(self.poll_s)
                if not self._check():
                    self._stop_all()
                    return 1
            self._stop_all()
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _start(self) -> tuple[BaseProcess, float]:
        process = self._context.Process(target=self.target, args=self.args, daemon=False)
        process.start()
        return process, time.monotonic()

    def _check(self) -> bool:
        """Start again each worker that died; False if one died before it could start."""
        for i, (process, started) in enumerate(self._workers):
            if process.is_alive() or self._stopping:
                continue
            code = process.exitcode
            if time.monotonic() - started < self.startup_s:
                log.error("a worker exited while starting (exit code %s): stopping", code)
                return False
            log.warning("worker %s exited (exit code %s): starting another", process.pid, code)
            self._workers[i] = self._start()
            self.restarts += 1
        return True

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _stop_all(self) -> None:
        for process, _ in self._workers:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: uvicorn finishes what it is serving, then exits
        deadline = time.monotonic() + self.stop_s
        for process, _ in self._workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
