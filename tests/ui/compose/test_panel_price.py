"""The Generate button shows the exact price for every model, size, length and count."""

from __future__ import annotations

import pytest

from gui.runware.catalog import Catalog
from tests.ui.compose.conftest import choose_model


def _expected(model, size, duration, count) -> str:  # type: ignore[no-untyped-def]
    price = _price(model, size, duration, count)
    if price is None:
        return "Generate · price unknown"
    assert model.pricing.currency == "USD"
    return f"Generate · ${price:.2f}"


def _price(model, size, duration, count):  # type: ignore[no-untyped-def]
    # with the model's default settings: audio is on where its default says so
    return model.price(
        width=size.width,
        height=size.height,
        duration=duration,
        number_results=count,
        audio=model.has_audio(None),
    )


def _choices(model):  # type: ignore[no-untyped-def]
    """Every size, every duration the rules allow at that size, every count, without the full
    cross product: each value is met at least once, beside the others' defaults."""
    first = model.default_size
    for size in model.sizes:
        yield size, model.nearest_duration(model.default_duration), 1
    for duration in model.offered_durations(size=first):
        yield first, duration, 1
    for count in range(model.number_results.min, model.number_results.max + 1):
        yield first, model.nearest_duration(model.default_duration), count


def test_price_follows_every_choice_of_every_model(make_panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel()
    panel.prompt.set_text("a kite over the dunes")
    checked = 0
    for model in catalog:
        choose_model(panel, model)
        video = panel.video
        for size, duration, count in _choices(model):
            if duration not in model.offered_durations(size=size):
                continue  # e.g. a size that allows only some lengths
            video.size_picker.button_for(size.label).click()
            video.duration.button_for(duration).click()
            video.variations.button_for(count).click()
            assert panel.generate_bar.text() == _expected(model, size, duration, count)
            spec = panel.spec()
            if model.needs_frame:  # image-to-video only: the missing frame is the one problem
                assert spec is None and panel.problems()[0].parameter.startswith("inputs")
                continue
            assert spec is not None, panel.problems()
            assert (spec.width, spec.height, spec.duration, spec.number_results) == (
                size.width,
                size.height,
                duration,
                count,
            )
            assert spec.estimate(catalog) == _price(model, size, duration, count)
            checked += 1
    assert checked > len(catalog) * 3


@pytest.mark.parametrize(
    ("name", "size", "seconds", "count", "text"),
    [
        ("Sora 2", "1280×720", 8.0, 1, "Generate · $0.80"),
        ("Sora 2 Pro", "1920×1080", 8.0, 1, "Generate · $4.00"),
        ("Sora 2 Pro", "720×1280", 4.0, 2, "Generate · $2.40"),
    ],
)
def test_known_prices(make_panel, name, size, seconds, count, text) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(name)
    panel.video.size_picker.button_for(size).click()
    panel.video.duration.button_for(seconds).click()
    panel.video.variations.button_for(count).click()
    assert panel.generate_bar.text() == text


@pytest.mark.parametrize("name", ["Veo 3.1", "Veo 3.1 Fast"])
def test_veo_price_is_unknown_with_a_tooltip(make_panel, name) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(name)
    assert panel.generate_bar.text() == "Generate · price unknown"
    assert "real cost is shown after the job" in panel.generate_bar.button.toolTip()
