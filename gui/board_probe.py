"""A test probe (``SORA_STUDIO_TEST_BOARD``, see gui/app_probes.py): the running app opens a
board in its Storyboard tab and generates it through the tab's view-model, as a user's Generate
does, saying how the shots stand on stdout. Used to kill the whole app mid-board
(tests/reliability/test_board_app_kill.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from gui.app_probes import say

__all__ = ["generate_board"]


def _shots(vm: Any) -> list[dict[str, Any]]:
    return [
        {
            "status": view.status.value,
            "jobs": [take.job_id for take in view.takes if take.job_id],
            "chosen": view.chosen.job_id if view.chosen else None,
        }
        for view in vm.views
    ]


async def generate_board(studio: Any, path: Path) -> None:
    await studio.started.wait()
    if studio.session is None:
        say("start-failed", message=studio.start_error)
        return
    vm = studio.bindings.storyboard_vm
    window, view = studio.window, studio.bindings.storyboard
    window.tabs.setCurrentWidget(view)
    if not vm.open(path):
        say("board-failed", message=vm.message)
        return
    vm.views_changed.connect(lambda _views: say("board", shots=_shots(vm)))
    finished = asyncio.Event()
    vm.busy_changed.connect(lambda busy: None if busy else finished.set())
    say("board-opened", shots=_shots(vm))
    vm.generate()
    await finished.wait()
    say("board-done", shots=_shots(vm), message=vm.message)
