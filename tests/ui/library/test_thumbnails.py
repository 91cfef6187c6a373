"""Thumbnails: a disk cache with a size cap, loaded lazily for visible cards only."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from gui.ui.library.thumbnail_cache import ThumbnailCache
from gui.ui.library.thumbnails import ThumbnailLoader, thumbnail_source

KB = 1000


def test_cache_evicts_least_recently_used_beyond_its_cap(tmp_path):
    cache = ThumbnailCache(tmp_path, cap_mb=0.010)  # 10 kB
    cache.put("a", b"a" * 4 * KB)
    cache.put("b", b"b" * 4 * KB)
    assert cache.size_bytes == 8 * KB and len(cache) == 2
    assert cache.get("a") is not None  # a is now more recent than b
    cache.put("c", b"c" * 4 * KB)
    assert "b" not in cache and "a" in cache and "c" in cache
    assert cache.size_bytes == 8 * KB <= cache.cap_bytes
    assert cache.get("b") is None
    assert sum(p.stat().st_size for p in tmp_path.glob("*.jpg")) == 8 * KB  # gone from disk too
    assert cache.get("a").read_bytes() == b"a" * 4 * KB


def test_cache_keeps_the_order_of_use_across_sessions(tmp_path):
    first = ThumbnailCache(tmp_path, cap_mb=0.010)
    for key in "xyz":
        first.put(key, key.encode() * 3 * KB)
    first.get("x")  # y is now the least recently used
    second = ThumbnailCache(tmp_path, cap_mb=0.010)
    assert second.size_bytes == 9 * KB and len(second) == 3
    second.put("w", b"w" * 3 * KB)
    assert "y" not in second and {"x", "z", "w"} <= {k for k in "xyzw" if k in second}


def test_a_smaller_cap_trims_on_open_and_a_replaced_entry_is_counted_once(tmp_path):
    big = ThumbnailCache(tmp_path, cap_mb=1)
    for n in range(10):
        big.put(f"k{n}", b"." * 2 * KB)
    big.put("k9", b"." * 3 * KB)
    assert big.size_bytes == 21 * KB
    small = ThumbnailCache(tmp_path, cap_mb=0.005)
    assert small.size_bytes <= 5 * KB
    assert "k9" in small and "k0" not in small


@pytest.fixture
def many_thumbnail_jobs(make_job, tmp_path):
    folder = tmp_path / "thumbs"
    folder.mkdir()
    jobs = []
    for n in range(300):
        path = folder / f"{n:03}.jpg"
        Image.new("RGB", (64, 36), ((n * 37) % 256, (n * 11) % 256, 90)).save(path)
        job = make_job(f"card {n}", created_at=1_000_000 - n)
        job.results[0].thumbnail_path = str(path)
        jobs.append(job)
    return jobs


def test_only_visible_cards_load_their_thumbnails(library_view, many_thumbnail_jobs, qtbot):
    view = library_view(many_thumbnail_jobs, size=(1000, 640))
    loader = view.thumbnails
    first_path = many_thumbnail_jobs[0].results[0].thumbnail_path
    qtbot.waitUntil(lambda: first_path in loader.memory and loader.pending() == 0, timeout=5000)
    visible = loader.loads_started
    assert 4 <= visible <= 30  # a screenful, not three hundred
    assert len(loader.cache) == visible

    view.grid.scrollToBottom()
    last_path = many_thumbnail_jobs[-1].results[0].thumbnail_path
    qtbot.waitUntil(lambda: last_path in loader.memory, timeout=5000)
    assert loader.loads_started <= 2 * visible + 10
    pixmap = loader.memory.get(last_path)
    assert (pixmap.width(), pixmap.height()) == (320, 180)  # read at the scaled size


def test_a_second_session_reads_from_the_disk_cache(tmp_path, clips, qtbot):
    cache = ThumbnailCache(tmp_path / "c", cap_mb=5)
    first = ThumbnailLoader(cache)
    with qtbot.waitSignal(first.thumbnail_ready, timeout=5000):
        assert first.pixmap(str(clips.mp4)) is None  # a video: a frame is decoded with PyAV
    picture = first.pixmap(str(clips.mp4))
    assert picture is not None and (picture.width(), picture.height()) == (300, 180)
    assert first.disk_hits == 0 and len(cache) == 1

    second = ThumbnailLoader(ThumbnailCache(tmp_path / "c", cap_mb=5))
    with qtbot.waitSignal(second.thumbnail_ready, timeout=5000):
        second.request(str(clips.mp4))
    assert second.disk_hits == 1
    first.wait_idle()
    second.wait_idle()


def test_a_broken_file_is_not_retried_on_every_paint(tmp_path, qtbot):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    loader = ThumbnailLoader(None)
    loader.pixmap(str(broken))
    qtbot.waitUntil(lambda: loader.pending() == 0, timeout=5000)
    before = loader.loads_started
    assert loader.pixmap(str(broken)) is None
    assert loader.loads_started == before
    loader.wait_idle()


def test_the_library_thumbnail_is_preferred_to_the_video(tmp_path, clips):
    jpg = tmp_path / "t.jpg"
    Image.new("RGB", (8, 8)).save(jpg)
    assert thumbnail_source(str(jpg), str(clips.mp4)) == str(jpg)
    assert thumbnail_source(str(tmp_path / "missing.jpg"), str(clips.mp4)) == str(clips.mp4)
    assert thumbnail_source(None, os.fspath(tmp_path / "gone.mp4")) is None
