"""Ctrl-C held over a commit: raised at once, or when allowed again if pressed while deferred."""

import os
import signal
import threading

import pytest

from fittrack.interrupts import CtrlC


def press_ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_is_a_keyboard_interrupt_when_not_deferred() -> None:
    with pytest.raises(KeyboardInterrupt), CtrlC():
        press_ctrl_c()


def test_ctrl_c_while_deferred_waits_for_allow() -> None:
    with CtrlC() as ctrl_c:
        ctrl_c.defer()
        press_ctrl_c()  # held: nothing is raised here
        with pytest.raises(KeyboardInterrupt):
            ctrl_c.allow()
        ctrl_c.allow()  # raised once only


def test_a_held_ctrl_c_can_be_dropped() -> None:
    with CtrlC() as ctrl_c:
        ctrl_c.defer()
        press_ctrl_c()
        ctrl_c.allow(raise_pending=False)
        ctrl_c.allow()


def test_python_s_handler_is_back_afterwards() -> None:
    with CtrlC():
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_it_leaves_ctrl_c_alone() -> None:
    seen: list[object] = []

    def run() -> None:
        with CtrlC() as ctrl_c:
            ctrl_c.defer()
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler]
