""" "Test connection" in Settings: reach Runware with a key, quickly, and say what went wrong.

The engine's client retries a failed request for about ten seconds (it must survive a dropped
connection mid-job); a test the user is waiting for must not. So this opens a plain TCP
connection first, with a short timeout, and names the reason when the host cannot be reached
("Cannot reach api.runware.ai: connection refused"); only then does it ask for the account,
once, with the whole check bounded by ``total`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from gui.runware.client import RetryPolicy, RunwareClient, Timeouts, verified_tls
from gui.runware.errors import RunwareError, TransportError
from gui.studio.errors import StudioError
from gui.studio.spending import format_money

__all__ = ["ConnectionLimits", "check_runware", "unreachable_reason"]


@dataclass(frozen=True)
class ConnectionLimits:
    connect: float = 3.0  # seconds to open the TCP connection
    total: float = 10.0  # seconds for the whole check, the account answer included


async def check_runware(api_key: str, api_url: str, limits: ConnectionLimits | None = None) -> str:
    """A sentence about the account behind ``api_key``; raises :class:`StudioError` with a
    message for the user when the service cannot be reached or refuses the key."""
    limits = limits or ConnectionLimits()
    if not api_key.strip():
        raise StudioError("Enter an API key first.")
    parts = urlsplit(api_url)
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or not host:
        raise StudioError(f"The API URL {api_url!r} is not an http(s) address.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = host if parts.port is None else f"{host}:{port}"
    try:
        async with asyncio.timeout(limits.total):
            await _reach(host, port, limits.connect, where)
            return await _account(api_key, api_url, limits, where)
    except TimeoutError:
        raise StudioError(f"Cannot reach {where}: no answer within {limits.total:g} s.") from None


async def _reach(host: str, port: int, timeout: float, where: str) -> None:
    try:
        async with asyncio.timeout(timeout):
            _reader, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        raise StudioError(
            f"Cannot reach {where}: no connection within {timeout:g} s (offline, or a "
            "firewall drops it)."
        ) from None
    except OSError as exc:
        raise StudioError(f"Cannot reach {where}: {unreachable_reason(exc)}.") from None
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def _account(api_key: str, api_url: str, limits: ConnectionLimits, where: str) -> str:
    client = RunwareClient(
        api_key,
        api_url,
        timeouts=Timeouts(connect=limits.connect, api=limits.total),
        retry=RetryPolicy(attempts=1),
        tls=await verified_tls(),
    )
    try:
        details = await client.account()
    except TransportError as exc:  # the client keeps httpx's own error as the context
        raise StudioError(f"Cannot reach {where}: {_transport_reason(exc)}.") from None
    except RunwareError as exc:
        raise StudioError(str(exc)) from None
    finally:
        await client.aclose()
    name = f" ({details.organization_name})" if details.organization_name else ""
    balance = format_money(details.balance.amount, details.balance.currency)
    return f"Connected to Runware{name}; balance {balance}."


def _transport_reason(exc: TransportError) -> str:
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, httpx.TimeoutException):
        return "it did not answer in time"
    text = str(cause) if cause is not None else ""
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
        return f"the secure connection failed ({text})"
    return text or str(exc)


def unreachable_reason(exc: OSError) -> str:
    """Why a connection failed, in words (no errno numbers)."""
    if isinstance(exc, socket.gaierror):
        return "the name cannot be looked up (offline, or no DNS)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (nothing listens there)"
    if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "the network is unreachable (offline?)"
    text = exc.strerror or str(exc) or exc.__class__.__name__
    return text[0].lower() + text[1:]
