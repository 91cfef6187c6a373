"""One job per model through the engine and the sandbox: each request carries exactly the fields
its model accepts, and the video honours the frames it was given."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from gui.runware.catalog import ModelSpec, default_catalog
from gui.studio.jobs import FrameInput, JobSpec, JobState
from tests.studio.conftest import EngineFactory, wait_final

CATALOG = default_catalog()

# What every request of the studio carries, whatever the model.
COMMON = {
    "taskType", "taskUUID", "model", "positivePrompt", "width", "height", "duration",
    "outputType", "outputFormat", "deliveryMethod", "includeCost", "numberResults",
}  # fmt: skip


def model_named(name: str) -> ModelSpec:
    return next(m for m in CATALOG if m.name == name)


def frame(path: Path, which: str) -> FrameInput:
    return FrameInput(
        frame=which, path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest()
    )  # type: ignore[arg-type]


def sent_request(sandbox: Any, task_uuid: str) -> dict[str, Any]:
    for entry in sandbox.requests():
        for task in entry.get("request") or []:
            if (
                isinstance(task, dict)
                and task.get("taskUUID") == task_uuid
                and task.get("taskType") == "videoInference"
            ):
                return task
    raise AssertionError("the request never reached the sandbox")


def frames_of(path: Path) -> tuple[np.ndarray, np.ndarray, int]:
    with av.open(str(path)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return decoded[0], decoded[-1], len(decoded)


def mean_colour(picture: np.ndarray) -> np.ndarray:
    h, w, _ = picture.shape
    centre = picture[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4]
    return centre.reshape(-1, 3).mean(axis=0)


def solid(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> Path:
    path = tmp_path / name
    Image.new("RGB", (1280, 720), colour).save(path)
    return path


@pytest.mark.asyncio
async def test_sora_2_with_a_first_frame(
    sandbox: Any, studio_factory: EngineFactory, tmp_path: Path
) -> None:
    sora = model_named("Sora 2")
    red = solid(tmp_path, "red.png", (220, 30, 30))
    studio = await studio_factory(sandbox)
    spec = JobSpec(
        model=sora.air, prompt="A red door opens onto a garden", width=1280, height=720,
        duration=4, frames=(frame(red, "first"),),
    )  # fmt: skip
    job = await wait_final(studio.engine, await studio.engine.submit(spec))
    assert job.state is JobState.READY, job.error_message

    request = sent_request(sandbox, job.task_uuid)
    assert set(request) == COMMON | {"inputs"}
    assert "seed" not in request and "providerSettings" not in request
    (image,) = request["inputs"]["frameImages"]
    assert image["frame"] == "first" and image["image"]

    first, _last, count = frames_of(Path(job.results[0].local_path or ""))
    assert count == sora.frame_count(4)
    assert np.allclose(mean_colour(first), (220, 30, 30), atol=20)  # it starts on the image


@pytest.mark.asyncio
async def test_veo_3_1_fast_with_first_and_last_frames_and_a_seed(
    sandbox: Any, studio_factory: EngineFactory, tmp_path: Path
) -> None:
    veo = model_named("Veo 3.1 Fast")
    assert veo.accepts_seed and veo.accepts_frame("last") and not veo.accepts_video_id
    blue = solid(tmp_path, "blue.png", (20, 40, 210))
    green = solid(tmp_path, "green.png", (30, 200, 60))
    audio = next(s for s in veo.provider_settings if not s.fixed)
    studio = await studio_factory(sandbox)
    spec = JobSpec(
        model=veo.air, prompt="Sunrise over a misty valley", width=1280, height=720,
        duration=4, seed=1234, frames=(frame(blue, "first"), frame(green, "last")),
        provider_settings={audio.provider: {audio.name: True}},
    )  # fmt: skip
    assert spec.problems(CATALOG) == []
    job = await wait_final(studio.engine, await studio.engine.submit(spec))
    assert job.state is JobState.READY, job.error_message
    assert job.estimated_cost is None  # the page prices no 720p Veo 3.1 Fast: no guess
    assert job.actual_cost is not None and job.actual_cost > 0  # includeCost tells the truth

    request = sent_request(sandbox, job.task_uuid)
    # "Provide exactly one of: inputs.frameImages or width/height": the frames, fitted to
    # 1280x720, and the size as the resolution the model takes
    sized = {"inputs", "seed", "providerSettings", "resolution"}
    assert set(request) == (COMMON - {"width", "height"}) | sized
    assert request["resolution"] == "720p"
    assert request["seed"] == 1234
    assert request["providerSettings"] == {audio.provider: {audio.name: True}}
    assert [f["frame"] for f in request["inputs"]["frameImages"]] == ["first", "last"]
    assert "videoId" not in request["inputs"]

    first, last, count = frames_of(Path(job.results[0].local_path or ""))
    assert count == veo.frame_count(4)
    assert np.allclose(mean_colour(first), (20, 40, 210), atol=20)  # starts on the first frame
    assert np.allclose(mean_colour(last), (30, 200, 60), atol=20)  # ends on the last frame


@pytest.mark.parametrize("name", ["Sora 2", "Sora 2 Pro", "Veo 3.1 Fast", "Veo 3.1"])
def test_specs_refuse_what_their_model_does_not_take(
    name: str, tmp_path: Path, picture: Callable[..., Path]
) -> None:
    model = model_named(name)
    base: dict[str, Any] = {
        "model": model.air, "prompt": "A quiet harbour", "width": 1280, "height": 720,
        "duration": model.default_duration,
    }  # fmt: skip
    assert JobSpec(**base).problems(CATALOG) == []
    seeded = JobSpec(**base, seed=5).problems(CATALOG)
    assert (seeded == []) == model.accepts_seed
    last = JobSpec(**base, frames=(frame(picture(), "last"),)).problems(CATALOG)
    assert (last == []) == model.accepts_frame("last")
    remix = JobSpec(**{**base, "width": None, "height": None}, video_id="video_1")
    assert (remix.problems(CATALOG) == []) == model.accepts_video_id
