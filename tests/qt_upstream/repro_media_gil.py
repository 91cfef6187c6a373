"""Reproduction of the QMediaPlayer GIL deadlock with a Python-created QAudioOutput.

Run standalone: ``python repro_media_gil.py CLIP [CYCLES] [MODE]`` (needs only PySide6). MODE
``direct`` calls ``play()``, ``setPosition()`` and ``stop()`` straight from Python, as any code
would; ``queued`` sends ``stop``/``setPosition``/``setSource`` through the event loop as queued
slot invocations; ``invoke`` makes the same calls synchronously through
``QMetaObject.invokeMethod(..., DirectConnection)``, which PySide runs with the GIL released
(``allow-thread`` in its typesystem; gui/ui/player/media_safety.py). A deadlock (the main thread holding the GIL
inside stop()/setPosition() while an FFmpeg thread waits for it) makes this process hang: run
it under a timeout. It prints "done N" when every cycle completed.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import signal
import sys
import time

from PySide6.QtCore import Q_ARG, QCoreApplication, QEventLoop, QMetaObject, Qt, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import QApplication

QUEUED = Qt.ConnectionType.QueuedConnection
DIRECT = Qt.ConnectionType.DirectConnection


def spin_until(check, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    return True


def main(clip: str, cycles: int, mode: str) -> None:
    if os.environ.get("REPRO_PROTECT_NONE") and sys.version_info < (3, 12):
        # PySide6 6.12 on 3.11 loses a reference to None/True per void call (PYSIDE-3474,
        # repro_refcount.py): give them headroom so that bug does not end this one first
        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 shows every stack
    limit = float(os.environ.get("REPRO_LIMIT", "0"))
    if limit:  # a deadlock ends the process with every thread's stack, exit status 1
        faulthandler.dump_traceback_later(limit, exit=True)
    app = QApplication.instance() or QApplication([])
    playing = QMediaPlayer.PlaybackState.PlayingState
    stopped = QMediaPlayer.PlaybackState.StoppedState
    for n in range(cycles):
        player, audio = QMediaPlayer(), QAudioOutput()  # the QAudioOutput made from Python
        player.setAudioOutput(audio)
        player.setSource(QUrl.fromLocalFile(clip))
        player.play()
        spin_until(lambda p=player: p.playbackState() == playing)
        if mode == "direct":
            player.setPosition(300)
            player.play()
            player.stop()
        elif mode == "invoke":  # synchronous, through invokeMethod (allow-thread: GIL released)
            QMetaObject.invokeMethod(player, "setPosition", DIRECT, Q_ARG("qint64", 300))
            QMetaObject.invokeMethod(player, "play", DIRECT)
            QMetaObject.invokeMethod(player, "stop", DIRECT)
            QMetaObject.invokeMethod(player, "setSource", DIRECT, Q_ARG(QUrl, QUrl()))
        else:
            QMetaObject.invokeMethod(player, "setPosition", QUEUED, Q_ARG("qint64", 300))
            QMetaObject.invokeMethod(player, "stop", QUEUED)
            spin_until(lambda p=player: p.playbackState() == stopped)
            QMetaObject.invokeMethod(player, "setSource", QUEUED, Q_ARG(QUrl, QUrl()))
            spin_until(lambda p=player: not p.source().isValid())
        player.deleteLater()
        audio.deleteLater()
        QCoreApplication.processEvents()
        if n % 20 == 0:
            print(f"cycle {n}", file=sys.stderr, flush=True)
    del app
    print(f"done {cycles}", flush=True)


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]) if len(sys.argv) > 2 else 100,
        sys.argv[3] if len(sys.argv) > 3 else "direct",
    )
