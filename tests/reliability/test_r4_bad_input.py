"""R4 bad input, from the user: random job specs, and files that are not what they claim.

Specs: for any spec hypothesis can build, either ``problems()`` lists what is wrong in plain
words, or ``to_task()`` builds a request the catalogue finds nothing wrong with; a sample of
those is sent to the real sandbox, which must accept every one.

Files: each bad frame image goes through ``engine.submit`` like a dropped file. Each gets its own
clear message on the job, nothing at all is sent (the sandbox's request log is unchanged) and
nothing is written outside the library. A picture under a non-ASCII path works.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from PIL import Image

from gui.runware.catalog import default_catalog
from gui.runware.client import RetryPolicy, RunwareClient
from gui.runware.errors import RunwareError
from gui.runware.models import VideoInferenceTask
from gui.sandbox.process import SandboxProcess
from gui.studio.jobs import FrameInput, JobSpec, JobState
from tests.studio.conftest import sora_spec

from .conftest import SEED, running_studio, size, tree

CATALOG = default_catalog()
# words of the libraries underneath, not of the person reading
JARGON = ("pydantic", "Traceback", "Value error", "[type=", "<class", "errors.", "NoneType")
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a Python name (video_id), not a wire name


@pytest.fixture(scope="module")
def quiet_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A sandbox whose accepted tasks stay processing (they are never waited for)."""
    sandbox = SandboxProcess.start(tmp_path_factory.mktemp("r4-sandbox"), processing_seconds=600)
    yield sandbox
    sandbox.stop()


# --------------------------------------------------------------------------- random specs
FIRST = FrameInput(frame="first", path="/x/first.png", sha256="a" * 64)
LAST = FrameInput(frame="last", path="/x/last.png", sha256="b" * 64)
FIELDS = (
    "model",
    "prompt",
    "size",
    "duration",
    "number_results",
    "output_quality",
    "frames",
    "video_id",
    "seed",
    "provider_settings",
    "ttl",
    "webhook_url",
    "upload_endpoint",
)


@st.composite
def job_specs(draw: st.DrawFn) -> JobSpec:
    """About half are sensible for their model; the rest have one to three fields spoiled."""
    spoiled = draw(
        st.one_of(
            st.just(frozenset()), st.frozensets(st.sampled_from(FIELDS), min_size=1, max_size=3)
        )
    )

    def pick(name: str, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
        return draw(bad if name in spoiled else good)

    air = pick(
        "model",
        st.sampled_from([m.air for m in CATALOG]),
        st.sampled_from(["openai:9@9", "", "sora", "OPENAI:3@1"]),
    )
    model = CATALOG.get(air) or CATALOG.default
    width, height = pick(
        "size",
        st.sampled_from([(s.width, s.height) for s in model.sizes]),
        st.one_of(
            st.tuples(st.integers(-10, 5000), st.integers(-10, 5000)),
            st.tuples(st.none(), st.integers(1, 2000)),
            st.just((1920, 1080)),
        ),
    )
    good_frames = [(), (FIRST,)] + ([(FIRST, LAST), (LAST,)] if model.accepts_frame("last") else [])
    seeds = st.none() | (st.integers(model.seed.min, model.seed.max) if model.seed else st.none())
    settings_ = [{}] + [{s.provider: {s.name: True}} for s in model.provider_settings]
    fields: dict[str, Any] = {
        "model": air,
        "prompt": pick(
            "prompt",
            st.text(min_size=2, max_size=80).filter(lambda t: len(t.strip()) >= 2),
            st.sampled_from(["", " ", "  \n ", "x", "x" * 6001]),
        ),
        "width": width,
        "height": height,
        "duration": pick(
            "duration",
            st.sampled_from(list(model.durations)),
            st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 40).map(float),
        ),
        "number_results": pick("number_results", st.integers(1, 4), st.integers(-2, 9)),
        "output_format": draw(st.sampled_from(list(model.output_formats))),
        "output_quality": pick(
            "output_quality",
            st.none() | st.integers(20, 99),
            st.integers(-5, 19) | st.integers(100, 150),
        ),
        "frames": pick(
            "frames",
            st.sampled_from(good_frames),
            st.sampled_from([(FIRST, FIRST), (FIRST, LAST, LAST), (LAST, LAST)]),
        ),
        "video_id": pick("video_id", st.none(), st.sampled_from(["", "video_abc123"])),
        "seed": pick("seed", seeds, st.integers(-5, -1) | st.integers(2**32, 2**40)),
        "provider_settings": pick(
            "provider_settings",
            st.sampled_from(settings_),
            st.sampled_from([{"openai": {"mystery": 1}}, {"google": {"generateAudio": "yes"}}]),
        ),
        "safety_mode": draw(st.sampled_from([None, "none", "fast", "full"])),
        "ttl": pick("ttl", st.none() | st.integers(60, 86400), st.integers(-5, 59)),
        "webhook_url": pick(
            "webhook_url",
            st.none() | st.just("https://hooks.example/r?token=t"),
            st.sampled_from(["ftp://hooks.example/r", "javascript:alert(1)", "x", ""]),
        ),
        "upload_endpoint": pick(
            "upload_endpoint",
            st.none() | st.just("https://put.example/v.mp4"),
            st.sampled_from(["file:///tmp/v.mp4", "//put.example/v.mp4"]),
        ),
    }
    return JobSpec(**fields)


def _plain(message: str) -> bool:
    return (
        bool(message.strip())
        and not any(word in message for word in JARGON)
        and not SNAKE_CASE.search(message)
    )


@pytest.mark.timeout(600)
def test_r4_random_specs_are_refused_in_plain_words_or_accepted_by_the_sandbox(
    quiet_sandbox: SandboxProcess, figures: dict[str, Any]
) -> None:
    accepted: list[dict[str, Any]] = []
    refused = 0

    @seed(SEED)
    @settings(
        max_examples=size(200, 3000),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(job_specs())
    def check(spec: JobSpec) -> None:
        nonlocal refused
        problems = spec.problems(CATALOG)
        if problems:
            refused += 1
            for problem in problems:
                assert _plain(problem.message), problem
                assert problem.parameter and problem.code
            return
        refs = {f.frame: "img-placeholder" for f in spec.frames}
        task = spec.to_task(str(uuid.uuid4()), refs)  # must not raise
        wire = task.to_wire()
        assert CATALOG.check_request(wire) == [], wire
        assert wire["taskUUID"] and wire["deliveryMethod"] == "async"
        assert wire["includeCost"] is True and "apiKey" not in wire
        for value in (wire.get("duration"), wire.get("width"), wire.get("height")):
            assert value is None or math.isfinite(value)
        if not spec.video_id:  # the sandbox knows no earlier video to remix
            accepted.append(wire)

    check()
    assert accepted, "no valid spec was generated"
    assert refused, "no invalid spec was generated"

    # a sample of the valid requests against the real sandbox: every one is accepted
    sample = accepted[: size(8, 40)]

    async def send() -> list[str]:
        client = RunwareClient(
            quiet_sandbox.api_key, quiet_sandbox.url, retry=RetryPolicy(attempts=1)
        )
        problems = []
        try:
            picture = Image.new("RGB", (1280, 720), "teal")
            image_uuid = await client.upload_image(_png_bytes(picture))
            for wire in sample:
                if "inputs" in wire and "frameImages" in wire["inputs"]:
                    for item in wire["inputs"]["frameImages"]:
                        item["image"] = image_uuid
                try:
                    await client.submit(VideoInferenceTask.model_validate(wire))
                except RunwareError as exc:
                    problems.append(f"{exc} for {wire}")
        finally:
            await client.aclose()
        return problems

    assert asyncio.run(send()) == []
    figures.update(
        specs=refused + len(accepted), refused=refused, valid=len(accepted), sent=len(sample)
    )


def _png_bytes(image: Image.Image) -> bytes:
    import io

    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# --------------------------------------------------------------------------- bad files
def _not_an_image(folder: Path) -> Path:
    path = folder / "notes.png"
    path.write_text("These are my notes, not a picture.\n" * 20)
    return path


def _truncated_png(folder: Path) -> Path:
    path = folder / "cut.png"
    Image.effect_noise((800, 600), 60).convert("RGB").save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _empty(folder: Path) -> Path:
    path = folder / "empty.png"
    path.write_bytes(b"")
    return path


def _huge_sparse(folder: Path) -> Path:
    path = folder / "huge.png"
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.truncate(200 * 2**20)  # 200 MB, almost all of it a hole: no disk is used
    return path


def _bomb(folder: Path) -> Path:
    path = folder / "bomb.png"
    Image.new("1", (20000, 20000)).save(path, optimize=True)  # a small file, 400 Mpx decoded
    return path


def _svg(folder: Path) -> Path:
    path = folder / "drawing.svg"
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720">'
        '<rect width="1280" height="720" fill="teal"/></svg>'
    )
    return path


def _broken_link(folder: Path) -> Path:
    path = folder / "gone.png"
    os.symlink(folder / "deleted-long-ago.png", path)
    return path


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "not an image": (_not_an_image, "is not an image"),
    "truncated PNG": (_truncated_png, "damaged or truncated"),
    "0 bytes": (_empty, "is empty (0 bytes)"),
    "200 MB (sparse)": (_huge_sparse, "200.0 MB; frame images may be at most 20 MB"),
    "20000x20000 bomb": (_bomb, "too many pixels"),
    "SVG": (_svg, "is an SVG drawing"),
    "broken symlink": (_broken_link, "link to a file that no longer exists"),
}


def _frame_of(path: Path) -> FrameInput:
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        sha = hashlib.sha256(b"").hexdigest()  # what a drop of an unreadable file records
    return FrameInput(frame="first", path=str(path), sha256=sha)


@pytest.mark.asyncio
async def test_r4_bad_frame_files_get_a_clear_message_and_send_nothing(
    quiet_sandbox: SandboxProcess, tmp_path: Path, figures: dict[str, Any]
) -> None:
    files = tmp_path / "my pictures"
    files.mkdir()
    made = {name: (build(files), words) for name, (build, words) in BAD_FILES.items()}
    library = tmp_path / "library"
    outside_before = tree(tmp_path)
    logged_before = len(quiet_sandbox.requests())

    messages = {}
    async with running_studio(quiet_sandbox.url, quiet_sandbox.api_key, library) as studio:
        for name, (path, words) in made.items():
            job = await studio.engine.submit(sora_spec(frames=(_frame_of(path),)))
            job = await asyncio.wait_for(studio.engine.wait(job.id), 30)
            assert job.state is JobState.FAILED, name
            assert job.error_code == "invalidInputFile", (name, job.error_code)
            assert words in (job.error_message or ""), (name, job.error_message)
            assert path.name in (job.error_message or ""), (name, job.error_message)
            messages[name] = job.error_message

    assert len(quiet_sandbox.requests()) == logged_before  # not one request
    after = tree(tmp_path)
    assert {p: v for p, v in after.items() if not p.startswith(f"{library}/")} == outside_before
    assert not list((library / "frames").iterdir()) and not list((library / "videos").iterdir())
    figures.update(files=len(made), refused_with_a_message=len(messages), requests_sent=0)


@pytest.mark.asyncio
async def test_r4_a_picture_under_a_non_ascii_path_works(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "Bilder — café ☕" / "日本語"
    folder.mkdir(parents=True)
    path = folder / "première image ✓.png"
    Image.effect_noise((1280, 720), 40).convert("RGB").save(path)
    library = tmp_path / "bibliothèque ü"

    async with running_studio(sandbox.url, sandbox.api_key, library) as studio:
        job = await studio.engine.submit(sora_spec(frames=(_frame_of(path),)))
        job = await asyncio.wait_for(studio.engine.wait(job.id), 60)

    assert job.state is JobState.READY, job.error_message
    (result,) = job.results
    video = Path(result.local_path or "")
    assert video.parent == library / "videos"
    with av.open(str(video)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 4 * 30
    assert len(list((library / "frames").glob("*.png"))) == 1  # the prepared first frame
