"""Texts a list paints over and over: cut, elided and laid out once, drawn as plain text."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication

from gui.ui.text_cache import ELLIPSIS, TextCache, cut_to_fit

LONG = " ".join(f"a lighthouse at dusk number {n}, waves rolling in" for n in range(60))


def test_a_long_text_is_cut_far_past_what_can_show() -> None:
    cut = cut_to_fit(LONG, 300)
    assert len(LONG) > 2000
    assert cut.endswith(ELLIPSIS) and LONG.startswith(cut[:-1])
    assert len(cut) <= 300 // 2 + 1
    assert cut_to_fit("short", 300) == "short"


def test_eliding_the_cut_text_shows_what_eliding_the_whole_one_did(qapp: QApplication) -> None:
    font = QFont(qapp.font())
    cache, metrics = TextCache(font), QFontMetrics(font)
    for width in (40, 120, 300, 700):
        whole = metrics.elidedText(LONG, Qt.TextElideMode.ElideRight, width)
        assert cache.elided(LONG, width) == whole, width
    assert cache.elided("fits", 300) == "fits"


def test_zero_width_marks_still_end_in_an_ellipsis(qapp: QApplication) -> None:
    """A text of combining marks is narrower than the cut assumes: what shows is still a
    prefix of it, and it says that it goes on."""
    marks = "e" + "\u0301" * 4000
    shown = TextCache(QFont(qapp.font())).elided(marks, 200)
    assert shown.endswith(ELLIPSIS)
    assert marks.startswith(shown[:-1])


def test_a_prompt_that_looks_like_markup_is_laid_out_as_plain_text(qapp: QApplication) -> None:
    font = QFont(qapp.font())
    text = "<b>bold</b> <i>and</i> <u>under</u>"
    static = TextCache(font).static(text)
    assert static.textFormat() is Qt.TextFormat.PlainText
    # rich text would show "bold and under", narrower than the literal tags
    assert abs(static.size().width() - QFontMetrics(font).horizontalAdvance(text)) <= 1


def _ink_rows(image: QImage, background: QColor) -> list[int]:
    return [
        y
        for y in range(image.height())
        if any(image.pixelColor(x, y) != background for x in range(image.width()))
    ]


def test_draw_and_stamp_put_the_same_text_in_the_same_place(qapp: QApplication) -> None:
    """A stamp (a pixmap of the text, copied) lands where drawing the text would."""
    cache = TextCache(QFont(qapp.font()))
    background = QColor("#202020")
    images = []
    for how in ("draw", "stamp"):
        image = QImage(220, 40, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(background)
        painter = QPainter(image)
        painter.setPen(QColor("#f0f0f0"))
        for align, box in (("left", QRect(4, 2, 200, 16)), ("right", QRect(4, 20, 200, 18))):
            if how == "draw":
                cache.draw(painter, box, align, "Sora 2 · 1280×720 · 4 s")  # type: ignore[arg-type]
            else:
                cache.stamp(painter, box, align, "Sora 2 · 1280×720 · 4 s", QColor("#f0f0f0"))  # type: ignore[arg-type]
        painter.end()
        images.append(image)
    drawn, stamped = images
    assert _ink_rows(drawn, background), "nothing was drawn"
    assert _ink_rows(stamped, background) == _ink_rows(drawn, background)
    for y in (10, 29):
        cols = [
            [x for x in range(im.width()) if im.pixelColor(x, y) != background] for im in images
        ]
        assert cols[0] and cols[1]
        assert abs(cols[0][0] - cols[1][0]) <= 1 and abs(cols[0][-1] - cols[1][-1]) <= 1
