"""Every setting of the compose form as one plain value, and the request it makes.

``ComposeValues`` is what the panel reads from its widgets and writes back into them. It turns
into a JSON-able dict for presets and last-used settings (read back leniently: unknown keys are
ignored and bad values fall back to the model's defaults), adapts itself when the model changes,
and builds the one request object, :class:`~gui.studio.jobs.JobSpec`, with its problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeGuard

from gui.runware.catalog import Catalog, ModelSpec, Problem
from gui.runware.images import frame_rules, side_problem
from gui.studio.jobs import FrameInput, JobSpec
from gui.ui.compose.form_rules import ModelFields, http_url_problem, seed_problem, ttl_problem

__all__ = [
    "SAFETY_MODES",
    "ComposeValues",
    "FrameChoice",
    "RemixSource",
    "build_request",
    "frame_size_problem",
]

Fit = Literal["crop", "pad"]
FITS: tuple[str, ...] = ("crop", "pad")
SAFETY_MODES: tuple[str, ...] = ("none", "fast", "full")
VERSION = 1


@dataclass(frozen=True)
class FrameChoice:
    """A frame image as the user chose it, and how it meets the video's aspect."""

    path: str
    fit: Fit = "crop"


@dataclass(frozen=True)
class RemixSource:
    video_id: str
    source_label: str = ""


@dataclass(frozen=True)
class ComposeValues:
    """Every setting of the form. Text fields hold what was typed, checked when a spec is built."""

    model: str
    prompt: str = ""
    width: int | None = None
    height: int | None = None
    duration: float = 0.0
    number_results: int = 1
    output_format: str = "MP4"
    output_quality: int = 95
    seed: str | None = None  # None: random, not sent; otherwise the digits typed
    provider_settings: dict[str, dict[str, bool | int | float | str]] = field(default_factory=dict)
    frames: dict[str, FrameChoice] = field(default_factory=dict)
    remix: RemixSource | None = None
    safety_mode: str | None = None
    ttl: str = ""
    webhook_url: str = ""
    upload_endpoint: str = ""

    # ---- defaults and model changes
    @classmethod
    def defaults(cls, model: ModelSpec) -> ComposeValues:
        size = model.default_size
        quality = model.output_quality
        return cls(
            model=model.air,
            width=size.width,
            height=size.height,
            duration=model.default_duration,
            number_results=max(1, model.number_results.min),
            output_format=model.output_formats[0],
            output_quality=quality.default if quality.default is not None else quality.max,
            provider_settings=_setting_defaults(model),
        )

    def adapted_to(self, model: ModelSpec) -> ComposeValues:
        """These values for ``model``: what still fits is kept, the rest is the model's default."""
        base = ComposeValues.defaults(model)
        fields = ModelFields.of(model)
        nearest = model.nearest_size(self.width, self.height)
        limits = model.number_results
        quality = model.output_quality
        settings = _setting_defaults(model)
        for setting in fields.settings:
            value = self.provider_settings.get(setting.provider, {}).get(setting.name)
            if _type_ok(setting.type, value):
                settings.setdefault(setting.provider, {})[setting.name] = value  # type: ignore[assignment]
        return replace(
            base,
            prompt=self.prompt,
            width=nearest.width,
            height=nearest.height,
            duration=model.nearest_duration(self.duration),
            number_results=self.number_results
            if limits.min <= self.number_results <= limits.max
            else base.number_results,
            output_format=self.output_format
            if self.output_format in model.output_formats
            else base.output_format,
            output_quality=self.output_quality
            if quality.min <= self.output_quality <= quality.max
            else base.output_quality,
            seed=self.seed if fields.seed else None,
            provider_settings=settings,
            frames={k: v for k, v in self.frames.items() if k in fields.frames},
            remix=self.remix if fields.remix else None,
            safety_mode=self.safety_mode if fields.safety else None,
            ttl=self.ttl if fields.ttl else "",
            webhook_url=self.webhook_url if fields.webhook else "",
            upload_endpoint=self.upload_endpoint if fields.upload_endpoint else "",
        )

    # ---- plain data
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "model": self.model,
            "prompt": self.prompt,
            "width": self.width,
            "height": self.height,
            "duration": self.duration,
            "number_results": self.number_results,
            "output_format": self.output_format,
            "output_quality": self.output_quality,
            "seed": _number_or_text(self.seed),
            "provider_settings": {p: dict(v) for p, v in self.provider_settings.items()},
            "frames": {k: {"path": v.path, "fit": v.fit} for k, v in self.frames.items()},
            "remix": None
            if self.remix is None
            else {"video_id": self.remix.video_id, "source_label": self.remix.source_label},
            "safety_mode": self.safety_mode,
            "ttl": _number_or_text(self.ttl) if self.ttl else None,
            "webhook_url": self.webhook_url,
            "upload_endpoint": self.upload_endpoint,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | Any, catalog: Catalog) -> ComposeValues:
        """Read values leniently: anything unknown or out of range becomes the model's default."""
        raw = raw if isinstance(raw, Mapping) else {}
        model = catalog.get(raw["model"]) if isinstance(raw.get("model"), str) else None
        model = model or catalog.default
        d = ComposeValues.defaults(model)

        def text(key: str) -> str:
            value = raw.get(key)
            return value if isinstance(value, str) else ""

        def integer(key: str) -> int | None:
            value = raw.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        duration = raw.get("duration")
        duration = float(duration) if _is_number(duration) else None
        seed = raw.get("seed")
        seed = str(seed) if integer("seed") is not None else None
        if seed is not None and (model.seed is None or seed_problem(seed, model.seed)):
            seed = None
        ttl = str(raw["ttl"]) if integer("ttl") is not None else ""
        safety = raw.get("safety_mode")
        values = replace(
            d,
            prompt=text("prompt"),
            width=integer("width") or d.width,
            height=integer("height") or d.height,
            duration=duration if duration is not None else d.duration,
            number_results=integer("number_results") or d.number_results,
            output_format=text("output_format") or d.output_format,
            output_quality=integer("output_quality") or d.output_quality,
            seed=seed,
            provider_settings=_read_settings(raw.get("provider_settings"), model),
            frames=_read_frames(raw.get("frames")),
            remix=_read_remix(raw.get("remix")),
            safety_mode=safety if safety in SAFETY_MODES else None,
            ttl="" if ttl_problem(ttl) else ttl,
            webhook_url="" if http_url_problem(text("webhook_url")) else text("webhook_url"),
            upload_endpoint=""
            if http_url_problem(text("upload_endpoint"))
            else text("upload_endpoint"),
        )
        return values.adapted_to(model)


def build_request(
    values: ComposeValues,
    catalog: Catalog,
    frames: Mapping[str, FrameInput],
    waiting: list[Problem] | None = None,
) -> tuple[JobSpec | None, list[Problem]]:
    """The JobSpec these values describe, and every problem with it (empty when it may be sent).

    ``frames`` are the frame images ready to send; ``waiting`` are problems of images still being
    fetched or checked. Typed fields are checked here in plain words before the catalogue's rules.
    """
    model = catalog.get(values.model)
    if model is None:
        unknown = Problem(code="invalidModel", parameter="model", message="Choose a model.")
        return None, [unknown]
    fields = ModelFields.of(model)
    problems: list[Problem] = []
    if not values.prompt.strip():
        problems.append(
            Problem(
                code="invalidPositivePrompt",
                parameter="positivePrompt",
                message="Describe the video you want in the prompt.",
            )
        )
    problems.extend(waiting or [])

    seed: int | None = None
    if fields.seed is not None and values.seed is not None:
        message = seed_problem(values.seed, fields.seed)
        if message:
            problems.append(_field_problem("seed", message))
        else:
            seed = int(values.seed)
    ttl_message = ttl_problem(values.ttl) if fields.ttl else None
    if ttl_message:
        problems.append(_field_problem("ttl", f"TTL: {ttl_message}"))
    urls: dict[str, str | None] = {}
    for key, label, shown, text in (
        ("webhookURL", "Webhook URL", fields.webhook, values.webhook_url),
        ("uploadEndpoint", "Upload endpoint", fields.upload_endpoint, values.upload_endpoint),
    ):
        message = http_url_problem(text) if shown else None
        if message:
            problems.append(_field_problem(key, f"{label}: {message}"))
        urls[key] = text.strip() if shown and text.strip() and not message else None

    remix = values.remix if fields.remix else None
    sent_frames = () if remix else tuple(frames[f] for f in fields.frames if f in frames)
    if not remix and (too_big := frame_size_problem(values, model)) is not None:
        problems.append(too_big)
    try:
        spec = JobSpec(
            model=model.air,
            prompt=values.prompt,
            width=None if remix else values.width,
            height=None if remix else values.height,
            duration=values.duration,
            number_results=values.number_results,
            output_format=values.output_format,
            output_quality=values.output_quality,
            frames=sent_frames,
            video_id=remix.video_id if remix else None,
            seed=seed,
            provider_settings=_sent_settings(values.provider_settings, fields),
            safety_mode=values.safety_mode if fields.safety else None,
            ttl=int(values.ttl) if fields.ttl and values.ttl.strip() and not ttl_message else None,
            webhook_url=urls["webhookURL"],
            upload_endpoint=urls["uploadEndpoint"],
        )
    except ValueError as exc:
        problems.append(_field_problem("spec", f"This request cannot be made: {exc}"))
        return None, problems
    if values.prompt.strip():  # an empty prompt has been named above, in plainer words
        problems.extend(p for p in spec.problems(catalog) if p not in problems)
    problems.sort(key=_form_order)
    return (spec if not problems else None), problems


def frame_size_problem(values: ComposeValues, model: ModelSpec) -> Problem | None:
    """Frame images are fitted to the chosen size before upload, so that size must itself be a
    frame image the model takes (Veo 3.1 at 3840×2160 with a first frame: 3840 px is over its
    2048). The rule is the client's own (:func:`side_problem`), so nothing is sent to be refused."""
    chosen = [f for f in ModelFields.of(model).frames if f in values.frames]
    if not chosen or not values.width or not values.height:
        return None
    why = side_problem(values.width, values.height, frame_rules(model))
    if why is None:
        return None
    size = f"{values.width}×{values.height}"
    which = f"{chosen[0]} frame image" if len(chosen) == 1 else "frame images"
    return Problem(
        code="invalidFrameImageSize",
        parameter="inputs.frameImages",
        message=(
            f"The {which} cannot be sent at {size}: for {model.name}, {why}. "
            "Choose a smaller size, or remove the image."
        ),
    )


# Problems are listed in the order the form shows its fields, so the first is the topmost.
_ORDER = (
    "model",
    "positivePrompt",
    "inputs",
    "width",
    "height",
    "duration",
    "numberResults",
    "outputFormat",
    "outputQuality",
    "seed",
    "providerSettings",
    "safety",
    "ttl",
    "webhookURL",
    "uploadEndpoint",
)


def _form_order(problem: Problem) -> int:
    head = problem.parameter.split(".")[0]
    return _ORDER.index(head) if head in _ORDER else len(_ORDER)


def _field_problem(parameter: str, message: str) -> Problem:
    return Problem(code="invalidParameter", parameter=parameter, message=message)


def _sent_settings(
    chosen: Mapping[str, Mapping[str, bool | int | float | str]], fields: ModelFields
) -> dict[str, dict[str, bool | int | float | str]]:
    sent: dict[str, dict[str, bool | int | float | str]] = {}
    for setting in fields.settings:
        value = chosen.get(setting.provider, {}).get(setting.name, setting.default)
        if value is not None and value != "" and _type_ok(setting.type, value):
            sent.setdefault(setting.provider, {})[setting.name] = value
    return sent


def _setting_defaults(model: ModelSpec) -> dict[str, dict[str, bool | int | float | str]]:
    out: dict[str, dict[str, bool | int | float | str]] = {}
    for setting in ModelFields.of(model).settings:
        if setting.default is not None:
            out.setdefault(setting.provider, {})[setting.name] = setting.default
    return out


def _type_ok(kind: str, value: object) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return _is_number(value)
    if kind == "enum":
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    return isinstance(value, str)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_or_text(text: str | None) -> int | str | None:
    return int(text) if text is not None and text.isdigit() else text


def _read_settings(raw: object, model: ModelSpec) -> dict[str, dict[str, bool | int | float | str]]:
    settings = _setting_defaults(model)
    if not isinstance(raw, Mapping):
        return settings
    for setting in ModelFields.of(model).settings:
        group = raw.get(setting.provider)
        value = group.get(setting.name) if isinstance(group, Mapping) else None
        if _type_ok(setting.type, value):
            settings.setdefault(setting.provider, {})[setting.name] = value  # type: ignore[assignment]
    return settings


def _read_frames(raw: object) -> dict[str, FrameChoice]:
    frames: dict[str, FrameChoice] = {}
    if not isinstance(raw, Mapping):
        return frames
    for name, item in raw.items():
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            continue
        fit = item.get("fit") if item.get("fit") in FITS else "crop"
        if item["path"]:
            frames[str(name)] = FrameChoice(path=item["path"], fit=fit)  # type: ignore[arg-type]
    return frames


def _read_remix(raw: object) -> RemixSource | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("video_id"), str):
        return None
    label = raw.get("source_label")
    if not raw["video_id"].strip():
        return None
    return RemixSource(
        video_id=raw["video_id"], source_label=label if isinstance(label, str) else ""
    )
