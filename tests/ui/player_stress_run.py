"""Drive the studio's player through many play/pause/seek/stop/switch cycles, as a person would.

Run as its own process (``python -m tests.ui.player_stress_run CLIP_A CLIP_B CYCLES``) under a
faulthandler limit: a deadlock inside Qt's multimedia code ends it with every thread's stack and
exit status 1 instead of hanging. It prints ``done N`` when every cycle completed.

Each cycle: a click on Play (it plays), a click on Pause (it pauses), a click on the scrub bar
at a spot that changes with the cycle (the position lands there), nothing selected (the player
stops and unloads), then the other clip (a switch). The player keeps its own ``QAudioOutput``
made from Python, which is what the GIL deadlock needs (gui/ui/player/media_safety.py).
"""

from __future__ import annotations

import faulthandler
import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QPoint, Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.ui.player.player import PlayerWidget

FPS = 30
PLAYING = QMediaPlayer.PlaybackState.PlayingState
PAUSED = QMediaPlayer.PlaybackState.PausedState
CYCLE = [0]
LOADED = {QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia}


def spin_until(check: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what} in cycle {CYCLE[0]}")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def click(widget, x: int | None = None) -> None:  # type: ignore[no-untyped-def]
    at = widget.rect().center()
    if x is not None:
        at = QPoint(x, at.y())
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def main(clips: list[str], cycles: int) -> None:
    limit = float(os.environ.get("STRESS_LIMIT", "0"))
    if limit:
        faulthandler.dump_traceback_later(limit, exit=True)
    app = QApplication.instance() or QApplication([])
    player = PlayerWidget()
    player.resize(640, 420)
    player.show()
    bar = player.transport
    slider = bar.slider
    assert player.audio is not None, "the player must have its audio output for this test"
    for n in range(cycles):
        CYCLE[0] = n
        player.load_file(clips[n % 2], fps=FPS)  # switch
        spin_until(lambda: player.media.mediaStatus() in LOADED, "the clip to load")
        spin_until(lambda: slider.maximum() > 0, "the scrub bar's range")
        click(bar.play_button)
        spin_until(lambda: player.media.playbackState() == PLAYING, "playing")
        click(bar.play_button)
        spin_until(lambda: player.media.playbackState() == PAUSED, "paused")
        fraction = 0.1 + 0.8 * ((n * 7) % 10) / 10
        x = round(slider.width() * fraction)
        click(slider, x)
        wanted = slider.maximum() * fraction
        near = slider.maximum() * 0.15  # the groove's margins move the spot a little
        spin_until(lambda w=wanted, d=near: abs(player.media.position() - w) <= d, "the seek")
        player.show_job(None)  # nothing selected: it stops and unloads
        spin_until(lambda: not player.media.source().isValid(), "the unload")
        if n % 50 == 0:
            print(f"cycle {n}", file=sys.stderr, flush=True)
    player.close()
    del app
    print(f"done {cycles}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:3], int(sys.argv[3]))
