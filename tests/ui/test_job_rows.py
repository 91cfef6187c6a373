"""How job rows look: the separator, state chips, and what many rows share is drawn once."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPalette

from gui.runware.catalog import default_catalog
from gui.studio.jobs import JobState
from gui.ui.jobs.delegate import ROW_HEIGHT, JobDelegate
from gui.ui.jobs.model import JobListModel
from gui.ui.jobs.panel import JobsPanel
from tests.ui.jobfactory import make_job, make_jobs_panel
from tests.ui.settle import settle


def _panel(qtbot, jobs) -> JobsPanel:  # type: ignore[no-untyped-def]
    panel = make_jobs_panel(qtbot, jobs)
    qtbot.waitExposed(panel)
    return panel


def _delegate(panel: JobsPanel) -> JobDelegate:
    delegate = panel.view.itemDelegate()
    assert isinstance(delegate, JobDelegate)
    return delegate


def _shot(panel: JobsPanel) -> QImage:
    return panel.view.viewport().grab().toImage()


def _area(image: QImage, x: int, y: int, w: int, h: int) -> list[int]:
    return [image.pixel(x + i, y + j) for j in range(h) for i in range(w)]


def test_rows_in_one_state_share_their_chip_and_placeholder(qtbot) -> None:  # type: ignore[no-untyped-def]
    jobs = [make_job(JobState.FAILED) for _ in range(12)]
    panel = _panel(qtbot, jobs)
    delegate = _delegate(panel)
    _shot(panel)
    made = delegate.sprites_made
    assert 1 <= made <= 2  # the "Failed" chip and the placeholder, for all the rows on screen
    image = _shot(panel)
    assert delegate.sprites_made == made  # a second paint copies them
    # two rows in the same state show the same chip, pixel for pixel
    first, second = (panel.view.visualRect(panel.proxy.index(i, 0)) for i in (0, 1))
    chip_x = first.right() - 130
    assert _area(image, chip_x, first.top() + 8, 120, 20) == _area(
        image, chip_x, second.top() + 8, 120, 20
    )


def test_a_state_has_its_own_chip_and_a_new_palette_redraws_them(qtbot) -> None:  # type: ignore[no-untyped-def]
    jobs = [make_job(JobState.FAILED), make_job(JobState.CANCELLED)]
    panel = _panel(qtbot, jobs)
    image = _shot(panel)
    newest, older = (panel.view.visualRect(panel.proxy.index(i, 0)) for i in (0, 1))
    chip_x = newest.right() - 130
    assert _area(image, chip_x, newest.top() + 8, 120, 20) != _area(
        image, chip_x, older.top() + 8, 120, 20
    )
    delegate = _delegate(panel)
    made = delegate.sprites_made
    palette = QPalette(panel.view.palette())
    palette.setColor(QPalette.ColorRole.Text, QColor("#ff00ff"))
    panel.view.setPalette(palette)
    settle(lambda: delegate.sprites_made)
    _shot(panel)
    assert delegate.sprites_made > made


def test_each_row_ends_in_a_one_pixel_separator(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, [make_job(JobState.FAILED) for _ in range(3)])
    image = _shot(panel)
    base = image.pixel(2, ROW_HEIGHT - 3)  # the row's margin, left of the thumbnail
    for row in range(2):
        rect = panel.view.visualRect(panel.proxy.index(row, 0))
        assert rect.height() == ROW_HEIGHT
        assert image.pixel(2, rect.bottom()) != base
        assert image.pixel(2, rect.bottom() - 1) == base
        assert image.pixel(2, rect.bottom() + 2) == base


def test_the_prompt_is_drawn_in_its_row(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, [make_job(JobState.FAILED, prompt="W" * 40)])
    image = _shot(panel)
    rect = panel.view.visualRect(panel.proxy.index(0, 0))
    text_x = rect.left() + 8 + 96 + 10
    base = image.pixel(2, rect.top() + 20)
    prompt_band = _area(image, text_x, rect.top() + 6, 60, 14)
    assert sum(1 for p in prompt_band if p != base) > 60  # wide letters, many inked pixels


def test_a_new_job_s_texts_are_drawn_when_it_comes_in_and_copied_at_its_paint(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A burst's block of new rows repaints the list whole: the rows' prompts are drawn as
    their jobs come in (one at a time), so that repaint only copies them."""
    panel = _panel(qtbot, [make_job(JobState.FAILED) for _ in range(3)])
    delegate = _delegate(panel)
    _shot(panel)  # a first paint: fonts, colours and widths are known from it
    fonts = delegate._fonts_for(panel.view.font())
    prompts_before = fonts.title.stamps_made
    newcomers = [make_job(JobState.QUEUED, prompt=f"A newcomer, number {n}") for n in range(4)]
    for job in newcomers:
        panel._model.queue_job(job)
    assert fonts.title.stamps_made == prompts_before + 4  # drawn as they came in
    qtbot.waitUntil(lambda: panel._model.rowCount() == 7)
    _shot(panel)
    assert fonts.title.stamps_made == prompts_before + 4  # the repaint copied them


def test_new_rows_repaint_the_list_and_its_scroll_bar_not_the_dock_beneath(  # type: ignore[no-untyped-def]
    qtbot, app_theme
) -> None:
    """A burst's blocks change the list's rows and its scroll bar's range: in the app's theme
    and dock, the list's viewport and the bar repaint, the dock and the panel beneath do not."""
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from gui.ui.theme import install_theme

    class Paints(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.seen.append(type(watched).__name__)
            return False

    install_theme(app_theme)
    model = JobListModel(default_catalog())
    model.set_jobs([make_job(JobState.FAILED) for _ in range(20)])
    panel = JobsPanel(model, default_catalog())
    window, dock = QMainWindow(), QDockWidget("Jobs")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    spy = Paints()
    bar = panel.view.verticalScrollBar()
    for widget in (dock, panel, panel.view, bar):
        widget.installEventFilter(spy)
    settle(lambda: len(spy.seen))
    spy.seen.clear()
    before = bar.maximum()
    model.add_jobs([make_job(JobState.FAILED) for _ in range(10)])
    qtbot.waitUntil(lambda: bar.maximum() > before and "QScrollBar" in spy.seen)
    settle(lambda: len(spy.seen))
    assert not {"QDockWidget", "JobsPanel", "JobListView"} & set(spy.seen), spy.seen
