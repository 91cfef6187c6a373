"""Sandbox test fixtures: a module-wide sandbox for tests that only read, and a receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gui.sandbox.process import SandboxProcess
from tests.sandbox.support import Receiver


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One sandbox for a whole module, for tests that leave no state others could see."""
    process = SandboxProcess.start(
        tmp_path_factory.mktemp("shared-sandbox"), processing_seconds=0.2
    )
    yield process
    process.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
