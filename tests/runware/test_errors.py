"""Error objects become typed errors that know whether a retry may help."""

from __future__ import annotations

import pytest

from gui.runware.errors import (
    AuthError,
    ConflictTaskUUIDError,
    ContentPolicyError,
    InsufficientCreditsError,
    NotFoundError,
    ProviderError,
    RateLimitedError,
    ServerError,
    ValidationError,
    error_from_object,
    error_from_status,
)
from gui.runware.models import ErrorObject


@pytest.mark.parametrize(
    ("code", "status", "cls", "retryable"),
    [
        ("invalidApiKey", 401, AuthError, False),
        ("insufficientCredits", 402, InsufficientCreditsError, False),
        ("unsupportedDuration", 400, ValidationError, False),
        ("invalidPositivePrompt", 400, ValidationError, False),
        ("conflictTaskUUID", 400, ConflictTaskUUIDError, False),
        ("contentPolicyViolation", 400, ContentPolicyError, False),
        ("providerContentPolicyViolation", 200, ContentPolicyError, False),
        ("rateLimitExceeded", 429, RateLimitedError, True),
        ("timeoutProvider", 200, ProviderError, True),
        ("providerError", 200, ProviderError, True),
        ("internalServerError", 500, ServerError, True),
        ("taskNotFound", 400, NotFoundError, False),
        ("somethingNobodyKnows", 503, ServerError, True),
        ("somethingNobodyKnows", 402, InsufficientCreditsError, False),
    ],
)
def test_codes_map_to_kinds(code: str, status: int, cls: type, retryable: bool) -> None:
    error = error_from_object(
        ErrorObject(code=code, message="m", parameter="p", taskUUID="t", allowedValues=[4]),
        status,
    )
    assert type(error) is cls
    assert error.retryable is retryable
    assert (error.code, error.parameter, error.task_uuid, error.status_code) == (
        code,
        "p",
        "t",
        status,
    )


def test_validation_error_keeps_allowed_values() -> None:
    error = error_from_object(ErrorObject(code="unsupportedDuration", allowedValues=[4, 8]))
    assert isinstance(error, ValidationError) and error.allowed_values == [4, 8]


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [(401, AuthError, False), (402, InsufficientCreditsError, False), (429, RateLimitedError, True),
     (500, ServerError, True), (503, ServerError, True), (504, ServerError, True)],
)  # fmt: skip
def test_bare_statuses(status: int, cls: type, retryable: bool) -> None:
    error = error_from_status(status)
    assert isinstance(error, cls) and error.retryable is retryable
