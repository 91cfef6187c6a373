"""Saving a result out of the library: the video and its JSON sidecar, side by side.

The studio's library does this itself once it offers ``export``; this is the copy the window
uses until then and for tests. Files are written beside their final name and renamed when whole.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from gui.ui.library.items import LibraryItem

__all__ = ["export_name", "export_result"]


def export_name(item: LibraryItem) -> str:
    """A readable file stem: the prompt's first words and the job, e.g. ``red-kite-1a2b3c4d``."""
    words = re.sub(r"[^\w\s-]", "", item.prompt.lower(), flags=re.UNICODE).split()
    slug = "-".join(words)[:48].strip("-") or "video"
    suffix = f"-{item.index + 1}" if item.index else ""
    return f"{slug}-{item.job_id[:8]}{suffix}"


def _free(path: Path) -> Path:
    n, candidate = 2, path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return candidate


def _copy(source: Path, target: Path) -> None:
    part = target.with_name(target.name + ".part")
    shutil.copyfile(source, part)
    part.replace(target)


def export_result(item: LibraryItem, folder: Path | str) -> list[Path]:
    """Copy the item's video and sidecar JSON into ``folder``; returns the files written."""
    if not item.video_path or not Path(item.video_path).exists():
        raise FileNotFoundError(f"the video of “{item.prompt[:40]}” is not in the library")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(item.video_path)
    video = _free(folder / f"{export_name(item)}{source.suffix.lower()}")
    _copy(source, video)
    sidecar = video.with_suffix(".json")
    known = Path(item.sidecar_path) if item.sidecar_path else None
    if known is not None and known.exists():
        _copy(known, sidecar)
    else:  # no sidecar in the library (yet): write what the grid knows
        facts = {
            "jobId": item.job_id,
            "resultIndex": item.index,
            "prompt": item.prompt,
            "model": item.model,
            "duration": item.duration,
            "cost": item.cost,
            "createdAt": item.created_at,
            "favourite": item.favourite,
            "sourceFile": source.name,
        }
        part = sidecar.with_name(sidecar.name + ".part")
        part.write_text(json.dumps(facts, indent=2, ensure_ascii=False), "utf-8")
        part.replace(sidecar)
    return [video, sidecar]
