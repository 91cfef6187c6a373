"""Drag-and-drop formats shared between the window's features (no widgets here)."""

from __future__ import annotations

__all__ = ["RESULTS_MIME_TYPE"]

# JSON [[job id, result index], …]: results dragged out of the jobs list or the library
RESULTS_MIME_TYPE = "application/x-sora-studio-results"
