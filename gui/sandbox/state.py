"""The sandbox's parts, held together: settings, accounts, images, jobs, faults and the log.

One :class:`Sandbox` lives in each server process; the route handlers, the task handlers and the
WebSocket sessions all reach their state through it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import aiohttp

from gui.runware.catalog import Catalog, ModelSpec, default_catalog
from gui.sandbox.accounts import Account, Accounts
from gui.sandbox.config import ProtocolSwitches, SandboxConfig
from gui.sandbox.faults import FaultInjector, Scenario
from gui.sandbox.images import ImageStore
from gui.sandbox.lifecycle import Lifecycle
from gui.sandbox.render import RenderPool
from gui.sandbox.requestlog import RequestLog
from gui.sandbox.store import SandboxStore, key_fingerprint
from gui.sandbox.webhooks import Courier

__all__ = ["Context", "Sandbox", "WsSession"]

log = logging.getLogger("gui.sandbox")


@dataclass
class WsSession:
    """A WebSocket session; frames that could not be sent wait here for a resume."""

    session_uuid: str
    account: Account
    socket: Any = None  # aiohttp WebSocketResponse while connected
    pending: list[str] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, frame: str) -> bool:
        """Send now, or keep for the next resume. True when it went out."""
        async with self.lock:
            socket = self.socket
            if socket is not None and not socket.closed:
                try:
                    await socket.send_str(frame)
                    return True
                except (ConnectionError, RuntimeError):
                    pass
            self.pending.append(frame)
            return False


@dataclass
class Context:
    """Who sent a batch of tasks, and how."""

    account: Account
    request: list[Any]  # the whole body, apiKey redacted
    transport: str = "http"
    session: WsSession | None = None


class Sandbox:
    def __init__(
        self,
        config: SandboxConfig,
        scenario: Scenario | None = None,
        catalog: Catalog | None = None,
        pool: RenderPool | None = None,
    ) -> None:
        self.config = config
        self.catalog = catalog or default_catalog()
        scenario = scenario or Scenario()
        self.protocol: ProtocolSwitches = scenario.protocol or ProtocolSwitches()
        self.faults = FaultInjector(scenario)
        self.accounts = Accounts(config.api_keys, config.balance)
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = SandboxStore(config.data_dir)
        kept = self.store.load_accounts()  # a restarted sandbox keeps its balances
        for account in self.accounts:
            if (saved := kept.get(key_fingerprint(account.key))) is not None:
                account.balance = Decimal(saved["balance"])
                account.spent = Decimal(saved["spent"])
                account.tasks = int(saved["tasks"])
        if scenario.balance is not None:
            self.accounts.set_balance(scenario.balance)
        self.log = RequestLog(config.data_dir / "requests.jsonl", config.api_keys)
        self.images = ImageStore(config.data_dir / "images")
        self.pool = pool or RenderPool(config.render_workers, config.render_kind)
        self.origin = f"http://{config.host}:{config.port}"
        self.lifecycle = Lifecycle(
            config.data_dir,
            self.pool,
            base_url=self.public_host,
            default_ttl=lambda: self.protocol.default_ttl,
            scrub=self.log.scrub,
        )
        self.lifecycle.on_accept.append(lambda _job: self.save_accounts())
        self.sessions: dict[str, WsSession] = {}
        self.counts: Counter[str] = Counter()
        self.rng = random.Random(scenario.seed)
        self.http: aiohttp.ClientSession | None = None
        self.courier: Courier | None = None

    def public_host(self) -> str:
        return (self.config.public_host or self.origin).rstrip("/")

    async def start(self, origin: str) -> None:
        self.origin = origin
        self.http = aiohttp.ClientSession()
        self.courier = Courier(self.http, lambda: self.protocol, random.Random(self.rng.random()))
        accounts = {key_fingerprint(a.key): a for a in self.accounts}

        def model(air: str) -> ModelSpec | None:
            return self.catalog.get(air)

        self.lifecycle.restore(accounts.get, model)

    def save_accounts(self) -> None:
        """Keep the balances on disk (after a charge or a change), so a restart keeps them."""
        try:
            self.store.save_accounts(
                [
                    {
                        "fingerprint": key_fingerprint(a.key),
                        "balance": str(a.balance),
                        "spent": str(a.spent),
                        "tasks": a.tasks,
                    }
                    for a in self.accounts
                ]
            )
        except OSError:
            log.exception("the balances could not be kept on disk")

    async def close_sockets(self, wait: float = 0.5) -> None:
        """Close every WebSocket, waiting at most ``wait`` seconds for clients to answer."""
        closing = []
        for session in list(self.sessions.values()):
            socket, session.socket = session.socket, None
            if socket is not None:
                closing.append(asyncio.ensure_future(socket.close()))
        if closing:
            await asyncio.wait(closing, timeout=wait)

    async def close(self) -> None:
        await self.lifecycle.close()
        await self.close_sockets()
        if self.http is not None:
            await self.http.close()
        self.pool.shutdown()
        self.log.close()

    def apply_scenario(self, scenario: Scenario) -> None:
        """Replace the fault rules (and the protocol switches, when the scenario has them)."""
        self.faults.replace(scenario)
        if scenario.protocol is not None:
            self.protocol = scenario.protocol
        if scenario.balance is not None:
            self.accounts.set_balance(scenario.balance)
            self.save_accounts()

    def new_session(self, account: Account) -> WsSession:
        session = WsSession(session_uuid=str(uuid.uuid4()), account=account)
        self.sessions[session.session_uuid] = session
        return session

    def describe(self) -> dict[str, Any]:
        courier_attempts = [a.describe() for a in self.courier.attempts] if self.courier else []
        return {
            "origin": self.origin,
            "publicHost": self.public_host(),
            "processingSeconds": self.config.processing_seconds,
            "tasks": self.lifecycle.describe(),
            "balances": self.accounts.describe(),
            "counts": {
                **dict(self.counts),
                "tasks": len(self.lifecycle.jobs),
                "videos": len(self.lifecycle.videos),
                "renders": self.lifecycle.renders,
                "images": len(self.images),
                "logged": self.log.count,
                "sessions": len(self.sessions),
            },
            "deliveries": courier_attempts,
            "faults": self.faults.describe(),
            "protocol": self.protocol.model_dump(mode="json"),
        }
