"""A job's settings carried over to another model: what the new model takes is kept, the nearest
allowed value replaces the rest, and every change is said in plain words.

Used when Runware no longer offers a model ("try with …" in one click) and by the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gui.runware.catalog import Catalog, ModelSpec
from gui.studio.jobs import JobSpec

__all__ = ["Adapted", "adapt_spec", "closest_live"]


@dataclass(frozen=True)
class Adapted:
    spec: JobSpec
    changes: list[str] = field(default_factory=list)


def adapt_spec(spec: JobSpec, model: ModelSpec) -> Adapted:
    """``spec`` for ``model`` (see the module docstring)."""
    changes: list[str] = []
    size = model.nearest_size(spec.width, spec.height) if spec.width and spec.height else None
    if size is not None and (size.width, size.height) != (spec.width, spec.height):
        changes.append(f"size {spec.width}×{spec.height} → {size.label}")
    duration = model.nearest_duration(spec.duration)
    if duration != spec.duration:
        changes.append(f"length {spec.duration:g} s → {duration:g} s")
    limits = model.number_results
    count = min(max(spec.number_results, limits.min), limits.max)
    if count != spec.number_results:
        changes.append(f"{spec.number_results} videos → {count}")
    frames = tuple(f for f in spec.frames if model.accepts_frame(f.frame))
    for dropped in set(spec.frames) - set(frames):
        changes.append(f"the {dropped.frame} frame image is dropped")
    video_id = spec.video_id if model.accepts_video_id else None
    if spec.video_id and video_id is None:
        changes.append("the remix source is dropped")
    seed = spec.seed if model.seed is not None else None
    if spec.seed is not None and seed is None:
        changes.append("the seed is dropped")
    negative = spec.negative_prompt if model.negative_prompt is not None else None
    if spec.negative_prompt and negative is None:
        changes.append("the negative prompt is dropped")
    settings: dict[str, dict[str, bool | int | float | str]] = {}
    for s in model.provider_settings:
        old = spec.provider_settings.get(s.provider, {}).get(s.name)
        if old is not None and not s.fixed:
            settings.setdefault(s.provider, {})[s.name] = old
    wanted_audio = _audio_of(spec)
    if model.audio.mode == "optional" and model.audio.setting and wanted_audio is not None:
        _, provider, name = model.audio.setting.split(".", 2)
        settings.setdefault(provider, {})[name] = wanted_audio
    elif wanted_audio and model.audio.mode == "none":
        changes.append("the video will have no sound")
    output_format = spec.output_format if spec.output_format in model.output_formats else "MP4"
    quality = spec.output_quality
    if quality is not None and not model.output_quality.min <= quality <= model.output_quality.max:
        quality = None
    adapted = spec.model_copy(
        update={
            "model": model.air,
            "width": size.width if size else None,
            "height": size.height if size else None,
            "duration": duration,
            "number_results": count,
            "frames": frames,
            "video_id": video_id,
            "seed": seed,
            "negative_prompt": negative,
            "provider_settings": settings,
            "output_format": output_format,
            "output_quality": quality,
            "safety_mode": spec.safety_mode if "safety" in model.options else None,
            "ttl": spec.ttl if "ttl" in model.options else None,
            "webhook_url": spec.webhook_url if "webhookURL" in model.options else None,
            "upload_endpoint": spec.upload_endpoint if "uploadEndpoint" in model.options else None,
        }
    )
    return Adapted(adapted, changes)


def _audio_of(spec: JobSpec) -> bool | None:
    """Whether the spec asked for sound: any boolean setting whose name says audio or sound."""
    for values in spec.provider_settings.values():
        for name, value in values.items():
            if isinstance(value, bool) and any(w in name.lower() for w in ("audio", "sound")):
                return value
    return None


def closest_live(catalog: Catalog, spec: JobSpec) -> ModelSpec | None:
    """The live model that keeps most of ``spec``: its frames, remix, length, size, provider."""
    current = catalog.get(spec.model)
    candidates = [m for m in catalog.live() if m.air != spec.model]
    if not candidates:
        return None

    def key(model: ModelSpec) -> tuple[int, bool, int]:
        same_provider = current is not None and model.provider == current.provider
        return -len(adapt_spec(spec, model).changes), same_provider, -model.order

    return max(candidates, key=key)
