"""Ctrl-C that can wait: held over the moment a commit has happened but is not yet counted.

The importer saves each file in a transaction of its own and reports which files were saved when
Ctrl-C stops it; a KeyboardInterrupt raised just after a COMMIT returned would report a saved file
as not imported, so Ctrl-C is deferred from just before the COMMIT until the file is counted.
"""

from typing import Any


class CtrlC:
    """Ctrl-C as KeyboardInterrupt, except in the moments it is deferred (``defer`` to ``allow``).

    Installed as the SIGINT handler inside its ``with`` block, when Python's own handler is in
    place and this is the main thread; otherwise it does nothing and Ctrl-C is Python's as usual.
    """

    def __init__(self) -> None:
        self._deferred = False
        self._pending = False
        self._previous: Any = None

    def __enter__(self) -> "CtrlC":
        import signal
        import threading

        if threading.current_thread() is threading.main_thread() and (
            signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum: int, frame: object) -> None:
        if self._deferred:
            self._pending = True
        else:
            raise KeyboardInterrupt

    def defer(self) -> None:
        """Hold Ctrl-C until ``allow``."""
        self._deferred = True

    def allow(self, *, raise_pending: bool = True) -> None:
        """Ctrl-C acts again; one pressed while deferred is raised now."""
        self._deferred = False
        if self._pending and raise_pending:
            self._pending = False
            raise KeyboardInterrupt
        self._pending = False
