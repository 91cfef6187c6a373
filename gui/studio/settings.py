"""User settings and the API key.

Settings are plain, non-secret data in ``user_config_dir("sora-studio")/settings.json``. The API
key never goes there: it comes from ``RUNWARE_API_KEY`` or the OS keyring (service
``sora-studio``, user ``api-key``). Where no keyring exists (a headless box), :class:`SecretStore`
says so instead of quietly falling back to a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import keyring
import keyring.errors
import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gui.identity import APP_NAME
from gui.runware.client import RUNWARE_URL
from gui.studio.atomic_files import write_atomic

__all__ = [
    "APP_NAME",
    "PollTimings",
    "SecretStorageUnavailable",
    "SecretStore",
    "Settings",
    "SettingsStore",
    "ThemeChoice",
    "default_library_folder",
]

ThemeChoice = Literal["system", "dark", "light"]  # "system" follows the OS (dark if it won't say)


def default_library_folder() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


class PollTimings(BaseModel):
    """How the engine paces its requests. All in seconds; tests make them small."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    first_delay: float = Field(2.0, gt=0)  # first poll after a submit (and the reset value)
    backoff: float = Field(1.5, ge=1)  # interval × this while nothing changes
    max_interval: float = Field(10.0, gt=0)
    error_delay: float = Field(5.0, gt=0)  # after a failed poll; doubles up to error_max
    error_max: float = Field(60.0, gt=0)
    download_retry: float = Field(5.0, gt=0)  # wait before re-trying a cut download
    recovery_poll: float = Field(0.0, ge=0)  # delay of the first poll at start


class Settings(BaseModel):
    """Everything the user can set, except the API key."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    backend: Literal["auto", "runware", "sandbox"] = "auto"
    api_url: str = RUNWARE_URL
    library_folder: Path = Field(default_factory=default_library_folder)
    concurrent_downloads: int = Field(3, ge=1, le=16)
    daily_budget: float | None = Field(None, ge=0)
    notifications: bool = True
    theme: ThemeChoice = "system"
    poll: PollTimings = Field(default_factory=PollTimings)
    batch_polls: bool = True  # one getResponse request for all tasks; off = one request each
    last_compose: dict[str, Any] = Field(default_factory=dict)  # JobSpec fields last used
    presets: dict[str, dict[str, Any]] = Field(default_factory=dict)  # name → JobSpec fields


class SettingsStore:
    """Reads and writes :class:`Settings` as JSON. A damaged file is set aside, not lost."""

    FILE_NAME = "settings.json"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(platformdirs.user_config_dir(APP_NAME)) / self.FILE_NAME
        self.problem: str | None = None  # why the file could not be read, for the UI

    def load(self) -> Settings:
        self.problem = None
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            self.problem = f"Could not read {self.path}: {exc.strerror}; using defaults."
            return Settings()
        try:
            return Settings.model_validate(json.loads(text))
        except (ValueError, ValidationError) as exc:
            aside = self.path.with_name(self.path.name + ".bad")
            os.replace(self.path, aside)
            self.problem = (
                f"{self.path.name} was damaged ({exc.__class__.__name__}); it was kept as "
                f"{aside.name} and the defaults are used."
            )
            return Settings()

    def save(self, settings: Settings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = settings.model_dump(mode="json")
        write_atomic(self.path, json.dumps(body, indent=2, sort_keys=True).encode("utf-8"))


class SecretStorageUnavailable(RuntimeError):
    """There is no secure place to keep the key on this machine."""


_NO_STORAGE = "no secure storage"
# a keyring says no with its own errors; a broken desktop bus or backend may raise others
_KEYRING_FAILURES = (keyring.errors.KeyringError, OSError, RuntimeError)


class SecretStore:
    """The API key: ``RUNWARE_API_KEY`` first, then the OS keyring. Never a file.

    ``secure`` tells whether a keyring is usable; ``backend_name`` describes where a key set
    here would go (or "no secure storage", for the UI to warn about).
    """

    SERVICE = APP_NAME
    USER = "api-key"
    ENV = "RUNWARE_API_KEY"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._session_key: str | None = None  # in memory only, when the keyring refused it

    @property
    def backend_name(self) -> str:
        backend = keyring.get_keyring()
        if not self._usable(backend):
            return _NO_STORAGE
        name = getattr(backend, "name", None) or type(backend).__name__
        return f"keyring: {name}"

    @property
    def secure(self) -> bool:
        return self._usable(keyring.get_keyring())

    @staticmethod
    def _usable(backend: Any) -> bool:
        module = type(backend).__module__
        if module.endswith((".fail", ".null")):
            return False
        return not (module.endswith(".chainer") and not getattr(backend, "backends", None))

    @property
    def source(self) -> Literal["environment", "session", "keyring"] | None:
        """Where :meth:`get` finds the key, if anywhere."""
        if self._environ.get(self.ENV, "").strip():
            return "environment"
        if self._session_key:
            return "session"
        return "keyring" if self._from_keyring() else None

    def get(self) -> str | None:
        from_env = self._environ.get(self.ENV, "").strip()
        return from_env or self._session_key or self._from_keyring()

    def _from_keyring(self) -> str | None:
        try:
            value = keyring.get_password(self.SERVICE, self.USER)
        except keyring.errors.KeyringError:  # NoKeyringError headless, or a locked store
            return None
        return value or None

    def set(self, api_key: str) -> None:
        """Store the key in the keyring; raises :class:`SecretStorageUnavailable` if it cannot."""
        failure = self._to_keyring(api_key)
        if failure:
            raise SecretStorageUnavailable(
                f"There is no secure storage for the key on this machine ({failure}). "
                f"Set {self.ENV} in the environment instead."
            )

    def keep(self, api_key: str) -> str | None:
        """Store the key in the keyring; where that fails, keep it in memory for this session
        (never in a file) and return a sentence saying so and how to make it permanent."""
        failure = self._to_keyring(api_key)
        if not failure:
            return None
        self._session_key = api_key.strip()
        return (
            f"Saved, but the key could not be stored in the keyring ({failure}): it is used "
            "for this session only and forgotten when Sora Studio closes. To keep it, set "
            f"{self.ENV} in your environment (or unlock or install an OS keyring) and start "
            "again."
        )

    def _to_keyring(self, api_key: str) -> str | None:
        """None when the keyring took the key, else the failure's name (never its text,
        which a backend might have filled with what it was given)."""
        api_key = api_key.strip()
        if not api_key:
            raise ValueError("The API key is empty.")
        try:
            keyring.set_password(self.SERVICE, self.USER, api_key)
        except _KEYRING_FAILURES as exc:
            return exc.__class__.__name__
        self._session_key = None
        return None

    def delete(self) -> None:
        self._session_key = None
        try:
            keyring.delete_password(self.SERVICE, self.USER)
        except keyring.errors.PasswordDeleteError:
            pass
        except _KEYRING_FAILURES as exc:
            raise SecretStorageUnavailable(
                f"The keyring cannot be changed ({exc.__class__.__name__})."
            ) from None
