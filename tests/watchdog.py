"""A per-test watchdog that fires even inside a native deadlock.

pytest-timeout's ``thread`` method needs the GIL to act: a test stuck in C++ that holds the GIL
(a Qt multimedia call waiting on an FFmpeg thread that waits for the GIL) stays hung past its
limit. :func:`faulthandler.dump_traceback_later` runs in a C thread of its own: a little after
the pytest timeout it writes every Python thread's stack to the real stderr and exits the
process (status 1), so CI fails fast and shows where each thread was.

It covers the whole test protocol (setup, call and teardown: a teardown hang counts), is armed
afresh for each test and cancelled after it. ``SORA_WATCHDOG_MARGIN`` (seconds, default 15) is
how long after the test's pytest timeout it fires. Used by tests/conftest.py; a plugin of its
own (``-p tests.watchdog``) for tests/test_watchdog.py's inner runs.
"""

from __future__ import annotations

import faulthandler
import os
import sys
from collections.abc import Generator

import pytest

__all__ = ["pytest_configure", "pytest_runtest_protocol", "watchdog_seconds"]

DEFAULT_MARGIN = 15.0
_stderr_copy: int | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Keep a copy of the real stderr: during a test, fd 2 is pytest's capture file, which is
    lost when the watchdog exits the process."""
    global _stderr_copy
    if _stderr_copy is None:
        try:
            _stderr_copy = os.dup(sys.__stderr__.fileno() if sys.__stderr__ else 2)
        except (OSError, ValueError):
            _stderr_copy = os.dup(2)


def watchdog_seconds(item: pytest.Item) -> float | None:
    """The test's pytest timeout plus the margin; None when the test has no timeout."""
    marker = item.get_closest_marker("timeout")
    timeout: float | None = None
    if marker is not None:
        value = marker.kwargs.get("timeout", marker.args[0] if marker.args else None)
        timeout = None if value is None else float(value)
    if timeout is None:
        option = item.config.getoption("timeout", None)
        if option is None:
            option = item.config.getini("timeout") or 0
        timeout = float(option)
    if timeout <= 0:
        return None
    margin = float(os.environ.get("SORA_WATCHDOG_MARGIN", DEFAULT_MARGIN))
    return timeout + margin


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    seconds = watchdog_seconds(item)
    if seconds is None:
        yield
        return
    out = _stderr_copy if _stderr_copy is not None else 2
    faulthandler.dump_traceback_later(seconds, exit=True, file=out)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
