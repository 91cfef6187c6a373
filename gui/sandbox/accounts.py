"""API keys, their balances and what they have spent. Amounts are Decimal: money is exact."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["Account", "Accounts", "mask_key"]


def mask_key(key: str) -> str:
    """How a key is shown anywhere it must be named: never more than its last four characters."""
    return f"…{key[-4:]}" if len(key) > 8 else "…"


@dataclass
class Account:
    key: str
    index: int
    balance: Decimal
    spent: Decimal = Decimal(0)
    requests: int = 0
    tasks: int = 0

    def describe(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "apiKey": mask_key(self.key),
            "balance": float(self.balance),
            "spent": float(self.spent),
            "requests": self.requests,
            "tasks": self.tasks,
        }


class Accounts:
    def __init__(self, keys: Iterable[str], balance: Decimal) -> None:
        self._accounts = [Account(key=k, index=i, balance=balance) for i, k in enumerate(keys)]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._accounts)

    def find(self, key: object) -> Account | None:
        if not isinstance(key, str) or not key:
            return None
        for account in self._accounts:
            if hmac.compare_digest(account.key.encode(), key.encode()):
                return account
        return None

    def charge(self, account: Account, amount: Decimal) -> bool:
        """Take ``amount`` if the balance covers it; nothing is taken otherwise."""
        if account.balance < amount:
            return False
        account.balance -= amount
        account.spent += amount
        return True

    def set_balance(self, amount: Decimal, key: str | None = None) -> list[Account]:
        chosen = [a for a in self._accounts if key is None or a.key == key]
        for account in chosen:
            account.balance = amount
        return chosen

    def describe(self) -> list[dict[str, Any]]:
        return [a.describe() for a in self._accounts]
