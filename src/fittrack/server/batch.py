"""Lookups that arrive together share one round trip.

Under load many requests wait at the same moment for the same kind of lookup: an activity by id, a
goal with its owner's timezone, a period's total, a rate-limit bucket. Each round trip to
PostgreSQL or Redis costs the worker about 100 µs of CPU whatever it carries (the event loop's
wake-ups, the driver's bookkeeping, the pool), more than hello world's whole request; the rows
themselves cost a microsecond or two each. A ``Batcher`` sends the keys of every request waiting
for one kind of lookup in one query, and hands each request its own answer.

When a batch goes: a key joins the pending batch; that batch is sent on the next turn of the event
loop if fewer than ``max_inflight`` batches are on their way, else as soon as one comes back. A
lone request therefore waits for nothing (one loop turn), and under load a batch carries every
request that arrived while the previous one was out: batches grow exactly as much as the load
needs, with no timer to tune.

Consistency is that of a query of one's own: a key is only ever sent in a batch that starts after
it was asked for, so a lookup sees every write that committed before it was asked (a client that
got its PUT's answer reads its write on the next GET, whichever worker serves it). Nothing is
cached between batches.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Fetch = Callable[[Sequence[K]], Awaitable[Sequence[V]]]
"""Answers a batch: one value per key, in the keys' order (the keys are distinct)."""


class Batcher(Generic[K, V]):
    """Collects concurrent ``load(key)`` calls into calls of ``fetch(keys)``.

    ``fetch`` gets distinct keys, at most ``max_batch`` of them, and returns one value per key
    in the same order; an exception it raises is raised by every ``load`` of that batch. The
    counters ``batches`` and ``loads`` say how well requests were shared (``loads / batches``).
    """

    def __init__(self, fetch: Fetch[K, V], *, max_batch: int = 200, max_inflight: int = 2) -> None:
        if max_batch < 1 or max_inflight < 1:
            raise ValueError("max_batch and max_inflight must be at least 1")
        self._fetch = fetch
        self.max_batch = max_batch
        self.max_inflight = max_inflight
        self._pending: dict[K, list[asyncio.Future[V]]] = {}
        self._inflight = 0
        self._starter: asyncio.Task[None] | None = None
        """The batch task created but not yet run (its first step takes what is pending)."""
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches = 0
        self.loads = 0

    async def load(self, key: K) -> V:
        """The value of ``key``, fetched in a batch that starts after this call."""
        return await self.submit(key)

    def submit(self, key: K) -> "asyncio.Future[V]":
        """``load`` without waiting: the key is queued now, its value comes in the future. A
        future nobody awaits in the end (its request was refused) is let go quietly, even when
        its batch failed."""
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieve)
        waiting = self._pending.get(key)
        if waiting is None:
            self._pending[key] = [future]
        else:
            waiting.append(future)
        self.loads += 1
        self._schedule()
        return future

    def _schedule(self) -> None:
        if self._starter is not None or self._inflight >= self.max_inflight or not self._pending:
            return
        self._inflight += 1
        task = self._starter = asyncio.get_running_loop().create_task(self._run())
        # A reference until it ends: the loop itself keeps only a weak one.
        self._tasks.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: "asyncio.Task[None]") -> None:
        self._tasks.discard(task)
        if task is self._starter:
            # Cancelled before its first step (its loop is closing): it took no batch, so its
            # place is given back, and the keys waiting, whose futures belong to that loop, are
            # cancelled with it rather than answered from another loop later.
            self._starter = None
            self._inflight -= 1
            waiting, self._pending = self._pending, {}
            for futures in waiting.values():
                for future in futures:
                    future.cancel()

    async def _run(self) -> None:
        # A task's first step runs on the next turn of the loop, so the keys asked by every
        # request woken in this turn are here by then: they go together.
        self._starter = None
        if len(self._pending) <= self.max_batch:
            batch, self._pending = self._pending, {}
        else:
            keys = list(self._pending)[: self.max_batch]
            batch = {key: self._pending.pop(key) for key in keys}
        self.batches += 1
        self._schedule()  # more than max_batch were waiting: another batch, if allowed
        try:
            try:
                values = await self._fetch(list(batch))
                if len(values) != len(batch):
                    raise RuntimeError(
                        f"a batch of {len(batch)} keys was answered with {len(values)} values"
                    )
            except Exception as exc:
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                return
            except BaseException:  # cancelled (the server is stopping): so are its requests
                for futures in batch.values():
                    for future in futures:
                        future.cancel()
                raise
            for futures, value in zip(batch.values(), values, strict=True):
                for future in futures:
                    if not future.done():  # its request may have been cancelled meanwhile
                        future.set_result(value)
        finally:
            self._inflight -= 1
            self._schedule()


def _retrieve(future: "asyncio.Future[Any]") -> None:
    # Marks a failure as seen, so asyncio does not log it as lost; ``await`` still raises it.
    if not future.cancelled():
        future.exception()
