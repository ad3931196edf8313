"""``TurnBufferedHandler``: the lines of one event-loop turn in one write, in order; at once for
a warning, outside a loop, or once the loop that was to write them is gone."""

import asyncio
import logging
from collections.abc import Iterator

import pytest

from fittrack.server.logs import TurnBufferedHandler


class Stream:
    """A stream that records each write."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> None:
        self.writes.append(text)

    def flush(self) -> None:
        pass


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, Stream]]:
    stream = Stream()
    handler = TurnBufferedHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("fittrack.test.turns")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_one_turns_lines_go_in_one_write_in_order(logged: tuple[logging.Logger, Stream]) -> None:
    logger, stream = logged

    async def main() -> None:
        for n in range(3):
            logger.info("line %d", n)
        assert stream.writes == []  # not yet: at the start of the next turn
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        logger.info("next turn")
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run(main())
    assert stream.writes == ["INFO line 0\nINFO line 1\nINFO line 2\n", "INFO next turn\n"]


def test_a_warning_writes_what_waits_and_itself_at_once(
    logged: tuple[logging.Logger, Stream],
) -> None:
    logger, stream = logged

    async def main() -> None:
        logger.info("first")
        logger.warning("careful")
        assert stream.writes == ["INFO first\nWARNING careful\n"]

    asyncio.run(main())


def test_outside_a_loop_each_line_is_written_at_once(
    logged: tuple[logging.Logger, Stream],
) -> None:
    logger, stream = logged
    logger.info("no loop")
    assert stream.writes == ["INFO no loop\n"]


def test_lines_of_a_loop_that_stopped_are_written_by_the_next_line(
    logged: tuple[logging.Logger, Stream],
) -> None:
    logger, stream = logged

    loop = asyncio.new_event_loop()

    def last_words() -> None:
        logger.info("said as the loop ends")  # its flush is to run on a turn that never comes
        loop.stop()

    loop.call_soon(last_words)
    loop.run_forever()
    loop.close()
    assert stream.writes == []

    async def later() -> None:
        logger.info("on another loop")

    asyncio.run(later())
    assert "".join(stream.writes).startswith("INFO said as the loop ends\nINFO on another loop\n")
