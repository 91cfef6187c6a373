"""One model's data file (``resources/models/*.json``) as typed data, and the questions asked of it.

The schema is documented in ``docs/catalogue.md``. Nothing here names a model: every difference
between models is a value in its file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from gui.runware.model_rules import SIZE, Rule, field_value
from gui.runware.models import _wire_alias

__all__ = [
    "AudioSpec",
    "FrameImageRules",
    "Limits",
    "ModelSpec",
    "PriceRow",
    "Pricing",
    "ProviderSetting",
    "Size",
    "Source",
]


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
    required: bool = True


class FrameImageRules(_Data):
    frames: tuple[str, ...]
    min_side: int
    max_side: int
    max_bytes: int
    formats: tuple[str, ...]
    required: bool = False


class VideoIdRules(_Data):
    excludes: tuple[Literal["size", "frameImages"], ...] = ()


class ProviderSetting(_Data):
    provider: str
    name: str
    label: str
    type: Literal["boolean", "integer", "number", "string", "enum"]
    default: bool | int | float | str | None = None
    fixed: bool = False  # the provider always applies it; shown, not sent
    values: tuple[str | int | float, ...] = ()
    min: float | None = None
    max: float | None = None

    @property
    def path(self) -> str:
        return f"providerSettings.{self.provider}.{self.name}"


class AudioSpec(_Data):
    """Whether a model's videos have sound: never, always, or when a boolean setting says so."""

    mode: Literal["none", "always", "optional"] = "none"
    setting: str | None = None  # wire path of the boolean that turns audio on


class PriceRow(_Data):
    resolution: str | None = None
    duration: float | None = None
    audio: bool | None = None
    per_second: float | None = None
    per_clip: float | None = None

    def matches(self, resolution: str | None, duration: float, audio: bool) -> bool:
        return (
            (self.resolution is None or self.resolution == resolution)
            and (self.duration is None or float(self.duration) == float(duration))
            and (self.audio is None or self.audio == audio)
        )

    @property
    def specificity(self) -> int:
        return sum(v is not None for v in (self.resolution, self.duration, self.audio))

    def amount(self, duration: float) -> Decimal:
        if self.per_clip is not None:
            return Decimal(str(self.per_clip))
        return Decimal(str(self.per_second or 0)) * Decimal(str(duration))


class Pricing(_Data):
    currency: str = "USD"
    rows: tuple[PriceRow, ...] = ()
    note: str | None = None

    def row_for(self, resolution: str | None, duration: float, audio: bool) -> PriceRow | None:
        found = [r for r in self.rows if r.matches(resolution, duration, audio)]
        return max(found, key=lambda r: r.specificity) if found else None

    def rate_words(self) -> list[str]:
        """The per-second rates in words, e.g. "720p $0.10/s", for listings."""
        words = []
        for row in self.rows:
            what = " ".join(
                part
                for part in (row.resolution, "with audio" if row.audio else None)
                if part is not None
            )
            if row.per_second is not None:
                words.append(f"{what} ${row.per_second:.2f}/s".strip())
            elif row.per_clip is not None:
                length = f"{row.duration:g} s " if row.duration else ""
                words.append(f"{what} {length}${row.per_clip:.2f}".strip())
        return words


class Source(_Data):
    url: str | None = None
    sdk: str | None = None
    read: str | None = None
    facts: str | None = None


Option = Literal["safety", "ttl", "includeCost", "webhookURL", "uploadEndpoint"]


class ModelSpec(_Data):
    """One model's data file."""

    air: str
    name: str
    provider: str
    task_type: Literal["videoInference"] = "videoInference"
    status: Literal["live", "deactivated"] = "live"
    deactivated_on: dt.date | None = None
    notice: str | None = None
    order: int = 100
    delivery_methods: tuple[str, ...] = ("async",)
    prompt: Limits
    negative_prompt: Limits | None = None
    sizes: tuple[Size, ...]
    resolutions: tuple[str, ...] = ()
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
    audio: AudioSpec = AudioSpec()
    provider_settings: tuple[ProviderSetting, ...] = ()
    options: tuple[Option, ...] = ()
    rules: tuple[Rule, ...] = ()
    pricing: Pricing | None = None
    sources: tuple[Source, ...] = ()
    conflicts: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = ()

    # ---- status
    def is_live(self, today: dt.date | None = None) -> bool:
        """False once Runware has ended the model (its status, or its announced date passed)."""
        if self.status == "deactivated":
            return False
        if self.deactivated_on is None:
            return True
        return (today or dt.date.today()) < self.deactivated_on

    # ---- questions the UI and the studio ask
    @property
    def accepts_video_id(self) -> bool:
        return self.video_id is not None

    @property
    def accepts_seed(self) -> bool:
        return self.seed is not None

    @property
    def accepts_negative_prompt(self) -> bool:
        return self.negative_prompt is not None

    def accepts_frame(self, frame: str) -> bool:
        return self.frame_images is not None and frame in self.frame_images.frames

    @property
    def needs_frame(self) -> bool:
        return self.frame_images is not None and self.frame_images.required

    def size(self, width: int, height: int) -> Size | None:
        return next((s for s in self.sizes if s.width == width and s.height == height), None)

    @property
    def default_size(self) -> Size:
        return self.sizes[0]

    def nearest_size(self, width: int | None, height: int | None) -> Size:
        """The size itself when the model makes it, else the one nearest its shape and area."""
        if not width or not height or width <= 0 or height <= 0:
            return self.default_size
        same = self.size(width, height)
        if same is not None:
            return same
        aspect, area = width / height, width * height
        return min(
            self.sizes,
            key=lambda s: (round(abs(s.aspect - aspect), 2), abs(s.width * s.height - area)),
        )

    def nearest_duration(self, duration: float) -> float:
        """The duration itself when offered, else the nearest offered one (the longer on a tie)."""
        offered = self.offered_durations() or self.durations
        return min(offered, key=lambda d: (abs(d - duration), -d))

    def excluded(self, present: Iterable[str]) -> set[str]:
        """Fields the rules forbid in a request that already has ``present``."""
        have = set(present)
        out: set[str] = set()
        for rule in self.rules:
            out |= rule.excluded_by(have)
        if self.video_id is not None and "inputs.videoId" in have:
            out |= {SIZE if e == "size" else f"inputs.{e}" for e in self.video_id.excludes}
        return out

    def allowed(
        self,
        field: str,
        values: Iterable[Any],
        present: Iterable[str],
        raw: Mapping[str, Any] | None = None,
    ) -> list[Any]:
        """The values of ``field`` the rules allow in a request that has ``present`` (and,
        for rules that depend on values, the values in ``raw``)."""
        have = set(present)
        return [v for v in values if all(r.value_allowed(field, v, have, raw) for r in self.rules)]

    def offered_durations(
        self, present: Iterable[str] = (), size: Size | None = None
    ) -> tuple[float, ...]:
        """Durations a person may pick for a request with these inputs (and this size)."""
        raw = {"width": size.width, "height": size.height} if size is not None else None
        return tuple(self.allowed("duration", self.durations, present, raw))

    def size_fields(self, size: Size | None, present: Iterable[str]) -> dict[str, Any]:
        """How the chosen size goes on the wire: width/height, else ``resolution``, else nothing.

        A model that takes exactly one of frame images or width/height gets only the frames;
        it is then told the resolution when it takes that parameter.
        """
        if size is None:
            return {}
        excluded = self.excluded(present)
        if SIZE not in excluded:
            return {"width": size.width, "height": size.height}
        if "resolution" not in excluded and size.resolution in self.resolutions:
            return {"resolution": size.resolution}
        return {}

    def summary(self) -> str:
        """One line of what matters when choosing: price, length, sizes, frames, audio."""
        parts = [self.price_words(), f"up to {max(self.durations):g} s"]
        resolutions = list(dict.fromkeys(s.resolution for s in self.sizes))
        if resolutions:
            parts.append("/".join(resolutions))
        if self.frame_images is not None:
            frames = " + ".join(self.frame_images.frames)
            parts.append(f"{frames} frame{'s' if len(self.frame_images.frames) > 1 else ''}")
            if self.frame_images.required:
                parts[-1] += " (required)"
        if self.audio.mode != "none":
            parts.append("audio" if self.audio.mode == "always" else "audio on/off")
        if not self.is_live():
            when = f" {self.deactivated_on.isoformat()}" if self.deactivated_on else ""
            parts.append(f"deactivated{when}")
        return " · ".join(parts)

    def price_words(self) -> str:
        """ "$0.10/s", "from $0.05/s", "$0.80/clip", or "price unknown"."""
        if self.pricing is None or not self.pricing.rows:
            return "price unknown"
        rates = sorted({r.per_second for r in self.pricing.rows if r.per_second is not None})
        if rates:
            return f"{'from ' if len(rates) > 1 else ''}${rates[0]:.2f}/s"
        clips = sorted({r.per_clip for r in self.pricing.rows if r.per_clip is not None})
        return f"{'from ' if len(clips) > 1 else ''}${clips[0]:.2f}/clip"

    # ---- audio and price
    def has_audio(self, provider_settings: Mapping[str, Mapping[str, Any]] | None) -> bool:
        if self.audio.mode != "optional" or self.audio.setting is None:
            return self.audio.mode == "always"
        value = field_value({"providerSettings": provider_settings or {}}, self.audio.setting)
        if value is None:
            setting = next(
                (s for s in self.provider_settings if s.path == self.audio.setting), None
            )
            value = setting.default if setting else False
        return value is True

    @property
    def price_known(self) -> bool:
        return self.pricing is not None and bool(self.pricing.rows)

    def resolution_of(self, width: int | None, height: int | None) -> str | None:
        size = self.size(width, height) if width and height else None
        return size.resolution if size else None

    def price(
        self,
        *,
        width: int | None,
        height: int | None,
        duration: float,
        number_results: int = 1,
        audio: bool = False,
        resolution: str | None = None,
    ) -> Decimal | None:
        """Price in the catalogue's currency, or None when Runware publishes none for this
        request. Without a size (a remix takes its source's), the first size's row is used."""
        if self.pricing is None:
            return None
        found = resolution or self.resolution_of(width, height) or self.sizes[0].resolution
        row = self.pricing.row_for(found, duration, audio)
        if row is None:
            return None
        total = row.amount(duration) * number_results
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
                positions.append(frame_name(frame, len(allowed)))
        return positions


def frame_name(frame: Any, count: int) -> str:
    if isinstance(frame, int) and not isinstance(frame, bool):
        return "first" if frame == 0 else ("last" if frame == -1 or count > 1 else str(frame))
    return str(frame)
