"""Error answers whose fields are not the documented types are still read, with the server's
own message: Runware says codes and formats "may vary between models and providers"."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gui.runware.errors import ValidationError, error_from_object
from gui.runware.models import parse_envelope

ODD_FIELDS: list[tuple[str, dict[str, Any]]] = [
    ("allowed-values-a-string", {"allowedValues": "4, 8, 12"}),
    ("allowed-values-a-number", {"allowedValues": 8}),
    ("allowed-values-an-object", {"allowedValues": {"min": 4, "max": 12}}),
    ("parameter-a-number", {"parameter": 7}),
    ("parameter-a-list", {"parameter": ["width", "height"]}),
    ("task-uuid-a-number", {"taskUUID": 12345}),
    ("type-null", {"type": None}),
    ("documentation-a-list", {"documentation": ["https://runware.ai/docs"]}),
    ("code-a-number", {"code": 400}),
]


@pytest.mark.parametrize(("fields"), [f for _, f in ODD_FIELDS], ids=[i for i, _ in ODD_FIELDS])
def test_odd_fields_keep_the_servers_message(fields: dict[str, Any]) -> None:
    error = {
        "code": "unsupportedDuration",
        "message": "Invalid value for duration parameter. This duration is not supported.",
        "parameter": "duration",
        **fields,
    }
    envelope = parse_envelope(json.dumps({"errors": [error]}))
    (parsed,) = envelope.errors
    assert parsed.message == error["message"]
    typed = error_from_object(parsed, 400)
    assert typed.message.startswith("Invalid value for duration parameter")
    assert isinstance(typed, ValidationError)
    if "allowedValues" in fields:
        assert isinstance(parsed.allowed_values, list) and parsed.allowed_values
    if "taskUUID" in fields:
        assert parsed.task_uuid == "12345"  # scoped errors still match by text


def test_nested_error_with_odd_fields_is_read() -> None:
    body = {
        "data": [
            {
                "taskType": "videoInference",
                "taskUUID": "a",
                "status": "error",
                "error": {
                    "code": "providerError",
                    "message": "Provider timed out",
                    "allowedValues": 3,
                },
            }
        ]
    }
    (error,) = parse_envelope(json.dumps(body)).errors
    assert error.message == "Provider timed out" and error.task_uuid == "a"
