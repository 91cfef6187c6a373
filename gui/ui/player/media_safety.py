"""Every call that drives a QMediaPlayer goes through here, so none can deadlock on the GIL.

PySide6 keeps the GIL while a plain Python call such as ``player.stop()`` or
``player.setPosition()`` runs in C++. When the player has an audio output made from Python,
those calls wait for FFmpeg's threads, and one of them may at that moment need the GIL (to
destroy or signal an object Python owns): both wait forever. Measured with
tests/qt_upstream/repro_media_gil.py: a direct ``stop()`` hung within 80 cycles on PySide6
6.11.3 (and 6.10.3, 6.12.0; see docs/testing.md).

``QMetaObject.invokeMethod`` is declared ``allow-thread`` in PySide6's typesystem: it releases
the GIL before Qt runs the slot. With ``DirectConnection`` the slot still runs at once, in this
thread, so these helpers behave like the direct calls (``position()`` reads the new value
straight after :func:`seek`), without the deadlock: 100 cycles of play/seek/stop/unload through
them complete on every version tried (tests/qt_upstream/test_media_gil.py).

Never call ``play``/``pause``/``stop``/``setPosition``/``setSource``/``setPlaybackRate`` on a
player directly; tests/ui/test_media_safety.py fails on any such call in gui/ui.
"""

from __future__ import annotations

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QTimer, QUrl
from PySide6.QtMultimedia import QMediaPlayer

__all__ = [
    "pause",
    "play",
    "seek",
    "set_rate",
    "set_source",
    "stop",
    "stop_later",
    "unload",
    "unload_later",
]

_DIRECT = Qt.ConnectionType.DirectConnection
_QUEUED = Qt.ConnectionType.QueuedConnection
_PENDING_UNLOAD = "soraPendingUnload"  # a dynamic property: the token of the unload still due


def _invoke(target: QObject, method: str, *args: object) -> None:
    """Run the slot now, in this thread, with the GIL released."""
    if not QMetaObject.invokeMethod(target, method, _DIRECT, *args):  # type: ignore[call-overload]
        raise RuntimeError(f"{type(target).__name__}.{method} could not be invoked")


def play(player: QMediaPlayer) -> None:
    _invoke(player, "play")


def pause(player: QMediaPlayer) -> None:
    _invoke(player, "pause")


def stop(player: QMediaPlayer) -> None:
    _invoke(player, "stop")


def seek(player: QMediaPlayer, position_ms: int) -> None:
    _invoke(player, "setPosition", Q_ARG("qint64", int(position_ms)))


def set_rate(player: QMediaPlayer, rate: float) -> None:
    _invoke(player, "setPlaybackRate", Q_ARG("qreal", float(rate)))


def set_source(player: QMediaPlayer, url: QUrl) -> None:
    """Load ``url`` now; an :func:`unload_later` still waiting for its turn is called off."""
    player.setProperty(_PENDING_UNLOAD, 0)
    _invoke(player, "setSource", Q_ARG(QUrl, url))


def unload(player: QMediaPlayer) -> None:
    """Stop and drop the source now."""
    stop(player)
    set_source(player, QUrl())


def stop_later(player: QMediaPlayer) -> None:
    """Stop on the next turn of the event loop (for a caller inside one of the player's own
    signals, where stopping at once would re-enter it)."""
    QMetaObject.invokeMethod(player, "stop", _QUEUED)


def unload_later(player: QMediaPlayer) -> None:
    """Stop and drop the source on the next turn of the event loop (for a caller inside one of
    the player's own signals).

    A :func:`set_source` before that turn calls the unload off, so "show nothing, then show
    this" in one turn (the player's empty page, then the next job) plays the new source.
    """
    token = int(player.property(_PENDING_UNLOAD) or 0) + 1
    player.setProperty(_PENDING_UNLOAD, token)

    def unload_if_still_wanted() -> None:
        if player.property(_PENDING_UNLOAD) == token:
            player.setProperty(_PENDING_UNLOAD, 0)
            unload(player)

    QTimer.singleShot(0, player, unload_if_still_wanted)
