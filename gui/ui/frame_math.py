"""Frame numbers and positions: which frame a position shows, and the position that shows a
frame (shared by the player, Compare and the storyboard)."""

from __future__ import annotations

import math

__all__ = ["frame_at", "frame_position"]


def frame_position(frame: int, fps: float) -> int:
    """The position (ms) that shows ``frame``: just past its start, since a position exactly
    on a frame boundary shows the frame before it."""
    return math.floor(frame * 1000 / fps) + 1 if frame > 0 else 0


def frame_at(position_ms: int, fps: float) -> int:
    """The frame shown at ``position_ms`` (the inverse of :func:`frame_position`)."""
    return max(math.ceil(position_ms * fps / 1000) - 1, 0)
