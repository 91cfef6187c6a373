"""Settings on disk and the API key in the keyring (never in a file)."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from pydantic import ValidationError

from gui.studio.settings import (
    PollTimings,
    SecretStorageUnavailable,
    SecretStore,
    Settings,
    SettingsStore,
)


def test_defaults(isolated_user_dirs: Path) -> None:
    settings = Settings()
    assert settings.backend == "auto"
    assert settings.api_url == "https://api.runware.ai/v1"
    assert settings.library_folder == isolated_user_dirs / "data" / "sora-studio"
    assert settings.concurrent_downloads == 3 and settings.daily_budget is None
    assert settings.batch_polls and settings.notifications
    assert settings.poll == PollTimings(first_delay=2.0, backoff=1.5, max_interval=10.0)


def test_settings_round_trip_in_the_user_config_folder(isolated_user_dirs: Path) -> None:
    store = SettingsStore()
    assert store.path == isolated_user_dirs / "config" / "sora-studio" / "settings.json"
    assert store.load() == Settings()  # no file yet
    settings = Settings(
        backend="sandbox",
        daily_budget=5.0,
        concurrent_downloads=2,
        poll=PollTimings(first_delay=1.0),
        last_compose={"model": "openai:3@1", "duration": 8},
        presets={"vertical": {"width": 720, "height": 1280}},
    )
    store.save(settings)
    assert SettingsStore().load() == settings
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]


def test_the_key_never_reaches_the_settings_file(memory_keyring: object) -> None:
    secrets = SecretStore(environ={})
    secrets.set("sk-very-secret-key")
    store = SettingsStore()
    store.path.parent.mkdir(parents=True)
    # a hand-edited file with a key in it: read, then written back without it
    store.path.write_text(json.dumps({"api_key": "sk-very-secret-key", "apiKey": "sk-x"}))
    store.save(store.load())
    assert "secret" not in store.path.read_text() and "sk-x" not in store.path.read_text()
    assert secrets.get() == "sk-very-secret-key"


def test_a_damaged_settings_file_is_set_aside(isolated_user_dirs: Path) -> None:
    store = SettingsStore()
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json")
    assert store.load() == Settings()
    assert store.problem and "settings.json.bad" in store.problem
    assert store.path.with_name("settings.json.bad").read_text() == "{not json"


def test_out_of_range_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(concurrent_downloads=0)
    with pytest.raises(ValidationError):
        Settings(daily_budget=-1)
    with pytest.raises(ValidationError):
        Settings(backend="cloud")  # type: ignore[arg-type]


def test_the_environment_key_comes_first(memory_keyring: object) -> None:
    secrets = SecretStore(environ={"RUNWARE_API_KEY": " env-key "})
    keyring.set_password("sora-studio", "api-key", "keyring-key")
    assert secrets.get() == "env-key" and secrets.source == "environment"
    assert SecretStore(environ={}).get() == "keyring-key"


def test_the_keyring_stores_sets_and_deletes(memory_keyring: object) -> None:
    secrets = SecretStore(environ={})
    assert secrets.get() is None and secrets.source is None
    assert secrets.secure and "MemoryKeyringForTests" in secrets.backend_name
    secrets.set("sk-1")
    assert keyring.get_password("sora-studio", "api-key") == "sk-1"
    assert secrets.get() == "sk-1" and secrets.source == "keyring"
    secrets.delete()
    secrets.delete()  # deleting nothing is fine
    assert secrets.get() is None
    with pytest.raises(ValueError, match="empty"):
        secrets.set("  ")


def test_without_a_keyring_the_store_says_so() -> None:
    keyring.set_keyring(fail.Keyring())  # what a headless machine has
    secrets = SecretStore(environ={})
    assert not secrets.secure and secrets.backend_name == "no secure storage"
    assert secrets.get() is None
    with pytest.raises(SecretStorageUnavailable, match="no secure storage"):
        secrets.set("sk-1")
    assert SecretStore(environ={"RUNWARE_API_KEY": "k"}).get() == "k"
