"""Thumbnails loaded lazily, off the UI thread, cached on disk and in memory.

A view asks :meth:`ThumbnailLoader.pixmap` while painting; only painted (visible) items ask.
A miss starts a job on a small thread pool: the disk cache is tried first, then the library's
thumbnail image (read by ``QImageReader`` at the scaled size), then a frame of the video itself
(PyAV). Newer requests run first, so scrolling fast does not queue up what scrolled away.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QImage, QImageReader, QPixmap

from gui.ui.library.thumbnail_cache import ThumbnailCache

__all__ = ["PixmapLru", "ThumbnailLoader", "thumbnail_source"]

log = logging.getLogger(__name__)

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}
_MAX_WAITING = 64  # requests beyond this are dropped, oldest first


class PixmapLru:
    """The last ``capacity`` pixmaps used, by key."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, QPixmap] = OrderedDict()

    def get(self, key: str) -> QPixmap | None:
        pixmap = self._items.get(key)
        if pixmap is not None:
            self._items.move_to_end(key)
        return pixmap

    def put(self, key: str, pixmap: QPixmap) -> None:
        self._items[key] = pixmap
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def discard(self, key: str) -> None:
        self._items.pop(key, None)


def thumbnail_source(thumbnail_path: str | None, video_path: str | None) -> str | None:
    """The file a thumbnail is made from: the library's image if it exists, else the video."""
    if thumbnail_path and os.path.exists(thumbnail_path):
        return thumbnail_path
    if video_path and os.path.exists(video_path):
        return video_path
    return None


def _fit(size: QSize, box: QSize) -> QSize:
    return size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio) if size.isValid() else box


def _read_image(path: str, box: QSize) -> QImage:
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    reader.setScaledSize(_fit(reader.size(), box))
    image = reader.read()
    if image.isNull():
        raise OSError(f"cannot read {Path(path).name}: {reader.errorString()}")
    return image


def _video_frame(path: str, box: QSize) -> QImage:
    """A frame a little way in (the very first is often black), scaled to fit ``box``."""
    import av  # here, in a worker: PyAV and numpy cost the window ~0.3 s before its first paint
    import numpy as np

    with av.open(path) as container:
        stream = container.streams.video[0]
        wanted = 0.5
        rgb = None
        for frame in container.decode(stream):
            rgb = frame.to_ndarray(format="rgb24")
            if frame.time is None or frame.time >= wanted:
                break
    if rgb is None:
        raise OSError(f"{Path(path).name} has no frames")
    pixels = np.ascontiguousarray(rgb)
    height, width, _ = pixels.shape
    image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    return image.scaled(
        _fit(image.size(), box),
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _jpeg(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's stubs type the format as bytes, but it takes only str (bytes raises ValueError)
    image.save(buffer, "JPG", 88)  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


class _Relay(QObject):
    """Lives on the UI thread; a worker's emit crosses threads as a queued call."""

    loaded = Signal(str, QImage, bool)  # source, picture, whether the disk cache had it
    failed = Signal(str, str)


class _LoadJob(QRunnable):
    def __init__(self, source: str, box: QSize, cache: ThumbnailCache | None, relay: _Relay):
        super().__init__()
        self.setAutoDelete(False)  # the loader keeps it, so a waiting job can be taken back
        self.source, self.box, self.cache, self.relay = source, box, cache, relay

    def run(self) -> None:
        try:
            image, cached = self._load()
        except Exception as exc:  # a bad file must not kill the pool thread
            self.relay.failed.emit(self.source, str(exc))
            return
        self.relay.loaded.emit(self.source, image, cached)

    def _load(self) -> tuple[QImage, bool]:
        st = os.stat(self.source)
        key = f"{self.source}|{st.st_size}|{st.st_mtime_ns}|{self.box.width()}x{self.box.height()}"
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                image = QImage(str(hit))
                if not image.isNull():
                    return image, True
        if Path(self.source).suffix.lower() in _IMAGE_SUFFIXES:
            image = _read_image(self.source, self.box)
        else:
            image = _video_frame(self.source, self.box)
        if self.cache is not None:
            self.cache.put(key, _jpeg(image))
        return image, False


class ThumbnailLoader(QObject):
    """Hands out thumbnails by source file; says ``thumbnail_ready(source)`` when one arrives."""

    thumbnail_ready = Signal(str)

    def __init__(
        self,
        cache: ThumbnailCache | None = None,
        size: QSize | None = None,
        memory_items: int = 500,
        threads: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = cache
        self.size = size or QSize(320, 180)
        self.memory = PixmapLru(memory_items)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.loaded.connect(self._on_loaded)
        self._relay.failed.connect(self._on_failed)
        self._jobs: OrderedDict[str, _LoadJob] = OrderedDict()  # waiting or running
        # finished jobs are kept until no pool thread runs, so none is freed inside its run()
        self._retired: list[_LoadJob] = []
        self._failed: set[str] = set()
        self._priority = itertools.count()
        self.loads_started = 0  # for tests and the curious: how many loads were started
        self.disk_hits = 0  # ... and how many of them the disk cache answered

    def pixmap(self, source: str | None) -> QPixmap | None:
        """The thumbnail if it is in memory; otherwise start loading it and return None."""
        if not source:
            return None
        found = self.memory.get(source)
        if found is None and source not in self._failed:
            self.request(source)
        return found

    def request(self, source: str) -> None:
        if source in self._jobs or source in self.memory:
            return
        job = _LoadJob(source, self.size, self.cache, self._relay)
        self._jobs[source] = job
        self.loads_started += 1
        # later requests are for what is on screen now: they go first
        self._pool.start(job, min(next(self._priority), 2**31 - 1))
        self._drop_stale()

    def pending(self) -> int:
        return len(self._jobs)

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until the pool is idle (tests and shutdown only)."""
        return self._pool.waitForDone(msecs)

    def forget(self, source: str) -> None:
        """Drop what is known about ``source`` (e.g. its file was replaced)."""
        self.memory.discard(source)
        self._failed.discard(source)

    def _drop_stale(self) -> None:
        while len(self._jobs) > _MAX_WAITING:
            source, job = next(iter(self._jobs.items()))
            if not self._pool.tryTake(job):
                break  # already running: it will finish
            del self._jobs[source]

    def _retire(self, source: str) -> None:
        job = self._jobs.pop(source, None)
        if job is not None:
            self._retired.append(job)
        if self._pool.activeThreadCount() == 0:
            self._retired.clear()

    def _on_loaded(self, source: str, image: QImage, cached: bool) -> None:
        self._retire(source)
        self.disk_hits += cached
        self.memory.put(source, QPixmap.fromImage(image))
        self.thumbnail_ready.emit(source)

    def _on_failed(self, source: str, message: str) -> None:
        self._retire(source)
        self._failed.add(source)
        log.info("no thumbnail for %s: %s", source, message)
