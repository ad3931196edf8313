"""``Batcher``: concurrent lookups share one fetch, each gets its own answer, and no lookup is
answered by a fetch that started before it was asked."""

import asyncio
from collections.abc import Callable, Sequence

import pytest

from fittrack.server.batch import Batcher


class Table:
    """A dict behind a fetch that records its batches and can be held open."""

    def __init__(self, rows: dict[str, int]) -> None:
        self.rows = rows
        self.batches: list[list[str]] = []
        self.open_now = 0
        self.most_open = 0
        self.gate: asyncio.Event | None = None

    async def fetch(self, keys: Sequence[str]) -> list[int | None]:
        self.batches.append(list(keys))
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            if self.gate is not None:
                await self.gate.wait()
            else:
                await asyncio.sleep(0)
            return [self.rows.get(key) for key in keys]
        finally:
            self.open_now -= 1


async def until(condition: Callable[[], bool]) -> None:
    """Let the event loop turn until ``condition`` holds (a batch goes a few turns later)."""
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


def test_lookups_made_together_share_one_fetch() -> None:
    async def main() -> None:
        table = Table({"a": 1, "b": 2, "c": 3})
        batcher: Batcher[str, int | None] = Batcher(table.fetch)
        values = await asyncio.gather(*(batcher.load(k) for k in ["a", "b", "a", "x", "c"]))
        assert values == [1, 2, 1, None, 3]
        assert table.batches == [["a", "b", "x", "c"]]  # distinct keys, in the order asked
        assert (batcher.loads, batcher.batches) == (5, 1)

    asyncio.run(main())


def test_a_batch_is_never_larger_than_max_batch() -> None:
    async def main() -> None:
        table = Table({str(n): n for n in range(10)})
        batcher: Batcher[str, int | None] = Batcher(table.fetch, max_batch=4, max_inflight=8)
        values = await asyncio.gather(*(batcher.load(str(n)) for n in range(10)))
        assert values == list(range(10))
        assert [len(batch) for batch in table.batches] == [4, 4, 2]

    asyncio.run(main())


def test_no_more_than_max_inflight_fetches_at_once_and_the_rest_wait_for_one() -> None:
    async def main() -> None:
        table = Table({str(n): n for n in range(12)})
        table.gate = asyncio.Event()
        batcher: Batcher[str, int | None] = Batcher(table.fetch, max_batch=2, max_inflight=2)
        loads = [asyncio.ensure_future(batcher.load(str(n))) for n in range(12)]
        await until(lambda: table.open_now == 2)
        for _ in range(5):
            await asyncio.sleep(0)
        assert len(table.batches) == 2  # the other four wait for one of these
        table.gate.set()
        assert await asyncio.gather(*loads) == list(range(12))
        assert table.most_open == 2
        assert len(table.batches) == 6

    asyncio.run(main())


def test_a_lookup_asked_during_a_fetch_sees_what_was_written_before_it_was_asked() -> None:
    """The read-your-writes promise: a key asked while a batch is on its way (which may have read
    the old row) goes into the next batch, which starts after it was asked."""

    async def main() -> None:
        table = Table({"a": 1})
        table.gate = asyncio.Event()
        batcher: Batcher[str, int | None] = Batcher(table.fetch, max_inflight=1)
        first = asyncio.ensure_future(batcher.load("a"))
        await until(lambda: table.open_now == 1)
        assert table.batches == [["a"]]  # on its way, and may read the old row
        table.rows["a"] = 2  # a write commits, and its writer is answered
        second = asyncio.ensure_future(batcher.load("a"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert len(table.batches) == 1  # not sent while the first is out (max_inflight=1)
        table.gate.set()
        assert await second == 2
        assert await first in (1, 2)
        assert table.batches == [["a"], ["a"]]

    asyncio.run(main())


def test_a_failed_fetch_fails_its_own_lookups_only() -> None:
    async def main() -> None:
        calls = 0

        async def fetch(keys: Sequence[str]) -> list[str]:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise ConnectionError("database went away")
            return [key.upper() for key in keys]

        batcher: Batcher[str, str] = Batcher(fetch)
        failed = await asyncio.gather(batcher.load("a"), batcher.load("b"), return_exceptions=True)
        assert [type(e) for e in failed] == [ConnectionError, ConnectionError]
        assert await batcher.load("a") == "A"

    asyncio.run(main())


def test_a_fetch_answering_the_wrong_number_of_values_fails_loudly() -> None:
    async def main() -> None:
        async def fetch(keys: Sequence[str]) -> list[str]:
            return ["only one"]

        batcher: Batcher[str, str] = Batcher(fetch)
        results = await asyncio.gather(batcher.load("a"), batcher.load("b"), return_exceptions=True)
        assert all(isinstance(r, RuntimeError) for r in results)
        assert "2 keys was answered with 1 values" in str(results[0])

    asyncio.run(main())


def test_a_cancelled_lookup_leaves_the_others_answered() -> None:
    async def main() -> None:
        table = Table({"a": 1, "b": 2})
        table.gate = asyncio.Event()
        batcher: Batcher[str, int | None] = Batcher(table.fetch)
        gone = asyncio.ensure_future(batcher.load("a"))
        kept = asyncio.ensure_future(batcher.load("b"))
        await until(lambda: table.open_now == 1)
        gone.cancel()
        table.gate.set()
        assert await kept == 2
        with pytest.raises(asyncio.CancelledError):
            await gone
        assert await batcher.load("a") == 1  # and the batcher goes on

    asyncio.run(main())


@pytest.mark.parametrize("options", [{"max_batch": 0}, {"max_inflight": 0}])
def test_sizes_below_one_are_refused(options: dict[str, int]) -> None:
    async def fetch(keys: Sequence[str]) -> list[str]:
        return list(keys)

    with pytest.raises(ValueError, match="at least 1"):
        Batcher(fetch, **options)


def test_a_batch_cancelled_before_it_ran_leaves_the_batcher_working() -> None:
    """A batch task cancelled before its first step (its loop closing) took no keys: the keys
    waiting are cancelled with it, and later lookups are fetched as usual, not stuck behind it."""

    async def main() -> None:
        table = Table({"a": 1})
        batcher: Batcher[str, int | None] = Batcher(table.fetch, max_inflight=1)
        left = batcher.submit("a")
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()  # the batch task, before it ran
        await until(left.done)
        assert left.cancelled()
        assert table.batches == []
        assert await asyncio.wait_for(batcher.load("a"), 5) == 1
        assert table.batches == [["a"]]

    asyncio.run(main())
