"""Settings as plain data: model changes keep what fits; reading back never raises."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gui.runware.catalog import Catalog
from gui.ui.compose.compose_values import ComposeValues, FrameChoice, RemixSource, build_request
from tests.ui.compose.conftest import model_named


def test_switching_model_keeps_what_fits_and_resets_the_rest(catalog: Catalog) -> None:
    pro, sora = model_named(catalog, "Sora 2 Pro"), model_named(catalog, "Sora 2")
    veo = model_named(catalog, "Veo 3.1 Fast")
    chosen = replace(
        ComposeValues.defaults(pro),
        prompt="a fox in snow",
        width=1920,
        height=1080,
        duration=16,
        number_results=3,
        output_format="WEBM",
        output_quality=60,
        remix=RemixSource("vid_1", "take 1"),
        webhook_url="https://hooks.example.com/x",
    )
    on_sora = chosen.adapted_to(sora)
    assert (on_sora.width, on_sora.height) == (1280, 720)  # 1080p is Pro's only
    assert on_sora.duration == 16 and on_sora.number_results == 3
    assert on_sora.output_format == "WEBM" and on_sora.output_quality == 60
    assert on_sora.remix == RemixSource("vid_1", "take 1")
    assert on_sora.prompt == "a fox in snow"
    on_veo = chosen.adapted_to(veo)
    assert (on_veo.width, on_veo.height) == (1920, 1080)
    assert on_veo.duration == veo.default_duration  # Veo has no 16 s
    assert on_veo.remix is None  # Veo takes no videoId
    assert on_veo.provider_settings == {"google": {"generateAudio": False}}


def test_seed_and_last_frame_do_not_survive_a_model_without_them(catalog: Catalog) -> None:
    veo, sora = model_named(catalog, "Veo 3.1"), model_named(catalog, "Sora 2")
    values = replace(
        ComposeValues.defaults(veo),
        seed="42",
        frames={"first": FrameChoice("/a.png"), "last": FrameChoice("/b.png", "pad")},
    )
    moved = values.adapted_to(sora)
    assert moved.seed is None
    assert moved.frames == {"first": FrameChoice("/a.png")}


def test_dict_round_trip_is_json(catalog: Catalog) -> None:
    veo = model_named(catalog, "Veo 3.1 Fast")
    values = replace(
        ComposeValues.defaults(veo),
        prompt="p",
        seed="7",
        safety_mode="full",
        ttl="3600",
        upload_endpoint="https://up.example.com",
        provider_settings={"google": {"generateAudio": True}},
        frames={"last": FrameChoice("/x/y.png", "pad")},
    )
    raw = json.loads(json.dumps(values.to_dict()))
    assert ComposeValues.from_dict(raw, catalog) == values


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "text",
        {"model": 5},
        {"model": "no:such@1", "duration": "long"},
        {"width": "wide", "height": [], "number_results": 99, "output_quality": True},
        {"seed": -3, "ttl": 5, "safety_mode": "max", "webhook_url": "nope", "frames": "x"},
        {"frames": {"first": {"path": 3}, "last": None}, "remix": {"video_id": 9}},
        {"provider_settings": {"google": {"generateAudio": "yes"}}, "output_format": "GIF"},
    ],
)
def test_bad_values_fall_back_to_defaults(catalog: Catalog, garbage: object) -> None:
    values = ComposeValues.from_dict(garbage, catalog)
    model = catalog.get(values.model)
    assert model is not None
    defaults = ComposeValues.defaults(model)
    assert replace(values, prompt="") == defaults


def test_build_request_names_typed_fields_in_plain_words(catalog: Catalog) -> None:
    sora = model_named(catalog, "Sora 2")
    values = replace(ComposeValues.defaults(sora), prompt="ok prompt", webhook_url="hooks")
    spec, problems = build_request(values, catalog, {})
    assert spec is None
    assert [p.parameter for p in problems] == ["webhookURL"]
    assert problems[0].message.startswith("Webhook URL:")
    empty, problems = build_request(replace(values, prompt="  "), catalog, {})
    assert empty is None and problems[0].message == "Describe the video you want in the prompt."
