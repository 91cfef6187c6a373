"""The "Compatibility & Validation" rules of a model page, as data, and what they mean.

Each rule is one sentence of the page (see ``docs/catalogue.md``): "Provide exactly one of",
"cannot be used with", "must be used together", "When X is provided, …". A rule names request
fields by their wire path; ``width/height`` stands for the size pair. The same evaluation serves
the client (refuse before sending), the window (offer only what is allowed) and the sandbox
(answer as Runware would).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["SIZE", "Rule", "RuleBreak", "field_value", "is_present", "join_words"]

SIZE = "width/height"


class Rule(BaseModel):
    """One sentence of a page's "Compatibility & Validation"; exactly one kind is set."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    exactly_one: tuple[str, ...] | None = Field(default=None, alias="exactlyOne")
    at_most_one: tuple[str, ...] | None = Field(default=None, alias="atMostOne")
    at_least_one: tuple[str, ...] | None = Field(default=None, alias="atLeastOne")
    together: tuple[str, ...] | None = None
    requires: tuple[str, ...] | None = None
    when: str | None = None
    unless: str | None = None
    if_: dict[str, Any] | None = Field(default=None, alias="if")  # fields equal to these values
    forbids: tuple[str, ...] | None = None
    only: dict[str, tuple[Any, ...]] | None = None
    not_: dict[str, tuple[Any, ...]] | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        if self.when is not None and self.unless is not None:
            raise ValueError("a rule has either 'when' or 'unless', not both")
        kinds = [
            k
            for k in (
                self.exactly_one,
                self.at_most_one,
                self.at_least_one,
                self.together,
                self.requires,
                self.forbids,
                self.only,
                self.not_,
            )
            if k is not None
        ]
        conditional_only = [self.forbids, self.only, self.not_]
        unconditional = self.when is None and self.unless is None and self.if_ is None
        unclear = len(kinds) != 1 or (
            unconditional and any(k is not None for k in conditional_only)
        )
        if unclear:
            raise ValueError(f"unclear rule: {self.model_dump(exclude_none=True)}")
        return self

    def applies(self, present: set[str], raw: Mapping[str, Any] | None = None) -> bool:
        """Whether the rule's condition holds for a request with these fields (and values:
        an ``if`` condition holds only for a request whose fields have those values)."""
        if self.if_ is not None and (
            raw is None or any(field_value(raw, k) != v for k, v in self.if_.items())
        ):
            return False
        if self.when is not None:
            return self.when in present
        if self.unless is not None:
            return self.unless not in present
        return True

    def excluded_by(self, present: set[str]) -> set[str]:
        """Fields this rule forbids, given the fields already present."""
        group = self.exactly_one or self.at_most_one
        if group is not None and self.applies(present):
            given = [f for f in group if f in present]
            return {f for f in group if f not in present} if given else set()
        if self.forbids is not None and self.applies(present):
            return set(self.forbids)
        return set()

    def value_allowed(
        self, field: str, value: Any, present: set[str], raw: Mapping[str, Any] | None = None
    ) -> bool:
        """Whether ``field`` may take ``value`` in a request with these fields."""
        if not self.applies(present, raw):
            return True
        if self.only is not None and field in self.only:
            return _in(value, self.only[field])
        if self.not_ is not None and field in self.not_:
            return not _in(value, self.not_[field])
        return True


class RuleBreak(BaseModel):
    """A broken rule, in words: which parameter, what kind of mistake, what to do."""

    model_config = ConfigDict(frozen=True)

    code: str
    parameter: str
    message: str
    allowed_values: list[Any] | None = None


def _in(value: Any, values: Iterable[Any]) -> bool:
    return any(value == v and isinstance(value, bool) == isinstance(v, bool) for v in values)


def field_value(raw: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted wire path (``inputs.frameImages``), or None."""
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def is_present(raw: Mapping[str, Any], path: str) -> bool:
    if path == SIZE:
        return raw.get("width") is not None or raw.get("height") is not None
    value = field_value(raw, path)
    return value is not None and value != [] and value != {}


def join_words(words: list[str], last: str = "or") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _names(fields: Iterable[str]) -> list[str]:
    return [f"{f}" for f in fields]


def check_rules(
    rules: Iterable[Rule], raw: Mapping[str, Any], fields: Iterable[str]
) -> list[RuleBreak]:
    """Every rule ``raw`` breaks. ``fields`` are the paths the rules mention (for presence)."""
    present = {f for f in fields if is_present(raw, f)}
    out: list[RuleBreak] = []
    for rule in rules:
        out.extend(_check_one(rule, raw, present))
    return out


def _first_param(field: str) -> str:
    return "width" if field == SIZE else field


def _check_one(rule: Rule, raw: Mapping[str, Any], present: set[str]) -> list[RuleBreak]:
    if not rule.applies(present, raw):
        return []
    if rule.exactly_one is not None:
        given = [f for f in rule.exactly_one if f in present]
        if len(given) == 1:
            return []
        words = join_words(_names(rule.exactly_one))
        if not given:
            return [
                RuleBreak(
                    code="missingParameter",
                    parameter=_first_param(rule.exactly_one[0]),
                    message=f"Provide exactly one of {words}.",
                )
            ]
        return [
            RuleBreak(
                code="incompatibleParameters",
                parameter=_first_param(given[-1]),
                message=f"Provide exactly one of {words}, not {join_words(given, 'and')}.",
            )
        ]
    if rule.at_most_one is not None:
        given = [f for f in rule.at_most_one if f in present]
        if len(given) <= 1:
            return []
        return [
            RuleBreak(
                code="incompatibleParameters",
                parameter=_first_param(given[-1]),
                message=f"{join_words(given, 'and')} cannot be used together.",
            )
        ]
    if rule.at_least_one is not None:
        if any(f in present for f in rule.at_least_one):
            return []
        return [
            RuleBreak(
                code="missingParameter",
                parameter=_first_param(rule.at_least_one[0]),
                message=f"Provide {join_words(_names(rule.at_least_one))}.",
            )
        ]
    if rule.together is not None:
        given = [f for f in rule.together if is_present(raw, f)]
        if not given or len(given) == len(rule.together):
            return []
        missing = [f for f in rule.together if f not in given]
        return [
            RuleBreak(
                code="invalidParameter",
                parameter=missing[0],
                message=f"{join_words(list(rule.together), 'and')} must be given together.",
            )
        ]
    condition = rule.when or rule.unless or ""
    if rule.when:
        because = f"When {condition} is provided, "
    elif rule.unless:
        because = f"Without {condition}, "
    else:
        because = ""
    if rule.if_ is not None:
        shown_if = " and ".join(f"{k} is {_fmt(v)}" for k, v in rule.if_.items())
        because = f"When {shown_if}, " + because[:1].lower() + because[1:]
    if rule.requires is not None:
        missing = [f for f in rule.requires if f not in present and not is_present(raw, f)]
        if not missing:
            return []
        lead = because
        text = f"{join_words(missing, 'and')} {'is' if len(missing) == 1 else 'are'} required."
        return [
            RuleBreak(
                code="missingParameter",
                parameter=_first_param(missing[0]),
                message=lead + (text if lead else text[0].upper() + text[1:]),
            )
        ]
    if rule.forbids is not None:
        given = [f for f in rule.forbids if f in present or is_present(raw, f)]
        if not given:
            return []
        return [
            RuleBreak(
                code="incompatibleParameters",
                parameter=_first_param(given[0]),
                message=f"{because}{join_words(given, 'and')} cannot be used.",
            )
        ]
    out: list[RuleBreak] = []
    for field, values in (rule.only or {}).items():
        value = field_value(raw, field)
        if not _in(value, values):
            shown = join_words([_fmt(v) for v in values])
            out.append(
                RuleBreak(
                    code="unsupportedDuration" if field == "duration" else "invalidParameter",
                    parameter=field,
                    message=f"{because}{field} must be {shown}.",
                    allowed_values=list(values),
                )
            )
    for field, values in (rule.not_ or {}).items():
        value = field_value(raw, field)
        if value is not None and _in(value, values):
            out.append(
                RuleBreak(
                    code="unsupportedDuration" if field == "duration" else "invalidParameter",
                    parameter=field,
                    message=f"{field} {_fmt(value)} is only available with {condition}.",
                )
            )
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rule_fields(rules: Iterable[Rule]) -> set[str]:
    """Every field path the rules mention."""
    out: set[str] = set()
    for rule in rules:
        groups = (
            rule.exactly_one,
            rule.at_most_one,
            rule.at_least_one,
            rule.together,
            rule.requires,
        )
        for group in groups:
            out.update(group or ())
        out.update(rule.forbids or ())
        for cond in (rule.when, rule.unless):
            if cond:
                out.add(cond)
    return out
