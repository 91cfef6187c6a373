"""Dark and light themes: they follow the system's colour scheme, a choice in Settings wins, the
default is dark, and every colour word of the stylesheet is defined for both.

The system is simulated with the real signal Qt emits when the desktop changes its scheme
(``QStyleHints.colorSchemeChanged``): ``QStyleHints.setColorScheme`` is a request to the
platform, which the offscreen (and xcb) platforms of this machine ignore.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import resources_dir
from gui.ui import theme
from gui.ui.theme import (
    COLOURS,
    Scheme,
    install_theme,
    legible,
    palette_for,
    saved_choice,
    system_word,
)

System = Qt.ColorScheme  # what the desktop says; the theme shows "dark" or "light"
WINDOW = QPalette.ColorRole.Window


def system_says(scheme: Qt.ColorScheme) -> None:
    """The desktop changes its colour scheme (what Qt emits when it does)."""
    QGuiApplication.styleHints().colorSchemeChanged.emit(scheme)


def shown(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.addWidget(QLabel("A label"))
    layout.addWidget(QPushButton("A button"))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def is_dark_colour(colour: QColor) -> bool:
    return colour.lightnessF() < 0.5


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_theme_follows_the_systems_colour_scheme(qtbot, app_theme: QApplication) -> None:  # type: ignore[no-untyped-def]
    controller = install_theme(app_theme)
    widget = shown(qtbot)
    system_says(System.Unknown)  # a desktop that does not say: video tools are dark
    assert controller.scheme == "dark"
    assert is_dark_colour(app_theme.palette().color(WINDOW))
    qtbot.waitUntil(lambda: is_dark_colour(widget.palette().color(WINDOW)), timeout=5000)
    assert COLOURS["dark"]["surface"] in app_theme.styleSheet()

    system_says(System.Light)
    assert controller.scheme == "light"
    qtbot.waitUntil(lambda: not is_dark_colour(widget.palette().color(WINDOW)), timeout=5000)
    assert COLOURS["light"]["text"] in app_theme.styleSheet()
    assert COLOURS["dark"]["surface"] not in app_theme.styleSheet()

    system_says(System.Dark)
    qtbot.waitUntil(lambda: is_dark_colour(widget.palette().color(WINDOW)), timeout=5000)


def test_a_remembered_scheme_paints_first_and_the_system_then_corrects_it(
    tmp_path, app_theme: QApplication
) -> None:  # type: ignore[no-untyped-def]
    """The frame paints with what the system said last run (asking builds PySide's Qt
    namespace, ~40 ms); asked after the paint, the system's own word wins and is kept."""
    memory = tmp_path / "window.ini"
    actual = system_word(QGuiApplication.styleHints().colorScheme())
    last_run = "light" if actual in ("dark", "unknown") else "dark"  # it changed since
    store = QSettings(str(memory), QSettings.Format.IniFormat)
    store.setValue("theme/system", last_run)
    store.sync()
    del store

    controller = install_theme(app_theme, memory=memory)
    assert controller.system == last_run and controller.scheme == last_run
    assert is_dark_colour(app_theme.palette().color(WINDOW)) == (last_run == "dark")
    seen: list[str] = []
    controller.scheme_changed.connect(seen.append)
    controller.watch_system()
    controller.watch_system()  # once is enough: a second call neither asks nor connects again
    assert controller.system == actual
    assert seen == [controller.scheme] and controller.scheme != last_run
    assert QSettings(str(memory), QSettings.Format.IniFormat).value("theme/system") == actual
    system_says(System.Light)  # and it follows the system from then on
    assert controller.scheme == "light" and seen[-1] == "light"
    assert QSettings(str(memory), QSettings.Format.IniFormat).value("theme/system") == "light"


def test_with_nothing_remembered_the_system_is_asked_at_once(
    tmp_path, app_theme: QApplication
) -> None:  # type: ignore[no-untyped-def]
    for round_, kept in enumerate((None, "purple")):  # no memory yet; a damaged one
        memory = tmp_path / f"config-{round_}" / "window.ini"
        if kept is not None:
            QSettings(str(memory), QSettings.Format.IniFormat).setValue("theme/system", kept)
        controller = install_theme(app_theme, memory=memory)
        actual = system_word(QGuiApplication.styleHints().colorScheme())
        assert controller.system == actual
        assert QSettings(str(memory), QSettings.Format.IniFormat).value("theme/system") == actual
        controller.setParent(None)  # the next round makes a new one
        controller.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_choice_in_settings_wins_over_the_system(qtbot, app_theme: QApplication) -> None:  # type: ignore[no-untyped-def]
    controller = install_theme(app_theme)
    seen: list[str] = []
    controller.scheme_changed.connect(seen.append)
    system_says(System.Light)
    controller.set_choice("dark")
    assert controller.scheme == "dark"
    assert is_dark_colour(app_theme.palette().color(WINDOW))
    system_says(System.Light)  # the system changes again: the choice still holds
    assert controller.scheme == "dark"
    system_says(System.Dark)
    controller.set_choice("light")
    assert not is_dark_colour(app_theme.palette().color(WINDOW))
    controller.set_choice("system")  # back to the system, which last said dark
    assert controller.scheme == "dark"
    assert seen == ["light", "dark", "light", "dark"]


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_both_stylesheets_parse_and_read(qtbot, qtlog, scheme: Scheme) -> None:  # type: ignore[no-untyped-def]
    template = (resources_dir() / "theme" / theme.STYLESHEET_FILE).read_text("utf-8")
    words = set(re.findall(r"@([a-z_]+)", re.sub(r"/\*.*?\*/", "", template, flags=re.S)))
    assert words <= set(COLOURS[scheme]), words - set(COLOURS[scheme])
    assert set(COLOURS["dark"]) == set(COLOURS["light"])
    sheet = theme.stylesheet_for(scheme)
    assert "@" not in sheet
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.setStyleSheet(sheet)  # a sheet Qt cannot parse is dropped whole, with a warning
    QVBoxLayout(widget).addWidget(QPushButton("A button"))
    widget.show()
    widget.grab()
    assert not [r for r in qtlog.records if "parse" in r.message.lower()]

    palette = palette_for(scheme)
    text, base = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
    assert contrast(text, base) >= 7
    assert contrast(palette.color(QPalette.ColorRole.PlaceholderText), base) >= 3
    words_ = COLOURS[scheme]
    for fg, bg in [("text", "window"), ("muted", "surface"), ("warn_text", "warn_bg")]:
        assert contrast(QColor(words_[fg]), QColor(words_[bg])) >= 4.5, (fg, bg)
    for fg in ("danger", "ok", "accent"):
        assert contrast(QColor(words_[fg]), QColor(words_["surface"])) >= 3, fg


def test_status_colours_stay_legible_on_a_dark_background() -> None:
    dark, light = palette_for("dark"), palette_for("light")
    for name in ("#b91c1c", "#92400e", "#15803d", "#2563eb", "#6b7280"):
        colour = QColor(name)
        assert legible(colour, light) == colour  # chosen for a light background already
        on_dark = legible(colour, dark)
        assert contrast(on_dark, dark.color(QPalette.ColorRole.Base)) >= 4.5, name


def _ink_contrast(image: QImage, area: QRect, background: QColor) -> float:
    """The strongest contrast of any pixel in ``area`` against the background: the ink of the
    text painted there (anti-aliased edges are weaker; the strokes' centres are not)."""
    best = 1.0
    for x in range(area.left(), area.right() + 1):
        for y in range(area.top(), area.bottom() + 1):
            best = max(best, contrast(QColor(image.pixel(x, y)), background))
    return best


def _paint_row(delegate: Any, model: Any, palette: QPalette, width: int, height: int) -> QImage:
    """The first row as ``delegate`` paints it on ``palette``'s background."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    option = QStyleOptionViewItem()
    option.rect = image.rect()
    option.palette = palette
    option.font = QApplication.font()
    delegate.paint(painter, option, model.index(0, 0))
    painter.end()
    return image


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_jobs_list_paints_readable_text_in_both_themes(qapp, scheme: Scheme) -> None:  # type: ignore[no-untyped-def]
    from gui.runware.catalog import default_catalog
    from gui.studio.jobs import JobState
    from gui.ui.jobs.delegate import THUMB_SIZE, JobDelegate
    from gui.ui.jobs.model import JobListModel
    from gui.ui.jobs.thumbnails import ThumbnailCache
    from tests.ui.jobfactory import make_job

    model = JobListModel(default_catalog(), clock=lambda: 1_700_000_000 + 100_000)
    model.add_job(make_job(JobState.FAILED, prompt="A failed fox"))
    delegate = JobDelegate(model, ThumbnailCache(THUMB_SIZE))
    palette = palette_for(scheme)
    background = palette.color(QPalette.ColorRole.Base)
    width, height = 460, 78
    # the same delegate painted the other theme first (a switch while the app runs): the
    # colours it keeps per palette must follow the switch
    other = palette_for("light" if scheme == "dark" else "dark")
    _paint_row(delegate, model, other, width, height)
    image = _paint_row(delegate, model, palette, width, height)

    small = QFont(QApplication.font())
    small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
    line = QFontMetrics(small).height()
    chip_left = width - 8 - 118
    chip_bottom = 8 + line + 6
    chip = QRect(chip_left, 8, 118, line + 6)
    cost = QRect(chip_left, chip_bottom + 4, 118, line + 4)
    text_left = 8 + 96 + 8 + 2
    title = QFontMetrics(QApplication.font()).height()
    error = QRect(text_left, 6 + title + 2 + line + 2, 120, line)
    for name, area in [("state chip", chip), ("cost", cost), ("error", error)]:
        assert _ink_contrast(image, area, background) >= 4.5, name


def test_transport_icons_are_drawn_in_the_themes_text_colour(
    qtbot, app_theme: QApplication
) -> None:  # type: ignore[no-untyped-def]
    from gui.ui.player.transport import TransportBar

    bar = TransportBar()
    qtbot.addWidget(bar)
    controller = install_theme(app_theme)

    def ink(scheme: Scheme) -> QColor:
        controller.set_choice(scheme)
        image = bar.play_button.icon().pixmap(QSize(16, 16)).toImage()
        opaque = [
            image.pixelColor(x, y)
            for x in range(image.width())
            for y in range(image.height())
            if image.pixelColor(x, y).alpha() > 200
        ]
        assert opaque, "the icon has a shape"
        return max(opaque, key=lambda c: c.alpha())

    for scheme in ("dark", "light", "dark"):  # the same icon follows a switch
        colour = ink(scheme)
        background = palette_for(scheme).color(QPalette.ColorRole.Button)
        assert contrast(colour, background) >= 4.5, (scheme, colour.name())


def test_the_saved_choice_is_read_before_the_settings_model(
    tmp_path, app_theme: QApplication
) -> None:  # type: ignore[no-untyped-def]
    from gui.studio.settings import Settings, SettingsStore

    path = tmp_path / "settings.json"
    assert saved_choice(path) == "system"  # no file yet
    SettingsStore(path).save(Settings(theme="light"))
    assert saved_choice(path) == "light"
    for damaged in ("{not json", "[1, 2]", '{"theme": "purple"}', '{"theme": null}'):
        path.write_text(damaged, "utf-8")
        assert saved_choice(path) == "system", damaged
    system_says(System.Dark)
    controller = install_theme(app_theme, choice="light")  # before any window is built
    assert controller.scheme == "light"
    assert not is_dark_colour(app_theme.palette().color(WINDOW))
    assert install_theme(app_theme, choice="dark") is controller
    assert controller.scheme == "dark"


def test_hard_coded_text_colours_read_on_both_themes() -> None:
    """A text colour written into a widget's own stylesheet (no background of its own) must
    read on the dark and the light surface alike: at least 3:1 against both."""
    from pathlib import Path

    import gui.ui

    pattern = re.compile(r"""["']([^"']*?(?<![-\w])color:\s*(#[0-9a-fA-F]{6})[^"']*)["']""")
    found = []
    for path in Path(gui.ui.__file__).parent.rglob("*.py"):
        for sheet, colour in pattern.findall(path.read_text("utf-8")):
            if "background" in sheet:
                continue  # on its own background, whatever the theme
            found.append(colour)
            for scheme in ("dark", "light"):
                for ground in ("surface", "window"):
                    back = QColor(COLOURS[scheme][ground])
                    ratio = contrast(QColor(colour), back)
                    assert ratio >= 3, (path.name, colour, scheme, ground, round(ratio, 2))
    assert found  # the scan sees them
