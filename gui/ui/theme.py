"""The studio's look, dark or light, in one place: a palette per scheme, the Fusion style and
the stylesheet (``resources/theme/studio.qss``, whose ``@word`` colours are filled in here).

The scheme follows the system (``QStyleHints.colorScheme`` and its ``colorSchemeChanged``
signal) unless the user picks one in Settings (``Settings.theme``). A video tool is dark by
default: when the system does not say (``Unknown``), the studio is dark.

A scheme is a word here, ``"dark"`` or ``"light"`` (the system's may also be ``"unknown"``), not
PySide's ``Qt.ColorScheme``: the first ``Qt`` enum to reach Python builds all 93 of the ``Qt``
namespace (~40 ms, a sixth of a bare window's start). So that the window's frame paints before
that, the system's scheme is remembered (``memory``, the window's ini file) and the theme starts
from what the system said last time; :meth:`ThemeController.watch_system` asks the system itself
after the first paint and restyles the frame in the rare case it has changed since.

Painting code takes its colours from the palette; :func:`is_dark` and :func:`legible` help a
delegate keep a status colour readable on either background (and gui.ui.themed_icon draws a
style's icons in the palette's text colour).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from PySide6.QtCore import QObject, QSettings, Signal, SignalInstance
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from gui.identity import resources_dir

if TYPE_CHECKING:  # the theme is applied before the first paint: no pydantic before it
    from PySide6.QtCore import Qt

    from gui.studio.settings import Settings, ThemeChoice

__all__ = [
    "COLOURS",
    "Scheme",
    "SystemScheme",
    "ThemeController",
    "install_theme",
    "is_dark",
    "legible",
    "new_application",
    "palette_for",
    "resolve_scheme",
    "saved_choice",
    "stylesheet_for",
    "system_word",
]

Scheme = Literal["dark", "light"]  # what is shown
SystemScheme = Literal["dark", "light", "unknown"]  # what the system says
_MEMORY_KEY = "theme/system"  # in the memory file: what the system said last time
_SYSTEM_WORDS: dict[str, SystemScheme] = {"dark": "dark", "light": "light", "unknown": "unknown"}

# The stylesheet's colours. Both schemes name the same words (a test holds them to it).
COLOURS: dict[Scheme, dict[str, str]] = {
    "light": {
        "window": "#f4f5f7",
        "surface": "#ffffff",
        "text": "#1f2933",
        "muted": "#52606d",
        "faint": "#7b8794",
        "line": "#e3e6ea",
        "border": "#d5dbe2",
        "input_border": "#cfd6de",
        "hover": "#eef2f7",
        "hover_border": "#dbe1e8",
        "pressed": "#e6ebf1",
        "disabled_bg": "#f3f5f7",
        "disabled_text": "#9aa3ad",
        "accent": "#2563eb",
        "accent_strong": "#1d4ed8",
        "accent_soft": "#e8eefc",
        "accent_soft_border": "#c7d5f8",
        "accent_disabled": "#9db5ee",
        "accent_disabled_text": "#eef2fb",
        "handle_border": "#9aa5b1",
        "tooltip_bg": "#111827",
        "tooltip_text": "#f9fafb",
        "warn_bg": "#fff4d6",
        "warn_text": "#7a4b00",
        "warn_border": "#f2d48a",
        "error_bg": "#fde8e8",
        "error_text": "#8a1c1c",
        "error_border": "#f5b5b5",
        "danger": "#b42318",
        "danger_disabled": "#d6a8a3",
        "ok": "#15803d",
    },
    "dark": {
        "window": "#1b1d21",
        "surface": "#24272c",
        "text": "#e6e8eb",
        "muted": "#a9b0b9",
        "faint": "#8b929b",
        "line": "#33363c",
        "border": "#41454c",
        "input_border": "#4a4f57",
        "hover": "#2f3338",
        "hover_border": "#4a4f57",
        "pressed": "#383c42",
        "disabled_bg": "#202226",
        "disabled_text": "#6d737b",
        "accent": "#3b82f6",
        "accent_strong": "#60a5fa",
        "accent_soft": "#1e3354",
        "accent_soft_border": "#2c4f86",
        "accent_disabled": "#2a3f63",
        "accent_disabled_text": "#8a9bb8",
        "handle_border": "#8b929b",
        "tooltip_bg": "#0b0c0e",
        "tooltip_text": "#f3f4f6",
        "warn_bg": "#3a2f12",
        "warn_text": "#f5c971",
        "warn_border": "#6b5420",
        "error_bg": "#3d1b1b",
        "error_text": "#fca5a5",
        "error_border": "#7f2d2d",
        "danger": "#f87171",
        "danger_disabled": "#7a4a47",
        "ok": "#4ade80",
    },
}

_ROLES = QPalette.ColorRole
# palette roles from the colour words above, plus a few of the palette's own
_PALETTE_WORDS: tuple[tuple[QPalette.ColorRole, str], ...] = (
    (_ROLES.Window, "window"),
    (_ROLES.WindowText, "text"),
    (_ROLES.Base, "surface"),
    (_ROLES.Text, "text"),
    (_ROLES.Button, "surface"),
    (_ROLES.ButtonText, "text"),
    (_ROLES.Highlight, "accent"),
    (_ROLES.ToolTipBase, "tooltip_bg"),
    (_ROLES.ToolTipText, "tooltip_text"),
    (_ROLES.PlaceholderText, "faint"),
    (_ROLES.Mid, "border"),
)
_EXTRA: dict[Scheme, dict[QPalette.ColorRole, str]] = {
    "light": {
        _ROLES.AlternateBase: "#f6f7f9",
        _ROLES.HighlightedText: "#ffffff",
        _ROLES.BrightText: "#ffffff",
        _ROLES.Light: "#ffffff",
        _ROLES.Midlight: "#eceff2",
        _ROLES.Dark: "#9aa5b1",
        _ROLES.Shadow: "#4b5563",
        _ROLES.Link: "#1d4ed8",
        _ROLES.LinkVisited: "#6d28d9",
    },
    "dark": {
        _ROLES.AlternateBase: "#202328",
        _ROLES.HighlightedText: "#ffffff",
        _ROLES.BrightText: "#ffffff",
        _ROLES.Light: "#4a4f57",
        _ROLES.Midlight: "#383c42",
        _ROLES.Dark: "#16181b",
        _ROLES.Shadow: "#000000",
        _ROLES.Link: "#7cb0ff",
        _ROLES.LinkVisited: "#c4a7ff",
    },
}
_DISABLED_ROLES = (_ROLES.WindowText, _ROLES.Text, _ROLES.ButtonText)

_WORD = re.compile(r"@([a-z_]+)")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
STYLESHEET_FILE = "studio.qss"


def resolve_scheme(choice: ThemeChoice, system: SystemScheme) -> Scheme:
    """The scheme to show: the user's choice, else the system's, else dark."""
    if choice in ("dark", "light"):
        return choice
    return "light" if system == "light" else "dark"


def system_word(scheme: Qt.ColorScheme) -> SystemScheme:
    """``Qt.ColorScheme`` as a word: ``"dark"``, ``"light"`` or ``"unknown"``."""
    return _SYSTEM_WORDS.get(scheme.name.lower(), "unknown")


def palette_for(scheme: Scheme) -> QPalette:
    words = COLOURS[scheme]
    palette = QPalette()
    for role, word in _PALETTE_WORDS:
        palette.setColor(role, QColor(words[word]))
    for role, value in _EXTRA[scheme].items():
        palette.setColor(role, QColor(value))
    for role in _DISABLED_ROLES:
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(words["disabled_text"]))
    palette.setColor(QPalette.ColorGroup.Disabled, _ROLES.Highlight, QColor(words["border"]))
    return palette


def stylesheet_for(scheme: Scheme, template: str | None = None) -> str:
    """The stylesheet with this scheme's colours; raises ``KeyError`` on an unknown word."""
    if template is None:
        template = _read_template()
    words = COLOURS[scheme]
    return _WORD.sub(lambda m: words[m.group(1)], _COMMENT.sub("", template))


def _read_template() -> str:
    path = resources_dir() / "theme" / STYLESHEET_FILE
    return path.read_text("utf-8") if path.is_file() else ""


def is_dark(palette: QPalette) -> bool:
    return palette.color(_ROLES.Window).lightnessF() < 0.5


def legible(colour: QColor, palette: QPalette) -> QColor:
    """``colour`` (a status colour chosen for a light background) made readable on this
    palette's background: lighter on a dark one, unchanged on a light one."""
    if not is_dark(palette):
        return QColor(colour)
    hue, saturation = colour.hslHueF(), colour.hslSaturationF()
    lightness = max(colour.lightnessF(), 0.68)
    return QColor.fromHslF(max(hue, 0.0), saturation, lightness, colour.alphaF())


# The window's first paint does not wait for QStyle: a QStyle reaching Python (what
# QApplication.style() and setStyle() return) builds its 11 enums, 566 members, ~10 ms
FUSION_ARGS = ("-style", "Fusion")
_FUSION_MARK = "studioFusionFromArgs"


def new_application(argv: Sequence[str]) -> QApplication:
    """The QApplication, on the Fusion style from its command line (after the user's own
    ``-style``: the studio looks the same on every desktop)."""
    app = QApplication([*argv, *FUSION_ARGS])
    app.setProperty(_FUSION_MARK, True)
    return app


class _SettingsSource(Protocol):
    """What the theme needs of the settings view-model."""

    @property
    def settings(self) -> Settings: ...

    @property
    def changed(self) -> SignalInstance: ...


class ThemeController(QObject):
    """Applies the scheme to the application now and whenever the system's or the user's
    choice changes. One per application; it lives as the application's child.

    ``memory``: an ini file that keeps what the system said last time. Given one that has it,
    the controller starts from it and asks the system only at :meth:`watch_system`; otherwise
    it asks at once."""

    scheme_changed = Signal(str)  # the scheme now shown: "dark" or "light"

    def __init__(
        self, app: QApplication, choice: ThemeChoice = "system", *, memory: Path | None = None
    ) -> None:
        super().__init__(app)
        self.setObjectName("ThemeController")
        self._app = app
        self._choice: ThemeChoice = choice
        self._memory = memory
        self._watching = False
        self._system: SystemScheme = "unknown"
        self._scheme: Scheme | None = None
        self._template = _read_template()
        self._followed: _SettingsSource | None = None
        if not app.property(_FUSION_MARK) and app.style().name().lower() != "fusion":
            app.setStyle("Fusion")  # the same look on every desktop
        self._remembered = _recall(memory) if memory is not None else None
        if self._remembered is None:
            self.watch_system()  # nothing remembered: the system's word now
        else:
            self._system = self._remembered
            self.apply()

    def watch_system(self) -> None:
        """Ask the system for its scheme now and follow its changes (once; later calls do
        nothing). This builds PySide's ``Qt`` namespace: the app calls it after the first
        paint, and restyles the frame if the system changed its scheme since the last run."""
        if self._watching:
            return
        self._watching = True
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._on_system_changed)
        self._on_system_changed(hints.colorScheme())

    @property
    def choice(self) -> ThemeChoice:
        return self._choice

    @property
    def system(self) -> SystemScheme:
        """The system's scheme as last announced ("unknown" when it never said)."""
        return self._system

    @property
    def scheme(self) -> Scheme:
        """What is shown: always "dark" or "light"."""
        return resolve_scheme(self._choice, self._system)

    def set_choice(self, choice: ThemeChoice) -> None:
        self._choice = choice
        self.apply()

    def follow(self, settings: _SettingsSource) -> None:
        """Take the choice from the settings, now and at every change."""
        if self._followed is not None:
            with contextlib.suppress(RuntimeError, TypeError):  # already gone
                self._followed.changed.disconnect(self._on_settings_changed)
        self._followed = settings
        settings.changed.connect(self._on_settings_changed)
        self.set_choice(settings.settings.theme)

    def _on_settings_changed(self, new: Settings, _old: Settings) -> None:
        self.set_choice(new.theme)

    def _on_system_changed(self, scheme: Qt.ColorScheme) -> None:
        self._system = system_word(scheme)
        if self._memory is not None and self._remembered != self._system:
            _remember(self._memory, self._system)
            self._remembered = self._system
        self.apply()

    def apply(self) -> None:
        scheme = self.scheme
        if scheme == self._scheme:
            return
        self._scheme = scheme
        self._app.setPalette(palette_for(scheme))
        self._app.setStyleSheet(stylesheet_for(scheme, self._template))
        self.scheme_changed.emit(scheme)


def install_theme(
    app: QApplication,
    settings: _SettingsSource | None = None,
    *,
    choice: ThemeChoice | None = None,
    memory: Path | None = None,
) -> ThemeController:
    """The application's theme controller (made at the first call, with ``memory``: see
    :class:`ThemeController`), following ``settings``.

    ``choice`` applies a saved choice before any widget exists (see :func:`saved_choice`):
    restyling a built window repolishes every widget (2 s for the main window's 470 widgets,
    measured on a busy 2-core machine), restyling an empty application costs nothing."""
    controller = app.findChild(ThemeController, "ThemeController")
    if controller is None:
        controller = ThemeController(app, choice or "system", memory=memory)
    elif choice is not None:
        controller.set_choice(choice)
    if settings is not None:
        controller.follow(settings)
    return controller


def saved_choice(settings_file: Path) -> ThemeChoice:
    """The theme saved in the settings file, read with the standard library only (it is needed
    before the first paint, before pydantic); "system" when the file or the field is missing
    or damaged (the settings store reports a damaged file itself)."""
    try:
        value = json.loads(settings_file.read_text("utf-8")).get("theme")
    except (OSError, ValueError, AttributeError):
        return "system"
    return value if value in ("system", "dark", "light") else "system"


def _recall(memory: Path) -> SystemScheme | None:
    """What the system said last time, as kept in ``memory``; None when it holds nothing."""
    value = QSettings(str(memory), QSettings.Format.IniFormat).value(_MEMORY_KEY)
    return _SYSTEM_WORDS.get(value) if isinstance(value, str) else None


def _remember(memory: Path, system: SystemScheme) -> None:
    memory.parent.mkdir(parents=True, exist_ok=True)
    store = QSettings(str(memory), QSettings.Format.IniFormat)
    store.setValue(_MEMORY_KEY, system)
    store.sync()
