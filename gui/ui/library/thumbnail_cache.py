"""A folder of small thumbnail files with a size cap; the least recently used go first.

Keys are free text (a source path with its size and mtime, and the thumbnail size); files are
named by the key's hash. The order of use is kept in memory and mirrored in each file's access
time, so a new session starts with the same order. Safe to call from the loader's threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

__all__ = ["ThumbnailCache"]

_SUFFIX = ".jpg"


class ThumbnailCache:
    """Disk cache for thumbnails, at most ``cap_mb`` megabytes (10⁶ bytes)."""

    def __init__(self, folder: Path | str, cap_mb: float = 200.0) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cap_bytes = int(cap_mb * 1_000_000)
        self._lock = threading.Lock()
        self._sizes: OrderedDict[str, int] = OrderedDict()  # file name → bytes, oldest use first
        self._total = 0
        self._load()

    # ---- public
    def get(self, key: str) -> Path | None:
        """The cached file for ``key`` (now the most recently used), or None."""
        name = self._name(key)
        with self._lock:
            if name not in self._sizes:
                return None
            path = self.folder / name
            if not path.exists():  # removed behind our back
                self._total -= self._sizes.pop(name)
                return None
            self._sizes.move_to_end(name)
            self._touch(path)
            return path

    def put(self, key: str, data: bytes) -> Path:
        """Store ``data`` for ``key`` and evict the least recently used beyond the cap."""
        name = self._name(key)
        path = self.folder / name
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._lock:
            self._total -= self._sizes.pop(name, 0)
            self._sizes[name] = len(data)
            self._total += len(data)
            self._touch(path)
            self._evict(keep=name)
        return path

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return isinstance(key, str) and self._name(key) in self._sizes

    def __len__(self) -> int:
        with self._lock:
            return len(self._sizes)

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return self._total

    def clear(self) -> None:
        with self._lock:
            for name in self._sizes:
                (self.folder / name).unlink(missing_ok=True)
            self._sizes.clear()
            self._total = 0

    # ---- private
    @staticmethod
    def _name(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40] + _SUFFIX

    @staticmethod
    def _touch(path: Path) -> None:
        now = time.time_ns()
        with contextlib.suppress(OSError):  # the order in memory still holds for this session
            os.utime(path, ns=(now, now))

    def _load(self) -> None:
        entries = []
        for path in self.folder.glob("*" + _SUFFIX):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_atime_ns, path.name, st.st_size))
        for _, name, size in sorted(entries):
            self._sizes[name] = size
            self._total += size
        for stale in self.folder.glob(".part-*"):  # an interrupted write from an earlier run
            stale.unlink(missing_ok=True)
        self._evict(keep=None)

    def _evict(self, keep: str | None) -> None:
        while self._total > self.cap_bytes and self._sizes:
            name = next(iter(self._sizes))
            if name == keep and len(self._sizes) == 1:
                break  # one file larger than the cap stays until the next one arrives
            size = self._sizes.pop(name)
            self._total -= size
            (self.folder / name).unlink(missing_ok=True)
