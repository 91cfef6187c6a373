"""Fault injection: a scenario of rules, read from ``--faults FILE`` or replaced at runtime.

Scenario (JSON)::

    {
      "seed": 7,                      # makes every rate decision repeatable
      "balance": 0.5,                 # optional: every key starts with this balance (low balance)
      "protocol": {...},              # optional: ProtocolSwitches (see config.py)
      "faults": [
        {"kind": "latency",    "scope": "any",    "seconds": 0.3, "max_seconds": 0.6},
        {"kind": "http_error", "scope": "submit", "rate": 0.5, "statuses": [429, 503]},
        {"kind": "hang",       "scope": "poll",   "times": 1, "seconds": 30},
        {"kind": "drop",       "scope": "poll",   "times": 1},
        {"kind": "truncate",   "scope": "poll",   "times": 1},
        {"kind": "non_json",   "scope": "other",  "times": 1},
        {"kind": "lost_ack",   "scope": "submit", "times": 1},
        {"kind": "task_failure", "rate": 0.2, "code": "timeoutProvider"}
      ]
    }

A request's scope is ``submit`` when it carries a videoInference task, else ``poll`` when it
carries getResponse, else ``other``; ``any`` matches all three. ``transport`` limits a rule to
``http`` or ``ws``. A rule matches a request in its scope, is skipped for its first ``skip``
matches, fires with probability ``rate`` and at most ``times`` times.

When each kind acts:

* ``latency`` — sleeps ``seconds`` (uniform up to ``max_seconds`` when given), then goes on.
* ``http_error`` — answers ``status`` (or one of ``statuses``) with a Runware error body;
  nothing is processed. Over WebSocket the same error arrives as an errors frame.
* ``hang`` — sleeps ``seconds`` (default 3600) before handling the request at all.
* ``drop`` — closes the connection without a response; nothing is processed.
* ``lost_ack`` — the request is processed (a task is stored and charged), then the connection
  is closed without a response. Over WebSocket the reply is kept for session resume.
* ``truncate`` — processed; the response declares its full length but stops halfway.
* ``non_json`` — processed; the response is HTTP 200 with an HTML body.
* ``task_failure`` — not per request but per generation, at submit: the generation ends in
  ``code`` (``timeoutProvider``, ``contentPolicyViolation``, ``providerError``, …) instead of a
  video. ``prompt_contains`` limits it to prompts containing a word.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gui.sandbox.config import ProtocolSwitches

__all__ = [
    "FAILURE_MESSAGES",
    "FaultInjector",
    "FaultPlan",
    "FaultRule",
    "Scenario",
    "scope_of",
]

Kind = Literal[
    "latency", "http_error", "hang", "drop", "lost_ack", "truncate", "non_json", "task_failure"
]
Scope = Literal["submit", "poll", "other", "any"]

BEFORE = ("http_error", "hang", "drop")
AFTER = ("lost_ack", "truncate", "non_json")

HTTP_CODES = {
    408: "requestTimeout",
    429: "rateLimitExceeded",
    500: "internalServerError",
    502: "badGateway",
    503: "serviceUnavailable",
    504: "gatewayTimeout",
}

FAILURE_MESSAGES = {
    "timeoutProvider": "The external provider did not respond within the timeout window. "
    "The request was automatically terminated.",
    "contentPolicyViolation": "The request was rejected by the provider's content policy.",
    "providerContentPolicyViolation": "The request was rejected by the provider's content policy.",
    "providerError": "The external provider returned an error while generating the video.",
}


class FaultRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    scope: Scope = "any"
    transport: Literal["http", "ws", "any"] = "any"
    rate: float = Field(default=1.0, ge=0.0, le=1.0)
    times: int | None = Field(default=None, ge=0)
    skip: int = Field(default=0, ge=0)
    seconds: float | None = Field(default=None, ge=0)
    max_seconds: float | None = Field(default=None, ge=0)
    status: int | None = None
    statuses: list[int] | None = None
    code: str | None = None
    message: str | None = None
    prompt_contains: str | None = None

    def error_status(self, rng: random.Random) -> int:
        if self.statuses:
            return rng.choice(self.statuses)
        return self.status or 503

    def error_body(self, status: int) -> dict[str, Any]:
        code = self.code or HTTP_CODES.get(status, "serverError")
        message = self.message or f"The sandbox injected an HTTP {status} ({code})."
        return {"errors": [{"code": code, "message": message}]}

    def failure(self) -> tuple[str, str]:
        code = self.code or "timeoutProvider"
        return code, self.message or FAILURE_MESSAGES.get(code, f"The task failed ({code}).")


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int | None = None
    balance: Decimal | None = None
    protocol: ProtocolSwitches | None = None
    faults: list[FaultRule] = Field(default_factory=list)


def scope_of(task_types: Iterable[str]) -> Scope:
    types = set(task_types)
    if "videoInference" in types:
        return "submit"
    if "getResponse" in types:
        return "poll"
    return "other"


@dataclass
class FaultPlan:
    """What happens to one request: a delay, then at most one fault before and one after."""

    latency: float = 0.0
    before: FaultRule | None = None
    after: FaultRule | None = None
    status: int | None = None  # for http_error

    @property
    def kinds(self) -> list[str]:
        return [r.kind for r in (self.before, self.after) if r is not None]


class FaultInjector:
    """Decides, request by request, which rules fire. Repeatable for a given seed."""

    def __init__(self, scenario: Scenario | None = None) -> None:
        self.replace(scenario or Scenario())

    def replace(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.rng = random.Random(scenario.seed)
        self._matches = [0] * len(scenario.faults)
        self._fired = [0] * len(scenario.faults)
        self.fired: dict[str, int] = {}

    def _fires(self, index: int, rule: FaultRule) -> bool:
        self._matches[index] += 1
        if self._matches[index] <= rule.skip:
            return False
        if rule.times is not None and self._fired[index] >= rule.times:
            return False
        if rule.rate < 1.0 and self.rng.random() >= rule.rate:
            return False
        self._fired[index] += 1
        self.fired[rule.kind] = self.fired.get(rule.kind, 0) + 1
        return True

    def plan(self, scope: Scope, transport: Literal["http", "ws"]) -> FaultPlan:
        plan = FaultPlan()
        for index, rule in enumerate(self.scenario.faults):
            if rule.kind == "task_failure":
                continue
            if rule.scope not in ("any", scope) or rule.transport not in ("any", transport):
                continue
            if rule.kind in BEFORE and plan.before is not None:
                continue
            if rule.kind in AFTER and plan.after is not None:
                continue
            if not self._fires(index, rule):
                continue
            if rule.kind == "latency":
                low = rule.seconds or 0.0
                high = rule.max_seconds if rule.max_seconds is not None else low
                plan.latency += self.rng.uniform(low, max(low, high))
            elif rule.kind in BEFORE:
                plan.before = rule
                if rule.kind == "http_error":
                    plan.status = rule.error_status(self.rng)
            else:
                plan.after = rule
        return plan

    def task_failure(self, prompt: str) -> FaultRule | None:
        """Whether one generation fails, decided when its task is accepted."""
        for index, rule in enumerate(self.scenario.faults):
            if rule.kind != "task_failure":
                continue
            if rule.prompt_contains and rule.prompt_contains.lower() not in prompt.lower():
                continue
            if self._fires(index, rule):
                return rule
        return None

    def describe(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.model_dump(mode="json", exclude_none=True),
            "fired": dict(self.fired),
        }
