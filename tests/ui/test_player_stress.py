"""1,000 play/pause/seek/stop/switch cycles through the studio's player, with its audio output.

The cycles run in their own process (tests/ui/player_stress_run.py) under a faulthandler limit,
so a deadlock in Qt's multimedia code fails this test with every thread's stack instead of
hanging the suite. This machine has no sound device: the player's QAudioOutput still exists and
FFmpeg still decodes the audio track, which is what the GIL deadlock needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.clips import write_clip

CYCLES = 1000
LIMIT = 240  # seconds; 1,000 cycles take well under a minute on 2 cores


@pytest.mark.timeout(LIMIT + 60)
def test_a_thousand_cycles_of_play_pause_seek_stop_switch(tmp_path: Path) -> None:
    a = write_clip(tmp_path / "a.mp4", seconds=1.0, fps=30)
    b = write_clip(tmp_path / "b.mp4", seconds=1.5, fps=30)
    env = {**os.environ, "STRESS_LIMIT": str(LIMIT)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.player_stress_run", str(a), str(b), str(CYCLES)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=LIMIT + 30,  # faulthandler ends a hung run first; this bounds a broken one
    )
    assert f"done {CYCLES}" in done.stdout, f"hung, crashed or gave up:\n{done.stderr[-4000:]}"
