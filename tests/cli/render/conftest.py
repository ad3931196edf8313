"""A terminal of a chosen width for the render modules' tests to draw on."""

import io
from collections.abc import Callable

import pytest
from rich.console import Console

from fittrack.cli.render import base

Screen = Callable[[int, Callable[[], None]], list[str]]


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> Screen:
    """``screen(width, draw)``: the lines ``draw`` prints on a terminal ``width`` cells wide,
    without colour."""

    def lines(width: int, draw: Callable[[], None]) -> list[str]:
        buffer = io.StringIO()
        monkeypatch.setattr(
            base,
            "stdout_console",
            lambda: Console(
                file=buffer, width=width, force_terminal=True, color_system=None, highlight=False
            ),
        )
        draw()
        return buffer.getvalue().splitlines()

    return lines
