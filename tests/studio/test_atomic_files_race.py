"""Two writers of one file at once: each write is whole, none fails."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gui.studio.atomic_files import write_atomic


def test_concurrent_writers_of_the_same_file(tmp_path: Path) -> None:
    target = tmp_path / "frame.png"
    payloads = [bytes([i]) * 200_000 for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda data: write_atomic(target, data), payloads))
    assert target.read_bytes() in payloads
    assert [p.name for p in tmp_path.iterdir()] == ["frame.png"]  # no tmp left behind
