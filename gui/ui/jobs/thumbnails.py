"""Thumbnails for the jobs list: decoded off the UI thread, kept as scaled QPixmaps.

The delegate asks for a path's pixmap while painting. A miss returns None at once (the delegate
paints a placeholder) and queues a decode on a worker thread; when it lands, ``loaded`` names the
path so the model can repaint the rows that show it.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap

__all__ = ["ThumbnailCache"]


class _Decoded(QObject):
    done = Signal(str, QImage)


class _DecodeJob(QRunnable):
    def __init__(self, path: str, size: QSize, sink: _Decoded) -> None:
        super().__init__()
        self._path, self._size, self._sink = path, size, sink

    def run(self) -> None:  # worker thread: QImage only, never QPixmap
        reader = QImageReader(self._path)
        reader.setAutoTransform(True)
        source = reader.size()
        if source.isValid():
            reader.setScaledSize(
                source.scaled(self._size, Qt.AspectRatioMode.KeepAspectRatioByExpanding)
            )
        image = reader.read()
        self._sink.done.emit(self._path, image)


class ThumbnailCache(QObject):
    """An LRU of decoded thumbnails, filled lazily on a small thread pool."""

    loaded = Signal(str)

    def __init__(self, size: QSize, capacity: int = 600, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self._capacity = capacity
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._failed: set[str] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._sink = _Decoded(self)
        self._sink.done.connect(self._store)

    def pixmap(self, path: str | None) -> QPixmap | None:
        """The cached pixmap, or None (and a decode is queued) when it is not ready yet."""
        if not path or path in self._failed:
            return None
        pixmap = self._pixmaps.get(path)
        if pixmap is not None:
            self._pixmaps.move_to_end(path)
            return pixmap
        if path not in self._pending:
            self._pending.add(path)
            self._pool.start(_DecodeJob(path, self._size, self._sink))
        return None

    def wait_idle(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def _store(self, path: str, image: QImage) -> None:
        self._pending.discard(path)
        if image.isNull():
            self._failed.add(path)
            return
        self._pixmaps[path] = QPixmap.fromImage(image)
        while len(self._pixmaps) > self._capacity:
            self._pixmaps.popitem(last=False)
        self.loaded.emit(path)
