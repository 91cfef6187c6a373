"""The studio's look, dark or light, in one place: a palette per scheme, the Fusion style and
the stylesheet (``resources/theme/studio.qss``, whose ``@word`` colours are filled in here).

The scheme follows the system (``QStyleHints.colorScheme`` and its ``colorSchemeChanged``
signal) unless the user picks one in Settings (``Settings.theme``). A video tool is dark by
default: when the system does not say (``Unknown``), the studio is dark.

Painting code takes its colours from the palette; :func:`is_dark` and :func:`legible` help a
delegate keep a status colour readable on either background.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from gui.identity import resources_dir

if TYPE_CHECKING:  # the theme is applied before the first paint: no pydantic before it
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyle  # its enums take ~10 ms to build: not before the paint

    from gui.studio.settings import Settings, ThemeChoice

__all__ = [
    "COLOURS",
    "ThemeController",
    "install_theme",
    "is_dark",
    "legible",
    "new_application",
    "palette_for",
    "resolve_scheme",
    "saved_choice",
    "stylesheet_for",
    "themed_icon",
]

Scheme = Qt.ColorScheme

# The stylesheet's colours. Both schemes name the same words (a test holds them to it).
COLOURS: dict[Scheme, dict[str, str]] = {
    Scheme.Light: {
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
    Scheme.Dark: {
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
    Scheme.Light: {
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
    Scheme.Dark: {
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


def resolve_scheme(choice: ThemeChoice, system: Scheme) -> Scheme:
    """The scheme to show: the user's choice, else the system's, else dark."""
    if choice == "dark":
        return Scheme.Dark
    if choice == "light":
        return Scheme.Light
    return Scheme.Light if system == Scheme.Light else Scheme.Dark


def palette_for(scheme: Scheme) -> QPalette:
    words = COLOURS[_known(scheme)]
    palette = QPalette()
    for role, word in _PALETTE_WORDS:
        palette.setColor(role, QColor(words[word]))
    for role, value in _EXTRA[_known(scheme)].items():
        palette.setColor(role, QColor(value))
    for role in _DISABLED_ROLES:
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(words["disabled_text"]))
    palette.setColor(QPalette.ColorGroup.Disabled, _ROLES.Highlight, QColor(words["border"]))
    return palette


def stylesheet_for(scheme: Scheme, template: str | None = None) -> str:
    """The stylesheet with this scheme's colours; raises ``KeyError`` on an unknown word."""
    if template is None:
        template = _read_template()
    words = COLOURS[_known(scheme)]
    return _WORD.sub(lambda m: words[m.group(1)], _COMMENT.sub("", template))


def _read_template() -> str:
    path = resources_dir() / "theme" / STYLESHEET_FILE
    return path.read_text("utf-8") if path.is_file() else ""


def _known(scheme: Scheme) -> Scheme:
    return Scheme.Light if scheme == Scheme.Light else Scheme.Dark


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


class _PaletteIconEngine(QIconEngine):
    """A style's icon drawn in the palette's button-text colour at each paint, so it reads on
    a dark theme (Fusion's media icons are dark grey pictures) and follows a switch live."""

    def __init__(self, base: QIcon) -> None:
        super().__init__()
        self._base = base

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        from PySide6.QtGui import QPainter

        shape = self._base.pixmap(size, mode, state)
        out = QPixmap(shape.size())
        out.setDevicePixelRatio(shape.devicePixelRatio())
        out.fill(Qt.GlobalColor.transparent)
        group = (
            QPalette.ColorGroup.Disabled
            if mode == QIcon.Mode.Disabled
            else QPalette.ColorGroup.Normal
        )
        colour = QGuiApplication.palette().color(group, _ROLES.ButtonText)
        painter = QPainter(out)
        painter.drawPixmap(0, 0, shape)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(out.rect(), colour)
        painter.end()
        return out

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def clone(self) -> QIconEngine:
        return _PaletteIconEngine(self._base)


def themed_icon(style: QStyle, which: QStyle.StandardPixmap) -> QIcon:
    """The style's standard icon ``which``, drawn in the current palette's text colour."""
    return QIcon(_PaletteIconEngine(style.standardIcon(which)))


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
    choice changes. One per application; it lives as the application's child."""

    scheme_changed = Signal(object)  # Qt.ColorScheme

    def __init__(self, app: QApplication, choice: ThemeChoice = "system") -> None:
        super().__init__(app)
        self.setObjectName("ThemeController")
        self._app = app
        self._choice: ThemeChoice = choice
        hints = QGuiApplication.styleHints()
        self._system: Scheme = hints.colorScheme()
        self._scheme: Scheme | None = None
        hints.colorSchemeChanged.connect(self._on_system_changed)
        self._template = _read_template()
        self._followed: _SettingsSource | None = None
        if not app.property(_FUSION_MARK) and app.style().name().lower() != "fusion":
            app.setStyle("Fusion")  # the same look on every desktop
        self.apply()

    @property
    def choice(self) -> ThemeChoice:
        return self._choice

    @property
    def system(self) -> Scheme:
        """The system's scheme as last announced (``Unknown`` when it never said)."""
        return self._system

    @property
    def scheme(self) -> Scheme:
        """What is shown: always Dark or Light."""
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

    def _on_system_changed(self, scheme: Scheme) -> None:
        self._system = scheme
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
) -> ThemeController:
    """The application's theme controller (made at the first call), following ``settings``.

    ``choice`` applies a saved choice before any widget exists (see :func:`saved_choice`):
    restyling a built window repolishes every widget (2 s for the main window's 470 widgets,
    measured on a busy 2-core machine), restyling an empty application costs nothing."""
    controller = app.findChild(
        ThemeController, "ThemeController", Qt.FindChildOption.FindDirectChildrenOnly
    )
    if controller is None:
        controller = ThemeController(app, choice or "system")
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
