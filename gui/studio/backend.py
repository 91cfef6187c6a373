"""Choosing what the studio talks to: Runware with the user's key, or the offline sandbox.

``auto`` uses Runware when a key is set and starts the sandbox otherwise; ``runware`` insists on
a key; ``sandbox`` always starts the sandbox. The window and the CLI both open their backend
here, and close it with ``await backend.close()`` (which stops a sandbox they started).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gui.runware.client import RunwareClient
from gui.studio.errors import StudioError
from gui.studio.settings import SecretStore, Settings

if TYPE_CHECKING:
    from gui.sandbox.process import SandboxProcess

__all__ = ["RUNWARE_LABEL", "SANDBOX_LABEL", "Backend", "NoApiKey", "open_backend"]

RUNWARE_LABEL = "Runware"
SANDBOX_LABEL = "offline sandbox — videos are synthetic"


class NoApiKey(StudioError):
    """Runware was asked for, but no API key is set."""


@dataclass
class Backend:
    """An open connection: the client to use and what to call it in the window."""

    client: RunwareClient
    label: str
    is_sandbox: bool
    sandbox: SandboxProcess | None = None

    @property
    def url(self) -> str:
        return self.client.base_url

    async def close(self) -> None:
        await self.client.aclose()
        if self.sandbox is not None:
            sandbox, self.sandbox = self.sandbox, None
            await asyncio.to_thread(sandbox.stop)


async def open_backend(
    settings: Settings,
    secrets: SecretStore | None = None,
    *,
    data_dir: Path | None = None,
    force_sandbox: bool = False,
    sandbox_options: Mapping[str, Any] | None = None,
) -> Backend:
    """Open the backend the settings ask for (see the module docstring).

    The sandbox keeps its files in ``DATA_DIR/sandbox``; ``sandbox_options`` are passed on to
    :meth:`SandboxProcess.start` (e.g. ``processing_seconds``).
    """
    secrets = secrets or SecretStore()
    choice = "sandbox" if force_sandbox else settings.backend
    key = None if choice == "sandbox" else secrets.get()
    if key:
        client = RunwareClient(key, settings.api_url, batch_polls=settings.batch_polls)
        return Backend(client=client, label=RUNWARE_LABEL, is_sandbox=False)
    if choice == "runware":
        raise NoApiKey(
            "No Runware API key is set. Add it in Settings, or set RUNWARE_API_KEY; "
            "or choose the offline sandbox."
        )
    from gui.sandbox.process import SandboxProcess  # only when it is needed

    folder = Path(data_dir or settings.library_folder) / "sandbox"
    sandbox = await asyncio.to_thread(SandboxProcess.start, folder, **dict(sandbox_options or {}))
    try:
        client = RunwareClient(sandbox.api_key, sandbox.url, batch_polls=settings.batch_polls)
    except BaseException:
        await asyncio.to_thread(sandbox.stop)
        raise
    return Backend(client=client, label=SANDBOX_LABEL, is_sandbox=True, sandbox=sandbox)
