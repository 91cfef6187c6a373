"""The Generate button shows the exact price for every model, size, length and count."""

from __future__ import annotations

import pytest

from gui.runware.catalog import Catalog
from tests.ui.compose.conftest import choose_model


def _expected(model, size, duration, count) -> str:  # type: ignore[no-untyped-def]
    price = model.price(
        width=size.width, height=size.height, duration=duration, number_results=count
    )
    if price is None:
        return "Generate · price unknown"
    assert model.pricing.currency == "USD"
    return f"Generate · ${price:.2f}"


def test_price_follows_every_choice_of_every_model(make_panel, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel()
    panel.prompt.set_text("a kite over the dunes")
    checked = 0
    for model in catalog:
        choose_model(panel, model)
        video = panel.video
        for size in model.sizes:
            video.size_picker.button_for(size.label).click()
            for duration in model.durations:
                video.duration.button_for(duration).click()
                for count in range(model.number_results.min, model.number_results.max + 1):
                    video.variations.button_for(count).click()
                    assert panel.generate_bar.text() == _expected(model, size, duration, count)
                    spec = panel.spec()
                    assert spec is not None
                    assert (spec.width, spec.height, spec.duration, spec.number_results) == (
                        size.width,
                        size.height,
                        duration,
                        count,
                    )
                    assert spec.estimate(catalog) == model.price(
                        width=size.width,
                        height=size.height,
                        duration=duration,
                        number_results=count,
                    )
                    checked += 1
    assert checked == sum(
        len(m.sizes) * len(m.durations) * (m.number_results.max - m.number_results.min + 1)
        for m in catalog
    )


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
