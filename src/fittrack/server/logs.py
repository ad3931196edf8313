"""The server's log handler: each turn of the event loop writes its lines with one ``write``.

The server logs a line per request. A ``logging.StreamHandler`` writes and flushes each line on its
own, a system call per request that cost ~8% of a request's CPU under load (docs/performance.md).
``TurnBufferedHandler`` keeps the lines emitted during one turn of the running event loop and
writes them together at the start of the next turn: no timer, no line waits for more than one
turn, and a warning or an error, or a line logged outside an event loop, is written at once (with
whatever was waiting before it, in order).
"""

import asyncio
import logging
from typing import Any


class TurnBufferedHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A ``StreamHandler`` that writes the lines of one event-loop turn together."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self._lines: list[str] = []
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        # Called with the handler's lock held (``Handler.handle``).
        try:
            self._lines.append(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)
            return
        if record.levelno >= logging.WARNING:
            self.flush()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the event loop's thread: nothing will flush later
            self.flush()
            return
        if self._scheduled:
            if self._loop is not loop:  # the loop it waits for stopped (or is another): now
                self.flush()
            return
        self._scheduled, self._loop = True, loop
        loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write what is waiting, in the order it was logged."""
        with self.lock:  # type: ignore[union-attr]
            self._scheduled = False
            if self._lines and self.stream is not None:
                text = "".join(self._lines)
                self._lines.clear()
                try:
                    self.stream.write(text)
                    if hasattr(self.stream, "flush"):
                        self.stream.flush()
                except Exception:
                    # Nowhere to write (stderr closed): the lines are dropped, not raised into
                    # the request that happened to log last.
                    pass

    def close(self) -> None:
        self.flush()
        super().close()


def tune_records() -> None:
    """Skip the record fields the server's format never prints (the thread, the process, the
    caller's source line): the logging HOWTO's "Optimization" settings, for a server process."""
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None
