"""Which threads call a function: the real function still runs, each call's thread is kept.

For tests that hold slow work (a TLS context, a keyring read, an fsync) off the event loop's
thread."""

from __future__ import annotations

import threading
from typing import Any

import pytest


def record_threads(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str
) -> list[threading.Thread]:
    """Replace ``owner.name`` (for this test) by a wrapper that notes the calling thread."""
    threads: list[threading.Thread] = []
    real = getattr(owner, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return threads
