"""What the compose form shows for a model and what it says about a request, without widgets.

The panel asks these functions which fields a model takes, how the Generate button reads, and
whether a typed value (a URL, a TTL, a seed) is acceptable; the answers come from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from gui.runware.catalog import Limits, ModelSpec, ProviderSetting

__all__ = [
    "SUPPORTED_FRAMES",
    "ModelFields",
    "PriceLabel",
    "format_money",
    "http_url_problem",
    "price_label",
    "seed_problem",
    "ttl_problem",
]

# The frame positions a JobSpec can carry; the catalogue decides which of them a model takes.
SUPPORTED_FRAMES: tuple[str, ...] = ("first", "last")

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class ModelFields:
    """Which inputs the form offers for one model, read from its catalogue entry."""

    frames: tuple[str, ...]
    seed: Limits | None
    settings: tuple[ProviderSetting, ...]  # sent with the request
    fixed_settings: tuple[ProviderSetting, ...]  # always applied by the provider: shown only
    remix: bool
    safety: bool
    ttl: bool
    webhook: bool
    upload_endpoint: bool

    @classmethod
    def of(cls, model: ModelSpec) -> ModelFields:
        frames = model.frame_images.frames if model.frame_images else ()
        return cls(
            frames=tuple(f for f in SUPPORTED_FRAMES if f in frames),
            seed=model.seed,
            settings=tuple(s for s in model.provider_settings if not s.fixed),
            fixed_settings=tuple(s for s in model.provider_settings if s.fixed),
            remix=model.accepts_video_id,
            safety="safety" in model.options,
            ttl="ttl" in model.options,
            webhook="webhookURL" in model.options,
            upload_endpoint="uploadEndpoint" in model.options,
        )

    @property
    def has_advanced(self) -> bool:
        return self.safety or self.ttl or self.webhook or self.upload_endpoint


def format_money(amount: Decimal, currency: str) -> str:
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{amount:.2f}" if symbol else f"{amount:.2f} {currency}"


@dataclass(frozen=True)
class PriceLabel:
    text: str  # the Generate button's text
    tooltip: str
    known: bool


def price_label(
    model: ModelSpec,
    *,
    width: int | None,
    height: int | None,
    duration: float,
    number_results: int,
    remix: bool = False,
    provider_settings: dict[str, dict[str, bool | int | float | str]] | None = None,
) -> PriceLabel:
    """The Generate button's words: the exact price for the request, or that none is published."""
    if remix:
        width = height = None  # the source's size decides; the catalogue prices the lowest
    price = model.price(
        width=width,
        height=height,
        duration=duration,
        number_results=number_results,
        audio=model.has_audio(provider_settings),
    )
    if price is None or model.pricing is None:
        return PriceLabel(
            text="Generate · price unknown",
            tooltip=f"Runware publishes no price for {model.name} with these settings. "
            "The real cost is shown after the job.",
            known=False,
        )
    money = format_money(price, model.pricing.currency)
    rates = {(r.per_second, r.per_clip) for r in model.pricing.rows}
    what = f"{_seconds(duration)} s × {number_results} video{'s' if number_results > 1 else ''}"
    if remix and len(rates) > 1:
        return PriceLabel(
            text=f"Generate · from {money}",
            tooltip=f"{what}. A remix keeps its source's size; a higher-resolution "
            "source costs more.",
            known=True,
        )
    return PriceLabel(text=f"Generate · {money}", tooltip=f"{what} with {model.name}.", known=True)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def http_url_problem(text: str) -> str | None:
    """None when ``text`` is empty or a usable http(s) address; otherwise what is wrong."""
    text = text.strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return "Use a full address starting with https:// or http://."
    if not parts.hostname or any(c.isspace() for c in text):
        return "This address has no valid host name."
    try:
        _ = parts.port
    except ValueError:
        return "The port in this address is not a number from 0 to 65535."
    return None


def ttl_problem(text: str, minimum: int = 60) -> str | None:
    """None when empty (the default) or a whole number of seconds ≥ ``minimum``."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        return "Give the time to keep results as a whole number of seconds."
    if int(text) < minimum:
        return f"Results must be kept at least {minimum} seconds."
    return None


def seed_problem(text: str, limits: Limits) -> str | None:
    """None when ``text`` is a seed within the model's limits."""
    text = text.strip()
    if not text:
        return "Type a seed, or choose Random."
    if not text.isdigit() or not (limits.min <= int(text) <= limits.max):
        return f"The seed is a whole number from {limits.min} to {limits.max}."
    return None
