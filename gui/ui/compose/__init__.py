"""The compose panel: prompt editor, parameter pickers, frame-image drop zones, presets."""

from gui.ui.compose.compose_panel import ComposePanel
from gui.ui.compose.presets import MemoryPresetStore, PresetStore

__all__ = ["ComposePanel", "MemoryPresetStore", "PresetStore"]
