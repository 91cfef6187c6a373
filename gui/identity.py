"""The app's name and where its bundled files are: what the window needs before its first paint,
with no import beyond the standard library (see docs/architecture.md, paint first)."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["APP_NAME", "resources_dir"]

APP_NAME = "sora-studio"


def resources_dir() -> Path:
    """``resources/`` beside the package, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"
