"""Typed Runware errors, and which of them a retry may help.

Runware says its error codes are still being standardised, so codes are sorted into kinds by the
same rules the official SDKs use (exact codes first, then words inside the code), and the HTTP
status decides where the body says nothing. No error text ever contains the API key: messages
come from the server's error object or from this module, never from a request.
"""

from __future__ import annotations

from typing import Any

from gui.runware.models import ErrorObject

__all__ = [
    "AuthError",
    "ConflictTaskUUIDError",
    "ContentPolicyError",
    "InputFileError",
    "InsufficientCreditsError",
    "ModelUnavailableError",
    "NotFoundError",
    "ProtocolError",
    "ProviderError",
    "RateLimitedError",
    "RunwareError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "error_from_object",
    "error_from_status",
    "means_unknown_task",
]


class RunwareError(Exception):
    """Base of every error the client raises. ``retryable`` says whether trying again may help."""

    retryable: bool = False
    kind: str = "unknown"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        parameter: str | None = None,
        task_uuid: str | None = None,
        status_code: int | None = None,
        allowed_values: list[Any] | None = None,
        documentation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.kind
        self.parameter = parameter
        self.task_uuid = task_uuid
        self.status_code = status_code
        self.allowed_values = allowed_values
        self.documentation = documentation

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class AuthError(RunwareError):
    kind = "auth"


class InsufficientCreditsError(RunwareError):
    kind = "insufficientCredits"


class ValidationError(RunwareError):
    kind = "validation"


class ModelUnavailableError(ValidationError):
    """Runware does not (or no longer) offer the model: deactivated, retired, unknown."""

    kind = "modelUnavailable"


class ConflictTaskUUIDError(ValidationError):
    """The taskUUID is already known: after a retried submit this means "already accepted"."""

    kind = "conflictTaskUUID"


class ContentPolicyError(RunwareError):
    kind = "contentPolicy"


class NotFoundError(RunwareError):
    kind = "notFound"


class RateLimitedError(RunwareError):
    kind = "rateLimited"
    retryable = True


class ProviderError(RunwareError):
    kind = "provider"
    retryable = True


class ServerError(RunwareError):
    kind = "server"
    retryable = True


class TransportError(RunwareError):
    """No usable answer: connection refused or cut, timeout. The outcome is unknown."""

    kind = "transport"
    retryable = True


class ProtocolError(RunwareError):
    """An answer arrived but is not Runware's protocol: broken JSON, wrong shape, bad URL."""

    kind = "protocol"
    retryable = True


_EXACT: dict[str, type[RunwareError]] = {
    "invalidApiKey": AuthError,
    "missingApiKey": AuthError,
    "insufficientCredits": InsufficientCreditsError,
    "conflictTaskUUID": ConflictTaskUUIDError,
    "rateLimitExceeded": RateLimitedError,
    "timeoutProvider": ProviderError,
    "internalServerError": ServerError,
    "serviceUnavailable": ServerError,
    "unknownError": ServerError,
    "taskNotFound": NotFoundError,
    "taskExpired": NotFoundError,
    "mediaNotFound": NotFoundError,
    "taskFailedOrNotFound": NotFoundError,
}

_WORDS: list[tuple[tuple[str, ...], type[RunwareError]]] = [
    (("credit", "balance", "quota", "payment"), InsufficientCreditsError),
    (("apikey", "unauthori", "forbidden", "permission"), AuthError),
    (("nsfw", "policy", "safety", "blocked", "moderation"), ContentPolicyError),
    (("ratelimit", "toomany"), RateLimitedError),
    (
        ("provider", "inference", "taskfailed", "unavailable", "noavailable", "timeout"),
        ProviderError,
    ),
    (("notfound", "expired", "doesnotexist", "nosuchtask", "unknowntask"), NotFoundError),
    (("invalid", "unsupported", "unknown", "missing", "incompatible", "mismatch"), ValidationError),
    (("validation",), ValidationError),
]

_STATUS: dict[int, type[RunwareError]] = {
    400: ValidationError,
    401: AuthError,
    402: InsufficientCreditsError,
    403: AuthError,
    404: NotFoundError,
    408: TransportError,
    409: ConflictTaskUUIDError,
    429: RateLimitedError,
}


# Words that say a model has gone, whatever the code; the weak ones count only when the error
# is about the model parameter itself (a size error may well mention "this model").
_MODEL_GONE_STRONG = (
    "deactivat",
    "deprecat",
    "retired",
    "nolonger",
    "discontinu",
    "notavailable",
    "disabled",
)
_MODEL_GONE_WEAK = ("unavailable", "notfound", "notsupported", "unsupported", "unknown", "invalid")


def means_model_unavailable(code: str, message: str = "", parameter: str | None = None) -> bool:
    """Whether an error says the model itself cannot be used (read by meaning: codes vary)."""
    code_text = "".join(ch for ch in code.lower() if ch.isalnum())
    text = code_text + "".join(ch for ch in message.lower() if ch.isalnum())
    if parameter == "model" or "model" in code_text:
        return any(w in text for w in (*_MODEL_GONE_STRONG, *_MODEL_GONE_WEAK))
    return "model" in text and any(w in text for w in _MODEL_GONE_STRONG)


def _class_for(code: str, status_code: int | None) -> type[RunwareError]:
    if code in _EXACT:
        return _EXACT[code]
    lowered = code.lower()
    for words, cls in _WORDS:
        if any(w in lowered for w in words):
            return cls
    if status_code is not None:
        if status_code in _STATUS:
            return _STATUS[status_code]
        if status_code >= 500:
            return ServerError
    return ServerError if not code else ValidationError


def error_from_object(error: ErrorObject, status_code: int | None = None) -> RunwareError:
    """The typed error for one of Runware's error objects."""
    cls = _class_for(error.code, status_code)
    if cls is ValidationError and status_code is not None and status_code >= 500:
        cls = ServerError
    if cls is not AuthError and means_model_unavailable(error.code, error.message, error.parameter):
        cls = ModelUnavailableError
    return cls(
        error.message or error.code,
        code=error.code,
        parameter=error.parameter,
        task_uuid=error.task_uuid,
        status_code=status_code,
        allowed_values=error.allowed_values,
        documentation=error.documentation,
    )


def error_from_status(status_code: int, detail: str = "") -> RunwareError:
    """The typed error for an HTTP status whose body said nothing usable."""
    if status_code == 401:
        return AuthError(
            "The API key was refused. Check it in Settings.",
            code="invalidApiKey",
            status_code=401,
        )
    cls = _STATUS.get(status_code) or (ServerError if status_code >= 500 else ProtocolError)
    text = f"HTTP {status_code}" + (f": {detail}" if detail else "")
    return cls(text, code=f"http{status_code}", status_code=status_code)


_UNKNOWN_TASK_WORDS = (
    "notfound",
    "doesnotexist",
    "doesntexist",
    "nosuchtask",
    "unknowntask",
    "notknown",
    "notask",
    "neverreceived",
    "noresultfor",
)


def means_unknown_task(error: RunwareError) -> bool:
    """Whether an answer to ``getResponse`` means "this task was never received".

    Runware's codes vary by model and provider, so the meaning is read from the code, the
    message and the parameter, not from a list of codes: a not-found kind, words such as
    "not found" / "does not exist" / "unknown task", a 404, or a validation error about the
    only parameter ``getResponse`` has, its ``taskUUID``.
    """
    if isinstance(error, NotFoundError) and error.code != "mediaNotFound":
        return True
    text = "".join(ch for ch in f"{error.code} {error.message}".lower() if ch.isalnum())
    if any(word in text for word in _UNKNOWN_TASK_WORDS):
        return True
    if error.status_code == 404:
        return True
    return (
        isinstance(error, ValidationError)
        and error.parameter == "taskUUID"
        and not isinstance(error, ConflictTaskUUIDError)
    )


class InputFileError(ValidationError):
    """A file the user gave cannot be sent: wrong format, corrupt, empty, too big or too small.

    Raised before anything leaves the machine."""

    kind = "invalidInputFile"
