"""The catalogue: every model's limits just below, at and above, read from its data file."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gui.runware.catalog import Catalog, ModelSpec, default_catalog, resources_dir
from gui.runware.model_rules import SIZE, rule_fields
from gui.runware.models import new_task_uuid

CATALOG = default_catalog()
MODELS = list(CATALOG)
ROOT = Path(__file__).resolve().parents[2]


def request(model: ModelSpec, /, **overrides: Any) -> dict[str, Any]:
    size = model.default_size
    body: dict[str, Any] = {
        "taskType": "videoInference",
        "taskUUID": new_task_uuid(),
        "model": model.air,
        "positivePrompt": "A paper boat drifting down a rainy street",
        "width": size.width,
        "height": size.height,
        "duration": model.default_duration,
        "deliveryMethod": "async",
    }
    if model.needs_frame:  # an image-to-video model: a request always carries its frame
        body["inputs"] = {"frameImages": ["u"]}
    for key, value in overrides.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def framed(model: ModelSpec, frames: list[Any], /, **overrides: Any) -> dict[str, Any]:
    """A request with frame images, sized the way the model's rules allow beside frames."""
    if SIZE in model.excluded({"inputs.frameImages"}):
        overrides = {"width": None, "height": None, **overrides}
    return request(model, inputs={"frameImages": frames}, **overrides)


def needs_size_or_frames(model: ModelSpec) -> bool:
    """Whether a text-to-video request without a size breaks a rule of the model's page."""
    if model.needs_frame:
        return False  # its requests carry a frame image, which stands in for the size
    if SIZE not in rule_fields(model.rules):
        return model.size_required
    groups = [r.exactly_one or r.at_least_one or r.requires or () for r in model.rules]
    return any(SIZE in g for g in groups)


def codes(body: dict[str, Any], strict: bool = True) -> set[str]:
    return {p.code for p in CATALOG.check_request(body, strict=strict)}


def test_catalogue_holds_the_sora_and_veo_models() -> None:
    names = [m.name for m in MODELS]
    assert names[:2] == ["Sora 2", "Sora 2 Pro"]
    assert "Veo 3.1 Fast" in names


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_default_request_is_valid(model: ModelSpec) -> None:
    assert CATALOG.check_request(request(model)) == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_prompt_limits(model: ModelSpec) -> None:
    lo, hi = model.prompt.min, model.prompt.max
    assert "invalidPositivePrompt" in codes(request(model, positivePrompt="x" * (lo - 1) or " "))
    assert codes(request(model, positivePrompt="x" * lo)) == set()
    assert codes(request(model, positivePrompt="x" * hi)) == set()
    assert "invalidPositivePrompt" in codes(request(model, positivePrompt="x" * (hi + 1)))
    assert "invalidPositivePrompt" in codes(request(model, positivePrompt="   "))
    assert "invalidPositivePrompt" in codes(request(model, positivePrompt=None))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_durations(model: ModelSpec) -> None:
    offered = model.offered_durations()
    for d in model.durations:
        # a duration the page ties to another input (Veo's 7 s needs inputs.video) is refused
        assert (codes(request(model, duration=d)) == set()) == (d in offered)
    for bad in (min(model.durations) - 1, max(model.durations) + 1, 5.5):
        problems = CATALOG.check_request(request(model, duration=bad))
        (p,) = [p for p in problems if p.code == "unsupportedDuration"]
        assert p.allowed_values == [int(d) for d in model.durations]


def test_sora_2_sizes_say_which_model_makes_them() -> None:
    sora = CATALOG.find("Sora 2")
    (p,) = CATALOG.check_request(request(sora, width=1920, height=1080))
    assert p.code == "unsupportedDimensions"
    assert p.message.startswith("Sora 2 makes 1280×720 or 720×1280; 1920×1080 needs Sora 2 Pro")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_sizes(model: ModelSpec) -> None:
    for size in model.sizes:
        assert codes(request(model, width=size.width, height=size.height)) == set()
    assert "unsupportedDimensions" in codes(request(model, width=1000, height=1000))
    assert "invalidParameter" in codes(request(model, height=None))  # width alone
    if needs_size_or_frames(model):
        assert codes(request(model, width=None, height=None)) & {  # no size at all
            "invalidParameter",
            "missingParameter",
        }
    else:  # the page lets the provider choose (e.g. only "resolution cannot be used with…")
        assert codes(request(model, width=None, height=None)) == set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_number_results_and_quality(model: ModelSpec) -> None:
    assert codes(request(model, numberResults=model.number_results.max)) == set()
    assert codes(request(model, numberResults=model.number_results.max + 1))
    assert codes(request(model, numberResults=0))
    assert codes(request(model, outputQuality=model.output_quality.min)) == set()
    assert codes(request(model, outputQuality=model.output_quality.min - 1))
    assert codes(request(model, outputQuality=model.output_quality.max + 1))
    assert codes(request(model, ttl=60)) == set()
    assert codes(request(model, ttl=59))


@pytest.mark.parametrize("model", [m for m in MODELS if m.accepts_video_id], ids=lambda m: m.name)
def test_video_id_excludes_size_and_frames(model: ModelSpec) -> None:
    remix = request(model, width=None, height=None, inputs={"videoId": "video_1"})
    assert codes(remix) == set()
    with_size = request(model, inputs={"videoId": "video_1"})
    assert "incompatibleParameters" in codes(with_size)
    with_frames = request(
        model, width=None, height=None, inputs={"videoId": "video_1", "frameImages": ["u"]}
    )
    assert "incompatibleParameters" in codes(with_frames)


@pytest.mark.parametrize(
    "model", [m for m in MODELS if not m.accepts_video_id], ids=lambda m: m.name
)
def test_video_id_unknown_where_not_accepted(model: ModelSpec) -> None:
    assert "unknownParameter" in codes(request(model, inputs={"videoId": "video_1"}))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_frame_images(model: ModelSpec) -> None:
    assert model.frame_images is not None
    frames = list(model.frame_images.frames)
    # both forms: bare strings and objects
    assert codes(framed(model, ["u"] * len(frames))) == set()
    objects = [{"image": "u", "frame": f} for f in frames]
    assert codes(framed(model, objects)) == set()
    assert "invalidFrameImages" in codes(framed(model, ["u"] * (len(frames) + 1)))
    assert "invalidFrameImages" in codes(framed(model, [{"image": "u", "frame": "middle"}]))
    # a frame image stands in for the size
    assert codes(framed(model, ["u"], width=None, height=None)) == set()
    # where the page says "exactly one of frameImages or width/height", both are refused
    if SIZE in model.excluded({"inputs.frameImages"}):
        both = request(model, inputs={"frameImages": ["u"]})
        assert "incompatibleParameters" in codes(both)


def test_last_frame_only_where_the_catalogue_says() -> None:
    for model in MODELS:
        body = framed(model, [{"image": "u", "frame": "last"}])
        assert (codes(body) == set()) == model.accepts_frame("last")


def test_seed_and_provider_settings_follow_the_data() -> None:
    for model in MODELS:
        seeded = codes(request(model, seed=7))
        assert (seeded == set()) == model.accepts_seed
        settings: dict[str, dict[str, Any]] = {}
        for s in model.provider_settings:
            if s.default is not None:
                settings.setdefault(s.provider, {})[s.name] = s.default
        if model.provider_settings:
            assert codes(request(model, providerSettings=settings)) == set()
            bad = {model.provider_settings[0].provider: {model.provider_settings[0].name: "yes"}}
            assert "invalidParameter" in codes(request(model, providerSettings=bad))
        else:
            assert "unknownParameter" in codes(request(model, providerSettings={"x": {"y": True}}))


def test_unknown_parameters_strict_and_lenient() -> None:
    body = request(CATALOG.default, fps=24)
    assert codes(body) == {"unknownParameter"}
    assert codes(body, strict=False) == set()


def test_unknown_model_and_delivery() -> None:
    assert codes(request(CATALOG.default, model="nobody:1@1")) == {"invalidModel"}
    assert "invalidDeliveryMethod" in codes(request(CATALOG.default, deliveryMethod="sync"))


@pytest.mark.parametrize(
    ("name", "size", "duration", "count", "price"),
    [
        ("Sora 2", (1280, 720), 8, 1, "0.80"),
        ("Sora 2", (720, 1280), 4, 1, "0.40"),
        ("Sora 2", (1280, 720), 20, 4, "8.00"),
        ("Sora 2 Pro", (1280, 720), 8, 1, "2.40"),
        ("Sora 2 Pro", (1920, 1080), 8, 1, "4.00"),
        ("Sora 2 Pro", (720, 1280), 4, 2, "2.40"),
    ],
)
def test_prices(name: str, size: tuple[int, int], duration: int, count: int, price: str) -> None:
    model = next(m for m in MODELS if m.name == name)
    got = model.price(width=size[0], height=size[1], duration=duration, number_results=count)
    assert got == Decimal(price)


def test_unknown_price_is_none_not_a_guess() -> None:
    """The Veo 3.1 Fast page prices 1080p and 4K 8 s, nothing at 720p or 4K at other lengths."""
    veo = next(m for m in MODELS if m.name == "Veo 3.1 Fast")
    assert veo.price(width=1280, height=720, duration=8) is None
    assert veo.price(width=3840, height=2160, duration=4) is None
    assert veo.price(width=1920, height=1080, duration=8) == Decimal("0.80")
    assert veo.price(width=1920, height=1080, duration=8, audio=True) == Decimal("1.20")
    assert veo.price(width=3840, height=2160, duration=8) == Decimal("2.40")
    assert veo.price(width=3840, height=2160, duration=8, audio=True) == Decimal("2.80")
    assert veo.price(width=1080, height=1920, duration=4, number_results=2) == Decimal("0.80")
    unpublished = next(m for m in MODELS if m.name == "Veo 3.1")
    assert not unpublished.price_known
    assert unpublished.price(width=1920, height=1080, duration=8) is None


def test_a_broken_model_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"air": "x"}))
    with pytest.raises(ValueError, match=r"bad\.json"):
        Catalog.load(tmp_path)


def test_no_module_outside_the_catalogue_names_a_model() -> None:
    """The catalogue is data: no AIR appears in code outside resources/ and tests/."""
    pattern = re.compile(r"(openai|google):3@")
    offenders = []
    for folder in ("gui", "packaging"):
        for path in (ROOT / folder).rglob("*"):
            if (
                path.is_file()
                and path.suffix in {".py", ".spec", ".qss", ".json", ".toml"}
                and "__pycache__" not in path.parts
                and pattern.search(path.read_text("utf-8", errors="replace"))
            ):
                offenders.append(str(path.relative_to(ROOT)))
    for name in ("Makefile", "pyproject.toml"):
        if pattern.search((ROOT / name).read_text("utf-8")):
            offenders.append(name)
    assert offenders == []
    assert list(resources_dir().glob("models/*.json"))
