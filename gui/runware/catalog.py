"""The model catalogue: what each video model accepts, read from ``resources/models/*.json``.

Every rule about a model lives in its data file; this module reads the files and checks a request
against them with messages a person can act on. The client, the studio, the window and the
sandbox all ask this one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from gui.identity import resources_dir
from gui.runware.model_rules import SIZE, check_rules, join_words, rule_fields
from gui.runware.model_spec import (
    AudioSpec,
    FrameImageRules,
    Limits,
    ModelSpec,
    PriceRow,
    Pricing,
    ProviderSetting,
    Size,
    frame_name,
)
from gui.runware.models import VideoInferenceTask

__all__ = [
    "AudioSpec",
    "Catalog",
    "FrameImageRules",
    "Limits",
    "ModelSpec",
    "PriceRow",
    "Pricing",
    "Problem",
    "ProviderSetting",
    "Size",
    "default_catalog",
    "prompt_length",
    "resources_dir",
]


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


# pydantic's names for the branches of a union, which are not wire names
_BRANCHES = frozenset({"bool", "int", "float", "str", "list", "dict", "none", "function-after"})

_TYPE_WORDS = {
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "float_type": "float",
    "float_parsing": "float",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "string_type": "string",
    "list_type": "array",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return f"the string {shown!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "null"
    return "an array" if isinstance(value, list) else "an object"


def _one_per_parameter(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if p.parameter not in seen:
            seen.add(p.parameter)
            out.append(p)
    return out


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
        """The first live model in display order (the first of all when none is live)."""
        return next((m for m in self if m.is_live()), next(iter(self._models.values())))

    def find(self, wanted: str) -> ModelSpec:
        """A model by its AIR, its name, or a part of its name or AIR that only it has
        ("veo fast", "kling 3.0 pro"); spaces, case and punctuation do not matter.

        Raises ``LookupError`` with the models it could mean, or the known ones."""
        if wanted in self._models:
            return self._models[wanted]
        words = _norm(wanted).split()
        if not words:
            raise LookupError("No model was named.")
        exact = [m for m in self if _norm(m.name).replace(" ", "") == "".join(words)]
        if len(exact) == 1:
            return exact[0]
        found = [m for m in self if all(w in f"{_norm(m.name)} {_norm(m.air)}" for w in words)]
        if len(found) == 1:
            return found[0]
        if found:
            names = join_words([f"{m.name} ({m.air})" for m in found])
            raise LookupError(f"{wanted!r} could be {names}: say which.")
        names = join_words([m.name for m in self])
        raise LookupError(f"No model matches {wanted!r}; the models are {names}.")

    def live(self) -> list[ModelSpec]:
        return [m for m in self if m.is_live()]

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
            known = join_words([f"{m.name} ({m.air})" for m in self])
            return [
                Problem(
                    code="invalidModel",
                    parameter="model",
                    type="string",
                    message=f"Unknown model {raw.get('model')!r}; known models: {known}.",
                    allowed_values=list(self._models),
                )
            ]
        # Types first, then the model's own rules: a wrong type never hides another mistake.
        # The model's words beat pydantic's for the same parameter ("1 to 4 videos").
        shape = self._check_shape(raw, model, strict)
        typed = {p.parameter for p in shape if p.message.startswith(f"{p.parameter} must be ")}
        shaped = {p.parameter for p in shape}
        rules = [
            p
            for p in self._check_model_rules(raw, model, strict)
            if p.parameter not in typed
            # present but malformed (an empty list) is the shape's to say, not "missing"
            and not (p.code == "missingParameter" and p.parameter in shaped)
        ]
        ruled = {p.parameter for p in rules}
        problems.extend(p for p in shape if p.parameter in typed or p.parameter not in ruled)
        problems.extend(rules)
        return _dedupe(problems)

    def _check_shape(self, raw: Mapping[str, Any], model: ModelSpec, strict: bool) -> list[Problem]:
        """The API-wide rules, from the pydantic request model."""
        try:
            # As JSON and strict: "1000" is not an integer and "yes" is not a boolean, the way
            # Runware documents its types; 8 is still a valid float.
            VideoInferenceTask.model_validate_json(json.dumps(dict(raw), default=str), strict=True)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
                # pydantic names union branches in the location; keep only wire names
                parameter = ".".join(
                    p for p in loc if p[:1].islower() and "[" not in p and p not in _BRANCHES
                )
                if err["type"] == "extra_forbidden":
                    if strict:
                        problems.append(self._unknown(parameter, model))
                    continue
                wire_type = _TYPE_WORDS.get(str(err["type"]))
                # a union's branch (str or object, bool or int…) failing is not a type error
                # of the field: the catalogue says what the model takes there
                union = any(str(p) in _BRANCHES or str(p)[:1].isupper() for p in err["loc"])
                if wire_type is not None and not union:
                    problems.append(
                        Problem(
                            # a wrong type is not an unsupported duration: only the prompt,
                            # model and taskUUID have codes of their own for any bad value
                            code=_PYDANTIC_CODES.get(parameter, "invalidParameter")
                            if parameter != "duration"
                            else "invalidParameter",
                            parameter=parameter,
                            type=wire_type,
                            message=f"{parameter} must be {_article(wire_type)} {wire_type}, "
                            f"not {_json_kind(err.get('input'))}.",
                        )
                    )
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
            return _one_per_parameter(problems)
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
            n = prompt_length(prompt)
            if not model.prompt.min <= n <= model.prompt.max:
                add(
                    Problem(
                        code="invalidPositivePrompt",
                        parameter="positivePrompt",
                        type="string",
                        message=(
                            f"The prompt must be {model.prompt.min} to {model.prompt.max} "
                            f"characters; it has {n}{_ends_note(prompt)}."
                        ),
                    )
                )
        negative = raw.get("negativePrompt")
        if negative is not None and model.negative_prompt is None and strict:
            add(self._unknown("negativePrompt", model))
        elif isinstance(negative, str) and model.negative_prompt is not None:
            n = prompt_length(negative)
            limits = model.negative_prompt
            if not limits.min <= n <= limits.max:
                add(
                    Problem(
                        code="invalidNegativePrompt",
                        parameter="negativePrompt",
                        type="string",
                        message=f"The negative prompt must be {limits.min} to {limits.max} "
                        f"characters; it has {n}{_ends_note(negative)}.",
                    )
                )
        resolution = raw.get("resolution")
        if resolution is not None and not model.resolutions and strict:
            add(self._unknown("resolution", model))
        elif (
            isinstance(resolution, str)
            and model.resolutions
            and resolution not in model.resolutions
        ):
            add(
                Problem(
                    code="invalidParameter",
                    parameter="resolution",
                    type="string",
                    message=f"{model.name} takes the resolution "
                    f"{join_words(list(model.resolutions))}, not {resolution!r}.",
                    allowed_values=list(model.resolutions),
                )
            )

        if "deliveryMethod" in raw and raw["deliveryMethod"] not in model.delivery_methods:
            add(
                Problem(
                    code="invalidDeliveryMethod",
                    parameter="deliveryMethod",
                    type="string",
                    message=f"{model.name} only works with deliveryMethod "
                    f"{join_words(list(model.delivery_methods))}.",
                    allowed_values=list(model.delivery_methods),
                )
            )

        inputs = raw.get("inputs") or {}
        video_id = inputs.get("videoId") if isinstance(inputs, dict) else None
        frames = inputs.get("frameImages") if isinstance(inputs, dict) else None
        has_size = "width" in raw or "height" in raw

        if video_id is not None and model.video_id is None and strict:
            add(self._unknown("inputs.videoId", model))
        video = inputs.get("video") if isinstance(inputs, dict) else None
        if video is not None and "inputs.video" not in rule_fields(model.rules) and strict:
            add(self._unknown("inputs.video", model))
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
        elif (
            model.size_required
            and video_id is None
            and not frames
            and SIZE not in rule_fields(model.rules)
        ):
            add(
                Problem(
                    code="invalidParameter",
                    parameter="width",
                    type="integer",
                    message=f"Choose a size: {join_words([s.label for s in model.sizes])}, "
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
                    f"{join_words([_fmt(d) for d in model.durations])} seconds, not {_fmt(duration)}.",
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
                    message=f"{model.name} writes {join_words(list(model.output_formats))}.",
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
        elif model.needs_frame and video_id is None and video is None:
            add(
                Problem(
                    code="missingParameter",
                    parameter="inputs.frameImages",
                    type="array",
                    message=f"{model.name} makes videos from an image: give a first frame.",
                )
            )

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

        # the page's rules last: a more specific message above says the same thing better
        for broken in check_rules(model.rules, raw, rule_fields(model.rules)):
            add(
                Problem(
                    code=broken.code,
                    parameter=broken.parameter,
                    message=broken.message,
                    allowed_values=broken.allowed_values,
                )
            )
        for option in ("safety", "ttl", "includeCost", "webhookURL", "uploadEndpoint"):
            if option in raw and option not in model.options and strict:
                add(self._unknown(option, model))
        return problems

    def _size_problem(self, model: ModelSpec, width: int, height: int) -> Problem:
        label = f"{width}×{height}"
        others = [m.name for m in self if m is not model and m.size(width, height)]
        message = f"{model.name} makes {join_words([s.label for s in model.sizes])}"
        message += f"; {label} needs {join_words(others)}." if others else f", not {label}."
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
                    f"image{'s' if len(allowed) > 1 else ''} ({join_words(allowed, 'and')}).",
                    allowed_values=allowed,
                )
            )
            return problems
        seen: set[str] = set()
        for index, item in enumerate(frames):
            frame = item.get("frame") if isinstance(item, dict) else None
            # Without "frame", positions are assigned in order: first, then last.
            name = allowed[index] if frame is None else frame_name(frame, len(allowed))
            if name not in allowed:
                problems.append(
                    Problem(
                        code="invalidFrameImages",
                        parameter="inputs.frameImages",
                        type="string",
                        message=f"{model.name} takes only the {join_words(allowed, 'and')} frame, "
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
                problem = _setting_problem(setting, value, parameter)
                if problem is not None:
                    problems.append(problem)
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
            audio=model.has_audio(task.provider_settings),
            resolution=task.resolution,
        )

    def describe(self) -> list[dict[str, Any]]:
        """A plain listing, for ``sora-studio models`` and the sandbox's modelSearch."""
        return [m.model_dump(by_alias=True, mode="json") for m in self]


def _setting_problem(setting: ProviderSetting, value: Any, parameter: str) -> Problem | None:
    """A provider setting's value against its type, choices and range."""
    if setting.type == "enum":
        if any(value == v and type(value) is type(v) for v in setting.values):
            return None
        return Problem(
            code="invalidParameter",
            parameter=parameter,
            type="string",
            message=f"{setting.label} is one of {join_words([str(v) for v in setting.values])}, "
            f"not {value!r}.",
            allowed_values=list(setting.values),
        )
    kinds: dict[str, tuple[type, ...]] = {
        "boolean": (bool,),
        "integer": (int,),
        "number": (int, float),
        "string": (str,),
    }
    wrong_bool = setting.type != "boolean" and isinstance(value, bool)
    if wrong_bool or not isinstance(value, kinds[setting.type]):
        return Problem(
            code="invalidParameter",
            parameter=parameter,
            type=setting.type,
            message=f"{setting.label} must be {_article(setting.type)} {setting.type}.",
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        low = setting.min if setting.min is not None else float("-inf")
        high = setting.max if setting.max is not None else float("inf")
        if not low <= value <= high:
            return Problem(
                code="invalidParameter",
                parameter=parameter,
                type=setting.type,
                message=f"{setting.label} runs from {_fmt(low)} to {_fmt(high)}, not {value}.",
            )
    return None


def _norm(text: str) -> str:
    """Lower case, punctuation as spaces, letters split from digits ("Veo3.1" → "veo 3 1")."""
    spaced = re.sub(r"[^a-z0-9]+", " ", text.lower())
    return " ".join(re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", spaced).split())


def _ends_note(text: str) -> str:
    return " (spaces at either end do not count)" if text != text.strip() else ""


def prompt_length(text: str) -> int:
    """A prompt's length as it is checked and reported: spaces at either end do not count."""
    return len(text.strip())


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
