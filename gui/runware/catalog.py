"""The model catalogue: what each video model accepts, read from ``resources/models/*.json``.

Every rule about a model lives in its data file; this module reads the files and checks a request
against them with messages a person can act on. The client, the studio, the window and the
sandbox all ask this one place.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from gui.runware.models import VideoInferenceTask, _wire_alias

__all__ = [
    "Catalog",
    "FrameImageRules",
    "ModelSpec",
    "Pricing",
    "Problem",
    "ProviderSetting",
    "Size",
    "default_catalog",
    "resources_dir",
]


def resources_dir() -> Path:
    """``resources/`` beside the package, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


class _Data(BaseModel):
    model_config = ConfigDict(alias_generator=_wire_alias, populate_by_name=True, frozen=True)


class Size(_Data):
    width: int
    height: int
    resolution: str

    @property
    def label(self) -> str:
        return f"{self.width}×{self.height}"

    @property
    def orientation(self) -> Literal["landscape", "portrait", "square"]:
        if self.width == self.height:
            return "square"
        return "landscape" if self.width > self.height else "portrait"

    @property
    def aspect(self) -> float:
        return self.width / self.height


class Limits(_Data):
    min: int
    max: int
    default: int | None = None


class FrameImageRules(_Data):
    frames: tuple[str, ...]
    min_side: int
    max_side: int
    max_bytes: int
    formats: tuple[str, ...]


class VideoIdRules(_Data):
    excludes: tuple[Literal["size", "frameImages"], ...] = ()


class ProviderSetting(_Data):
    provider: str
    name: str
    label: str
    type: Literal["boolean", "integer", "string"]
    default: bool | int | str | None = None
    fixed: bool = False  # the provider always applies it; shown, not sent


class Pricing(_Data):
    currency: str = "USD"
    per_second: dict[str, float]
    source: str | None = None


Option = Literal["safety", "ttl", "includeCost", "webhookURL", "uploadEndpoint"]


class ModelSpec(_Data):
    """One model's data file."""

    air: str
    name: str
    provider: str
    task_type: Literal["videoInference"] = "videoInference"
    notice: str | None = None
    order: int = 100
    delivery_methods: tuple[str, ...] = ("async",)
    prompt: Limits
    sizes: tuple[Size, ...]
    size_required: bool = True
    durations: tuple[float, ...]
    default_duration: float
    fps: int
    output_formats: tuple[str, ...]
    output_quality: Limits
    number_results: Limits
    frame_images: FrameImageRules | None = None
    video_id: VideoIdRules | None = None
    seed: Limits | None = None
    provider_settings: tuple[ProviderSetting, ...] = ()
    options: tuple[Option, ...] = ()
    pricing: Pricing | None = None

    # ---- questions the UI and the studio ask
    @property
    def accepts_video_id(self) -> bool:
        return self.video_id is not None

    @property
    def accepts_seed(self) -> bool:
        return self.seed is not None

    def accepts_frame(self, frame: str) -> bool:
        return self.frame_images is not None and frame in self.frame_images.frames

    def size(self, width: int, height: int) -> Size | None:
        return next((s for s in self.sizes if s.width == width and s.height == height), None)

    @property
    def default_size(self) -> Size:
        return self.sizes[0]

    @property
    def price_known(self) -> bool:
        return self.pricing is not None

    def price(
        self, *, width: int | None, height: int | None, duration: float, number_results: int = 1
    ) -> Decimal | None:
        """Price in the catalogue's currency, or None when Runware publishes none for this model.

        Without a size (a remix takes its source's), the lowest resolution's rate is used.
        """
        if self.pricing is None:
            return None
        size = self.size(width, height) if width and height else None
        resolution = size.resolution if size else self.sizes[0].resolution
        rate = self.pricing.per_second.get(resolution)
        if rate is None:
            return None
        total = Decimal(str(rate)) * Decimal(str(duration)) * number_results
        return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def frame_count(self, duration: float) -> int:
        return round(duration * self.fps)

    def frame_positions(self, frames: Iterable[Any]) -> list[str]:
        """Where each item of ``inputs.frameImages`` goes ("first", "last", …).

        An item's own ``frame`` decides; without one, images take the model's positions in
        order (one image is the first frame; two are the first and the last).
        """
        allowed = list(self.frame_images.frames) if self.frame_images else ["first"]
        positions = []
        for index, item in enumerate(frames):
            frame = item.get("frame") if isinstance(item, dict) else None
            if frame is None:
                positions.append(allowed[min(index, len(allowed) - 1)])
            else:
                positions.append(_frame_name(frame, len(allowed)))
        return positions


class Problem(BaseModel):
    """One thing wrong with a request, in Runware's error vocabulary and in plain words."""

    model_config = ConfigDict(frozen=True)

    code: str
    parameter: str
    message: str
    type: str | None = None
    allowed_values: list[Any] | None = None


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _join(words: list[str], last: str = "or") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


_PYDANTIC_CODES = {
    "positivePrompt": "invalidPositivePrompt",
    "duration": "unsupportedDuration",
    "model": "invalidModel",
    "taskUUID": "invalidTaskUUID",
}


class Catalog:
    """All known models, keyed by AIR, in display order."""

    def __init__(self, models: Iterable[ModelSpec]) -> None:
        ordered = sorted(models, key=lambda m: (m.order, m.name))
        self._models: dict[str, ModelSpec] = {m.air: m for m in ordered}

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalog:
        folder = folder or resources_dir() / "models"
        specs = []
        for path in sorted(folder.glob("*.json")):
            try:
                specs.append(ModelSpec.model_validate(json.loads(path.read_text("utf-8"))))
            except (ValueError, ValidationError) as exc:
                raise ValueError(f"model file {path.name} is not valid: {exc}") from exc
        if not specs:
            raise ValueError(f"no model files in {folder}")
        return cls(specs)

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, air: object) -> bool:
        return air in self._models

    def get(self, air: str) -> ModelSpec | None:
        return self._models.get(air)

    def __getitem__(self, air: str) -> ModelSpec:
        return self._models[air]

    @property
    def default(self) -> ModelSpec:
        return next(iter(self._models.values()))

    # ---- checking requests
    def check(self, task: VideoInferenceTask) -> list[Problem]:
        return self.check_request(task.to_wire())

    def check_request(self, raw: Mapping[str, Any], *, strict: bool = True) -> list[Problem]:
        """Every problem with a ``videoInference`` task given as wire JSON.

        ``strict`` reports parameters the model does not take as ``unknownParameter``; the
        sandbox can switch it off, since whether Runware rejects or ignores them is unconfirmed.
        """
        problems: list[Problem] = []
        model = self._models.get(str(raw.get("model", "")))
        if "model" not in raw:
            return [Problem(code="invalidModel", parameter="model", message="No model was given.")]
        if model is None:
            known = _join([f"{m.name} ({m.air})" for m in self])
            return [
                Problem(
                    code="invalidModel",
                    parameter="model",
                    type="string",
                    message=f"Unknown model {raw.get('model')!r}; known models: {known}.",
                    allowed_values=list(self._models),
                )
            ]
        problems.extend(self._check_shape(raw, model, strict))
        if any(p.parameter in {"positivePrompt"} for p in problems):
            return problems
        problems.extend(self._check_model_rules(raw, model, strict))
        return problems

    def _check_shape(self, raw: Mapping[str, Any], model: ModelSpec, strict: bool) -> list[Problem]:
        """The API-wide rules, from the pydantic request model."""
        try:
            VideoInferenceTask.model_validate(dict(raw))
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
                # pydantic names union branches in the location; keep only wire names
                parameter = ".".join(p for p in loc if p[:1].islower() and "[" not in p)
                if err["type"] == "extra_forbidden":
                    if strict:
                        problems.append(self._unknown(parameter, model))
                    continue
                code = _PYDANTIC_CODES.get(parameter, "invalidParameter")
                problems.append(
                    Problem(
                        code=code,
                        parameter=parameter,
                        # pydantic prefixes a validator's own words with "Value error, "
                        message=f"Invalid value for {parameter}: "
                        f"{err['msg'].removeprefix('Value error, ')}.",
                    )
                )
            return _dedupe(problems)
        return []

    @staticmethod
    def _unknown(parameter: str, model: ModelSpec) -> Problem:
        return Problem(
            code="unknownParameter",
            parameter=parameter,
            message=f"{model.name} does not take the parameter {parameter}.",
        )

    def _check_model_rules(
        self, raw: Mapping[str, Any], model: ModelSpec, strict: bool
    ) -> list[Problem]:
        problems: list[Problem] = []
        add = problems.append
        prompt = raw.get("positivePrompt")
        if isinstance(prompt, str):
            n = len(prompt.strip())
            if n < model.prompt.min or len(prompt) > model.prompt.max:
                add(
                    Problem(
                        code="invalidPositivePrompt",
                        parameter="positivePrompt",
                        type="string",
                        message=(
                            f"The prompt must be {model.prompt.min} to {model.prompt.max} "
                            f"characters; it has {len(prompt) if n else 0}."
                        ),
                    )
                )

        if "deliveryMethod" in raw and raw["deliveryMethod"] not in model.delivery_methods:
            add(
                Problem(
                    code="invalidDeliveryMethod",
                    parameter="deliveryMethod",
                    type="string",
                    message=f"{model.name} only works with deliveryMethod "
                    f"{_join(list(model.delivery_methods))}.",
                    allowed_values=list(model.delivery_methods),
                )
            )

        inputs = raw.get("inputs") or {}
        video_id = inputs.get("videoId") if isinstance(inputs, dict) else None
        frames = inputs.get("frameImages") if isinstance(inputs, dict) else None
        has_size = "width" in raw or "height" in raw

        if video_id is not None and model.video_id is None and strict:
            add(self._unknown("inputs.videoId", model))
        if video_id is not None and model.video_id is not None:
            if "size" in model.video_id.excludes and has_size:
                add(
                    Problem(
                        code="incompatibleParameters",
                        parameter="width",
                        message="A remix or extension keeps its source's size: leave out width "
                        "and height when inputs.videoId is set.",
                    )
                )
            if "frameImages" in model.video_id.excludes and frames:
                add(
                    Problem(
                        code="incompatibleParameters",
                        parameter="inputs.frameImages",
                        message="A remix or extension starts from its source video: "
                        "inputs.frameImages cannot be used with inputs.videoId.",
                    )
                )

        if has_size:
            width, height = raw.get("width"), raw.get("height")
            if width is None or height is None:
                add(
                    Problem(
                        code="invalidParameter",
                        parameter="width" if width is None else "height",
                        type="integer",
                        message="width and height must be given together.",
                    )
                )
            elif (
                isinstance(width, int)
                and isinstance(height, int)
                and model.size(width, height) is None
            ):
                add(self._size_problem(model, width, height))
        elif model.size_required and video_id is None and not frames:
            add(
                Problem(
                    code="invalidParameter",
                    parameter="width",
                    type="integer",
                    message=f"Choose a size: {_join([s.label for s in model.sizes])}, "
                    "or give a frame image.",
                    allowed_values=[s.label for s in model.sizes],
                )
            )

        duration = raw.get("duration")
        if isinstance(duration, int | float) and float(duration) not in model.durations:
            add(
                Problem(
                    code="unsupportedDuration",
                    parameter="duration",
                    type="float",
                    message=f"{model.name} makes videos of "
                    f"{_join([_fmt(d) for d in model.durations])} seconds, not {_fmt(duration)}.",
                    allowed_values=[int(d) if d.is_integer() else d for d in model.durations],
                )
            )

        fmt = raw.get("outputFormat")
        if isinstance(fmt, str) and fmt not in model.output_formats:
            add(
                Problem(
                    code="invalidParameter",
                    parameter="outputFormat",
                    type="string",
                    message=f"{model.name} writes {_join(list(model.output_formats))}.",
                    allowed_values=list(model.output_formats),
                )
            )

        quality = raw.get("outputQuality")
        if isinstance(quality, int) and not (
            model.output_quality.min <= quality <= model.output_quality.max
        ):
            add(
                Problem(
                    code="invalidParameter",
                    parameter="outputQuality",
                    type="integer",
                    message=f"Quality runs from {model.output_quality.min} to "
                    f"{model.output_quality.max}.",
                )
            )

        count = raw.get("numberResults")
        if isinstance(count, int) and not (
            model.number_results.min <= count <= model.number_results.max
        ):
            add(
                Problem(
                    code="invalidParameter",
                    parameter="numberResults",
                    type="integer",
                    message=f"{model.name} makes {model.number_results.min} to "
                    f"{model.number_results.max} videos per request.",
                )
            )

        if frames:
            problems.extend(self._check_frames(frames, model, strict))

        seed = raw.get("seed")
        if seed is not None:
            if model.seed is None:
                if strict:
                    add(
                        Problem(
                            code="unknownParameter",
                            parameter="seed",
                            message=f"{model.name} does not take a seed; each result gets its own.",
                        )
                    )
            elif isinstance(seed, int) and not (model.seed.min <= seed <= model.seed.max):
                add(
                    Problem(
                        code="invalidParameter",
                        parameter="seed",
                        type="integer",
                        message=f"The seed runs from {model.seed.min} to {model.seed.max}.",
                    )
                )

        settings = raw.get("providerSettings")
        if settings is not None:
            problems.extend(self._check_provider_settings(settings, model, strict))

        for option in ("safety", "ttl", "includeCost", "webhookURL", "uploadEndpoint"):
            if option in raw and option not in model.options and strict:
                add(self._unknown(option, model))
        return problems

    def _size_problem(self, model: ModelSpec, width: int, height: int) -> Problem:
        label = f"{width}×{height}"
        others = [m.name for m in self if m is not model and m.size(width, height)]
        message = f"{model.name} makes {_join([s.label for s in model.sizes])}"
        message += f"; {label} needs {_join(others)}." if others else f", not {label}."
        return Problem(
            code="unsupportedDimensions",
            parameter="width",
            type="integer",
            message=message,
            allowed_values=[s.label for s in model.sizes],
        )

    def _check_frames(self, frames: Any, model: ModelSpec, strict: bool) -> list[Problem]:
        rules = model.frame_images
        if rules is None:
            return [self._unknown("inputs.frameImages", model)] if strict else []
        if not isinstance(frames, list):
            return []  # the shape check has said so
        allowed = list(rules.frames)
        problems: list[Problem] = []
        if len(frames) > len(allowed):
            problems.append(
                Problem(
                    code="invalidFrameImages",
                    parameter="inputs.frameImages",
                    type="array",
                    message=f"{model.name} takes at most {len(allowed)} frame "
                    f"image{'s' if len(allowed) > 1 else ''} ({_join(allowed, 'and')}).",
                    allowed_values=allowed,
                )
            )
            return problems
        seen: set[str] = set()
        for index, item in enumerate(frames):
            frame = item.get("frame") if isinstance(item, dict) else None
            # Without "frame", positions are assigned in order: first, then last.
            name = allowed[index] if frame is None else _frame_name(frame, len(allowed))
            if name not in allowed:
                problems.append(
                    Problem(
                        code="invalidFrameImages",
                        parameter="inputs.frameImages",
                        type="string",
                        message=f"{model.name} takes only the {_join(allowed, 'and')} frame, "
                        f"not {frame!r}.",
                        allowed_values=allowed,
                    )
                )
            elif name in seen:
                problems.append(
                    Problem(
                        code="invalidFrameImages",
                        parameter="inputs.frameImages",
                        message=f"Two images were given for the {name} frame.",
                    )
                )
            seen.add(name)
        return problems

    def _check_provider_settings(
        self, settings: Any, model: ModelSpec, strict: bool
    ) -> list[Problem]:
        if not model.provider_settings:
            return [self._unknown("providerSettings", model)] if strict else []
        problems: list[Problem] = []
        known = {(s.provider, s.name): s for s in model.provider_settings}
        for provider, values in settings.items():
            for name, value in (values or {}).items():
                setting = known.get((provider, name))
                parameter = f"providerSettings.{provider}.{name}"
                if setting is None:
                    if strict:
                        problems.append(self._unknown(parameter, model))
                    continue
                expected = {"boolean": bool, "integer": int, "string": str}[setting.type]
                if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                    problems.append(
                        Problem(
                            code="invalidParameter",
                            parameter=parameter,
                            type=setting.type,
                            message=f"{setting.label} must be a {setting.type}.",
                        )
                    )
        return problems

    def estimate(self, task: VideoInferenceTask) -> Decimal | None:
        model = self.get(task.model)
        if model is None:
            return None
        duration = task.duration or model.default_duration
        return model.price(
            width=task.width,
            height=task.height,
            duration=duration,
            number_results=task.number_results or 1,
        )

    def describe(self) -> list[dict[str, Any]]:
        """A plain listing, for ``sora-studio models`` and the sandbox's modelSearch."""
        return [m.model_dump(by_alias=True) for m in self]


def _frame_name(frame: Any, count: int) -> str:
    if isinstance(frame, int) and not isinstance(frame, bool):
        return "first" if frame == 0 else ("last" if frame == -1 or count > 1 else str(frame))
    return str(frame)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if (p.code, p.parameter) not in seen:
            seen.add((p.code, p.parameter))
            out.append(p)
    return out


@cache
def default_catalog() -> Catalog:
    """The catalogue shipped in ``resources/models``; loaded once."""
    return Catalog.load()
