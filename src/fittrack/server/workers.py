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
when one dies. One of the first workers that dies within ``STARTUP_S`` of starting is taken as
a server that cannot start (a database that is down, a port taken): the supervisor stops the
others and exits 1. Later, a worker that dies is started again, at once if it had been running,
else after a wait that doubles each time (0.5 s up to ``MAX_DELAY_S``): the database restarting
under a running server must not stop it, nor have its workers started again and again.
"""

import contextlib
import logging
import multiprocessing
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

log = logging.getLogger("fittrack.server")

STARTUP_S = 5.0
"""A worker that dies sooner than this after starting is one that cannot start."""

MAX_DELAY_S = 30.0
"""The longest wait before starting again a worker that keeps dying while it starts."""

STOP_S = 15.0
"""How long the workers get to finish after SIGTERM before they are killed (uvicorn's graceful
shutdown is given 10 s by ``fittrack serve``)."""


def spreads_connections() -> bool:
    """Whether this system spreads connections across sockets sharing a port (Linux 3.9+)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) that other workers may bind too, not yet listening."""
    # The family as uvicorn picks it for one worker: IPv6 only for an address with a colon (so
    # "localhost" is 127.0.0.1 with any number of workers).
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
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


@dataclass
class _Slot:
    """One worker's place: its process (None while waiting to start again), when it started,
    whether it is the first of its place, and the wait before its next start."""

    process: BaseProcess | None
    started: float
    first: bool = True
    delay_s: float = 0.0
    start_at: float = 0.0


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
        max_delay_s: float = MAX_DELAY_S,
    ) -> None:
        self.target = target
        self.args = args
        self.count = count
        self.startup_s = startup_s
        self.stop_s = stop_s
        self.poll_s = poll_s
        self.max_delay_s = max_delay_s
        self._context = multiprocessing.get_context("spawn")
        self._slots: list[_Slot] = []
        self._stopping = False
        self.restarts = 0

    def run(self) -> int:
        """Start the workers and keep them running; the exit status for the command."""
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._slots = [_Slot(*self._start()) for _ in range(self.count)]
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
        """Start again each worker that died (after a growing wait if it died while starting);
        False if one of the first workers died while starting: the server cannot start."""
        now = time.monotonic()
        for slot in self._slots:
            if self._stopping:
                break
            if slot.process is None:
                if now >= slot.start_at:
                    slot.process, slot.started = self._start()
                    self.restarts += 1
                continue
            if slot.process.is_alive():
                if now - slot.started >= self.startup_s:  # it started: a death is restarted
                    slot.first, slot.delay_s = False, 0.0
                continue
            code = slot.process.exitcode
            quick = now - slot.started < self.startup_s
            if quick and slot.first:
                log.error("a worker exited while starting (exit code %s): stopping", code)
                return False
            # Died while starting again (the database restarting, say): wait longer each time
            # rather than start it again and again; a worker that ran a while starts at once.
            slot.delay_s = min(self.max_delay_s, 2 * slot.delay_s or 0.5) if quick else 0.0
            log.warning(
                "worker %s exited (exit code %s): starting another%s",
                slot.process.pid,
                code,
                f" in {slot.delay_s:g} s" if slot.delay_s else "",
            )
            slot.process, slot.first, slot.start_at = None, False, now + slot.delay_s
        return True

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _stop_all(self) -> None:
        processes = [slot.process for slot in self._slots if slot.process is not None]
        for process in processes:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: uvicorn finishes what it is serving, then exits
        deadline = time.monotonic() + self.stop_s
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
