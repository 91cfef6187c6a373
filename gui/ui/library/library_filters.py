"""The row above the library grid: prompt search (debounced), filters and sort order."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog
from gui.ui.library.items import LibraryQuery, SortOrder, Status

__all__ = ["SEARCH_DELAY_MS", "LibraryFilterBar", "SearchFn"]

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
SearchFn = Callable[[str], Iterable[str]]

_DATES = [("Any time", None), ("Today", 0), ("Past 7 days", 6), ("Past 30 days", 29)]


class LibraryFilterBar(QWidget):
    """Says ``query_changed(LibraryQuery)`` whenever the search or a filter changes.

    ``search`` maps the typed text to matching job ids (the journal's full-text search);
    ``plain_search`` is used when there is none, or when it cannot parse what was typed.
    """

    query_changed = Signal(object)

    def __init__(
        self,
        catalog: Catalog,
        search: SearchFn | None,
        plain_search: SearchFn,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search, self._plain_search = search, plain_search
        self._matching: frozenset[str] | None = None
        self._build(catalog)
        self._wire()

    def _build(self, catalog: Catalog) -> None:
        self.search_box = QLineEdit(placeholderText="Search prompts…", clearButtonEnabled=True)
        self.search_box.setMinimumWidth(160)
        self.favourites_button = QToolButton()
        self.favourites_button.setText("★ Favourites")
        self.favourites_button.setCheckable(True)
        self.favourites_button.setToolTip("Show favourites only")
        self.model_filter = QComboBox()
        self.model_filter.addItem("All models", None)
        for spec in catalog:
            self.model_filter.addItem(spec.name, spec.air)
        self.status_filter = QComboBox()
        self.status_filter.addItem("Any state", None)
        for status in Status:
            self.status_filter.addItem(status.label, status)
        self.date_filter = QComboBox()
        for label, days in _DATES:
            self.date_filter.addItem(label, days)
        self.sort_box = QComboBox()
        for order in SortOrder:
            self.sort_box.addItem(order.label, order)
        self.count_label = QLabel()
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        for box in (self.model_filter, self.status_filter, self.date_filter, self.sort_box):
            # narrow enough to sit beside the family and spending panels
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(6)
        # two rows: the search (with the count and the view's buttons), then the filters
        self.top_row = QHBoxLayout()
        self.top_row.addWidget(self.search_box, 1)
        self.top_row.addWidget(self.count_label)
        filters = QHBoxLayout()
        for widget in (self.favourites_button, self.model_filter, self.status_filter):
            filters.addWidget(widget)
        filters.addWidget(self.date_filter)
        filters.addWidget(self.sort_box)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.top_row)
        layout.addLayout(filters)

    def add_trailing(self, widget: QWidget) -> None:
        """Put a widget (the view's buttons) at the end of the search row."""
        self.top_row.addWidget(widget)

    def _wire(self) -> None:
        self.search_box.textChanged.connect(self._timer.start)
        self._timer.timeout.connect(self.search_now)
        for box in (self.model_filter, self.status_filter, self.date_filter, self.sort_box):
            box.currentIndexChanged.connect(self._emit)
        self.favourites_button.toggled.connect(self._emit)

    # ---- public
    def set_search_text(self, text: str) -> None:
        """As if typed: the search runs after the usual short pause."""
        self.search_box.setText(text)

    def search_again(self) -> None:
        """New prompts arrived: run the current search once more, after the pause."""
        if self.search_box.text().strip():
            self._timer.start()

    def search_now(self) -> None:
        self._timer.stop()
        text = self.search_box.text().strip()
        if not text:
            self._matching = None
        else:
            try:
                self._matching = frozenset((self._search or self._plain_search)(text))
            except Exception as exc:  # e.g. text the full-text index cannot parse
                log.info("prompt search failed for %r: %s", text, exc)
                self._matching = frozenset(self._plain_search(text))
        self._emit()

    def add_models(self, airs: Iterable[str], name: Callable[[str], str]) -> None:
        """Offer models found in the jobs that the catalogue does not list (retired ones)."""
        known = {self.model_filter.itemData(i) for i in range(self.model_filter.count())}
        for air in airs:
            if air not in known:
                self.model_filter.addItem(name(air), air)

    def query(self) -> LibraryQuery:
        air = self.model_filter.currentData()
        days = self.date_filter.currentData()
        status = self.status_filter.currentData()
        since = None
        if days is not None:
            now = dt.datetime.now().astimezone()
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            since = (midnight - dt.timedelta(days=days)).timestamp()
        return LibraryQuery(
            matching_jobs=self._matching,
            models=frozenset({air}) if air else frozenset(),
            status=Status(status) if status else None,  # Qt hands an enum back as its str
            since=since,
            favourites_only=self.favourites_button.isChecked(),
            sort=SortOrder(self.sort_box.currentData() or SortOrder.NEWEST),
        )

    def _emit(self) -> None:
        self.query_changed.emit(self.query())
