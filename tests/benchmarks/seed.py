"""Seeded data for the benchmarks: a journal of many finished jobs, thumbnails, big videos.

Jobs are built through their own transitions and written with the journal's API, so a seeded
journal is what the studio itself would have written.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import time
import uuid
from pathlib import Path

from gui.runware.catalog import default_catalog
from gui.studio.jobs import Job, JobSpec
from gui.studio.journal import Journal

__all__ = [
    "WORDS",
    "big_video",
    "finished_jobs",
    "prompt",
    "seed_journal",
    "seed_sandbox_video",
    "thumbnail_files",
]

WORDS = [
    "lighthouse",
    "dusk",
    "waves",
    "rolling",
    "harbour",
    "fox",
    "snow",
    "forest",
    "river",
    "mountain",
    "city",
    "night",
    "neon",
    "rain",
    "street",
    "market",
    "desert",
    "dunes",
    "camel",
    "caravan",
    "ocean",
    "whale",
    "coral",
    "reef",
    "diver",
    "astronaut",
    "moon",
    "crater",
    "rocket",
    "launch",
    "garden",
    "bloom",
    "tulip",
    "bee",
    "butterfly",
    "meadow",
    "horse",
    "gallop",
    "field",
    "sunrise",
    "sunset",
    "cathedral",
    "choir",
    "candle",
    "library",
    "owl",
    "scroll",
    "dragon",
    "castle",
    "knight",
    "armour",
    "sword",
    "battle",
    "storm",
    "lightning",
    "thunder",
    "cloud",
    "sky",
    "balloon",
    "festival",
    "lantern",
    "dancer",
    "drum",
    "violin",
    "piano",
    "jazz",
    "club",
    "bicycle",
    "tram",
    "station",
    "train",
    "tunnel",
    "bridge",
    "canal",
    "gondola",
    "venice",
    "tokyo",
    "paris",
    "kitchen",
    "chef",
    "noodle",
    "steam",
    "bakery",
    "bread",
    "croissant",
    "coffee",
    "cup",
    "morning",
    "window",
    "cat",
    "dog",
    "puppy",
    "kitten",
    "park",
    "bench",
    "autumn",
    "leaves",
    "orange",
    "golden",
    "winter",
    "ice",
    "skater",
    "glacier",
    "aurora",
    "polar",
    "bear",
    "penguin",
    "volcano",
    "lava",
    "island",
    "palm",
    "beach",
    "surfer",
    "sailboat",
    "regatta",
    "wind",
    "mill",
    "farm",
    "tractor",
    "wheat",
    "orchard",
    "apple",
    "cherry",
    "blossom",
    "temple",
    "monk",
    "mist",
    "bamboo",
    "panda",
    "robot",
    "factory",
    "assembly",
    "welding",
    "spark",
    "laboratory",
    "scientist",
    "microscope",
    "cell",
    "galaxy",
    "nebula",
    "comet",
    "planet",
    "orbit",
    "satellite",
    "drone",
    "aerial",
    "timelapse",
    "slow",
    "motion",
    "closeup",
    "portrait",
    "smiling",
    "child",
    "grandmother",
    "knitting",
    "fireplace",
    "cabin",
    "snowfall",
    "sled",
    "village",
    "clock",
    "tower",
    "bell",
    "pigeon",
    "square",
    "fountain",
    "sculpture",
]
SORA = "openai:3@1"


def prompt(rng: random.Random) -> str:
    """A plausible prompt of 8–20 words from the vocabulary."""
    words = rng.choices(WORDS, k=rng.randint(8, 20))
    return " ".join(words).capitalize() + "."


def _spec(rng: random.Random) -> JobSpec:
    model = default_catalog()[SORA]
    size = model.default_size
    return JobSpec(
        model=SORA,
        prompt=prompt(rng),
        width=size.width,
        height=size.height,
        duration=rng.choice(model.durations[:3]),
    )


def finished_jobs(
    count: int, *, seed: int = 7, thumbnails: list[Path] | None = None, now: float | None = None
) -> list[Job]:
    """``count`` final jobs, oldest first: mostly ready, some failed or cancelled.

    The newest ``len(thumbnails)`` jobs are ready and show those thumbnails.
    """
    rng = random.Random(seed)
    thumbs = list(thumbnails or [])
    now = time.time() if now is None else now
    jobs = []
    for n in range(count):
        job = Job(spec=_spec(rng))
        job.created_at = now - (count - n) * 600.0  # one every ten minutes
        with_thumbnail = n >= count - len(thumbs)
        roll = rng.random()
        job.mark_submitted()
        if not with_thumbnail and roll < 0.08:
            job.fail("timeoutProvider", "The external provider did not respond in time.")
        elif not with_thumbnail and roll < 0.12:
            job.cancel()
        else:
            job.mark_processing()
            job.ensure_results()
            for result in job.results:
                video_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                result.mark_available(
                    video_uuid=video_uuid,
                    video_url=f"http://127.0.0.1:9/video/{video_uuid}.mp4",
                    video_id=f"video_{video_uuid[:12]}",
                    seed=rng.randint(1, 2**31),
                    cost=0.4,
                )
            job.mark_downloading()
            for result in job.results:
                result.mark_downloading()
                result.mark_ready(f"/nonexistent/videos/{result.video_uuid}.mp4")
                if with_thumbnail:
                    result.thumbnail_path = str(thumbs[count - 1 - n])
            job.mark_ready()
        job.updated_at = job.finished_at = job.created_at + 90
        jobs.append(job)
    return jobs


def seed_journal(data_dir: Path, count: int, *, thumbnails: list[Path] | None = None) -> Path:
    """A data folder whose journal holds ``count`` finished jobs (written in one transaction)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with Journal.in_folder(data_dir) as journal:
        journal.insert_jobs(finished_jobs(count, thumbnails=thumbnails))
    return data_dir


def thumbnail_files(folder: Path, count: int) -> list[Path]:
    """``count`` distinct 320×180 JPEG thumbnails, as the library writes them."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    paths = []
    for n in range(count):
        image = Image.new("RGB", (320, 180), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x, y = rng.randrange(320), rng.randrange(180)
            colour = tuple(rng.randrange(256) for _ in range(3))
            draw.ellipse((x, y, x + rng.randint(10, 90), y + rng.randint(10, 60)), fill=colour)
        draw.text((8, 8), f"#{n}", fill=(255, 255, 255))
        path = folder / f"thumb-{n:03d}.jpg"
        image.save(path, quality=85)
        paths.append(path)
    return paths


def big_video(path: Path, size_mb: int, *, seconds: float = 2.0) -> Path:
    """A real, playable MP4 of about ``size_mb`` MB: a short render (moov first, faststart)
    followed by a top-level ``free`` box of random bytes, which every MP4 reader skips."""
    from gui.sandbox.render import RenderSpec, render_video

    small = path.with_name(path.stem + "-small.mp4")
    render_video(
        RenderSpec(
            path=str(small), width=1280, height=720, fps=30, duration=seconds, prompt="padding"
        )
    )
    body = small.read_bytes()
    small.unlink()
    padding = size_mb * 1024 * 1024 - len(body) - 8
    with open(path, "wb") as fh:
        fh.write(body)
        fh.write(struct.pack(">I4s", padding + 8, b"free"))
        chunk = os.urandom(1024 * 1024)
        for _ in range(padding // len(chunk)):
            fh.write(chunk)
        fh.write(chunk[: padding % len(chunk)])
    return path


def seed_sandbox_video(sandbox_dir: Path, source: Path) -> str:
    """List ``source`` as a finished video in a (not yet started) sandbox's data folder; the
    sandbox then serves it at ``/video/<videoUUID>.mp4``. Returns the videoUUID."""
    video_uuid = str(uuid.uuid4())
    videos = sandbox_dir / "videos"
    videos.mkdir(parents=True, exist_ok=True)
    target = videos / f"{video_uuid}.mp4"
    try:
        os.link(source, target)  # the same bytes without a copy
    except OSError:
        shutil.copyfile(source, target)
    entry = {
        "video_uuid": video_uuid,
        "video_id": f"video_{video_uuid[:12]}",
        "task_uuid": str(uuid.uuid4()),
        "path": str(target),
        "mime": "video/mp4",
        "created": time.time(),
        "expires_at": None,
        "look": {},
    }
    with (sandbox_dir / "videos.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
    return video_uuid
