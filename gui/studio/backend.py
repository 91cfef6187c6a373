"""Choosing what the studio talks to: Runware with the user's key, or the offline sandbox.

``auto`` uses Runware when a key is set and the sandbox otherwise; ``runware`` insists on a key;
``sandbox`` always uses the sandbox. The studio knows a sandbox only as a URL and a key: the
composition root (gui/sandbox_host.py) starts the process and hands over ``start_sandbox``.
Close with ``await backend.close()`` (which lets go of the sandbox too).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from gui.runware.client import RunwareClient, verified_tls
from gui.studio.errors import StudioError
from gui.studio.settings import SecretStore, Settings

__all__ = [
    "RUNWARE_LABEL",
    "SANDBOX_LABEL",
    "Backend",
    "NoApiKey",
    "SandboxLink",
    "SandboxStarter",
    "open_backend",
]

RUNWARE_LABEL = "Runware"
SANDBOX_LABEL = "offline sandbox — videos are synthetic"


class NoApiKey(StudioError):
    """Runware was asked for, but no API key is set."""


class SandboxLink(Protocol):
    """A running sandbox as the studio sees it: where it answers, with which key."""

    @property
    def url(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    async def close(self) -> None:
        """Let go of it (stopping it when this process started it)."""


SandboxStarter = Callable[[], Awaitable[SandboxLink]]


@dataclass
class Backend:
    """An open connection: the client to use and what to call it in the window."""

    client: RunwareClient
    label: str
    is_sandbox: bool
    sandbox: SandboxLink | None = None

    @property
    def url(self) -> str:
        return self.client.base_url

    async def close(self) -> None:
        await self.client.aclose()
        if self.sandbox is not None:
            sandbox, self.sandbox = self.sandbox, None
            await sandbox.close()


async def open_backend(
    settings: Settings,
    secrets: SecretStore | None = None,
    *,
    force_sandbox: bool = False,
    start_sandbox: SandboxStarter | None = None,
) -> Backend:
    """Open the backend the settings ask for (see the module docstring)."""
    secrets = secrets or SecretStore()
    choice = "sandbox" if force_sandbox else settings.backend
    # the keyring may be slow, or wait for the user to unlock it: not on the event loop's thread
    key = None if choice == "sandbox" else await asyncio.to_thread(secrets.get)
    if key:
        tls = await verified_tls()
        client = RunwareClient(key, settings.api_url, batch_polls=settings.batch_polls, tls=tls)
        return Backend(client=client, label=RUNWARE_LABEL, is_sandbox=False)
    if choice == "runware":
        raise NoApiKey(
            "No Runware API key is set. Add it in Settings, or set RUNWARE_API_KEY; "
            "or choose the offline sandbox."
        )
    if start_sandbox is None:
        raise StudioError("The offline sandbox is not available here.")
    sandbox = await start_sandbox()
    try:
        tls = await verified_tls()  # plain HTTP on 127.0.0.1, but httpx makes one regardless
        client = RunwareClient(
            sandbox.api_key, sandbox.url, batch_polls=settings.batch_polls, tls=tls
        )
    except BaseException:
        await sandbox.close()
        raise
    return Backend(client=client, label=SANDBOX_LABEL, is_sandbox=True, sandbox=sandbox)
