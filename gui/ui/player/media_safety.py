"""Stopping a QMediaPlayer without freezing the app.

PySide6 keeps the GIL while ``QMediaPlayer.stop()`` (or unloading with ``setSource(QUrl())``)
tears down the FFmpeg pipeline and waits for its threads. If one of those threads is at that
moment destroying an object connected to a Python-made Qt object, it needs the GIL too: both
wait forever (seen here in about one of 60 stop() calls). Sending the calls through the event
loop as queued slot invocations lets Qt run them in C++ with the GIL released.

Never call ``stop()`` on a player directly; use these.
"""

from __future__ import annotations

from PySide6.QtCore import Q_ARG, QMetaObject, Qt, QUrl
from PySide6.QtMultimedia import QMediaPlayer

__all__ = ["stop_later", "unload_later"]

_QUEUED = Qt.ConnectionType.QueuedConnection


def stop_later(player: QMediaPlayer) -> None:
    """Stop on the next turn of the event loop (the GIL released meanwhile)."""
    QMetaObject.invokeMethod(player, "stop", _QUEUED)


def unload_later(player: QMediaPlayer) -> None:
    """Stop and drop the source on the next turn of the event loop.

    Do not follow it with a direct ``setSource(new)`` in the same turn: the queued unload would
    run after it. To switch media, call ``setSource(new)`` directly instead.
    """
    QMetaObject.invokeMethod(player, "stop", _QUEUED)
    QMetaObject.invokeMethod(player, "setSource", _QUEUED, Q_ARG(QUrl, QUrl()))
