"""Sandbox settings: the command line's values and the protocol switches of a scenario file.

Points where Runware's real behaviour is unconfirmed are switches here, so a test can check that
a client copes with either answer. Defaults follow docs/protocol.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DEFAULT_API_KEY", "ProtocolSwitches", "SandboxConfig"]

DEFAULT_API_KEY = "sandbox-demo-key"


class ProtocolSwitches(BaseModel):
    """How the sandbox answers where the protocol notes leave a choice."""

    model_config = ConfigDict(extra="forbid")

    # validation
    strict_parameters: bool = True  # unknown parameters → unknownParameter (else ignored)
    legacy_frame_images: bool = True  # accept top-level frameImages / inputImage items
    invalid_request_code: str = "invalidRequest"  # body not a JSON array
    invalid_request_status: int = 400
    mixed_batch_status: int = 200  # some tasks succeeded, some failed
    # results
    error_shape: Literal["errors", "nested"] = "errors"  # failed generation: top-level or nested
    processing_status: Literal["processing", "pending"] = "processing"
    unknown_task_code: str = "taskNotFound"  # getResponse / getTaskDetails of an unknown UUID
    unknown_task_status: int = 400
    # Runware's codes "may vary by model and provider": the words and parameter vary too.
    unknown_task_message: str = "No task with taskUUID {uuid} was found."
    unknown_task_parameter: str | None = "taskUUID"
    task_failure_status: int = 200  # HTTP status of a poll whose only items are failures
    refuse_deactivated: bool = False  # answer as Runware does once a model is ended
    deactivated_code: str = "invalidModel"
    always_include_cost: bool = False  # the product page's examples carry cost regardless
    default_ttl: int | None = None  # seconds a result URL lives when the task sets no ttl
    # money
    insufficient_credits_code: str = "insufficientCredits"
    insufficient_credits_status: int = 402
    # webhooks and uploads
    webhook_envelope: Literal["flat", "data"] = "flat"
    webhook_timeout: float = 5.0
    webhook_max_attempts: int = Field(default=6, ge=1)
    webhook_duplicates: bool = False  # deliver every item twice, to test idempotency
    upload_failure: Literal["ignore", "fail"] = "ignore"  # when the PUT fails for good
    upload_max_attempts: int = Field(default=3, ge=1)
    # images
    image_formats: tuple[str, ...] = ("PNG", "JPEG", "WEBP")
    # WebSocket
    ws_push_results: bool = True  # push finished generations to the submitting session
    ws_idle_seconds: float | None = None  # close a socket that sent nothing for this long


@dataclass
class SandboxConfig:
    """What the command line sets; everything else comes from the scenario."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    balance: Decimal = Decimal("1000")
    processing_seconds: float = 3.0
    stagger_seconds: float | None = None  # extra delay per result index; None: a quarter of
    public_host: str | None = None  # prefix of file URLs; None: this server's origin
    unknown_price_per_second: Decimal = Decimal("0.10")
    render_workers: int = 2
    render_kind: Literal["process", "thread"] = "process"
    faults_file: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def stagger(self) -> float:
        if self.stagger_seconds is not None:
            return self.stagger_seconds
        return max(0.05, self.processing_seconds / 4)
