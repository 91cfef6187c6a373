"""Spending: the daily budget bar, today / 7 days / all-time totals, and estimate against actual
for every job that was sent.

The panel takes plain values (today's spend and the budget, totals, jobs); the verdict and the
words come from :mod:`gui.studio.spending`, the same rules the engine applies before sending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.runware.catalog import Catalog, default_catalog
from gui.studio.jobs import Job, prompt_excerpt
from gui.studio.spending import (
    BudgetLevel,
    BudgetState,
    JobSpend,
    balance_text,
    budget_state,
    format_money,
    job_spend_rows,
)
from gui.ui.theme import legible

__all__ = ["BAR_COLOURS", "JobSpendModel", "SpendingPanel", "Totals"]

BAR_COLOURS = {
    BudgetLevel.OK: "#3a9d5d",
    BudgetLevel.WARN: "#d99a1e",
    BudgetLevel.REFUSE: "#c8443a",
    BudgetLevel.NONE: "#8a8a8a",
}
_TEXT_COLOURS = {BudgetLevel.WARN: "#8a5a00", BudgetLevel.REFUSE: "#b3261e"}  # readable on light
_Index = QModelIndex | QPersistentModelIndex


class Totals(Protocol):
    """Anything with the three sums: the journal's ``Spend`` or ``spending.SpendTotals``."""

    @property
    def today(self) -> float | Decimal: ...
    @property
    def last_7_days(self) -> float | Decimal: ...
    @property
    def all_time(self) -> float | Decimal: ...


class JobSpendModel(QAbstractTableModel):
    """One row per sent job: what it was expected to cost and what it cost."""

    HEADERS = ("Prompt", "Model", "Estimate", "Actual", "Difference", "State", "Sent")
    JobIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, catalog: Catalog, currency: str = "USD", parent: QObject | None = None):
        super().__init__(parent)
        self.catalog, self.currency = catalog, currency
        self.rows: list[JobSpend] = []

    def set_jobs(self, jobs: Iterable[Job]) -> None:
        self.beginResetModel()
        self.rows = job_spend_rows(jobs)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation is Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == self.JobIdRole:
            return row.job_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return row.prompt
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and row.difference:
            colour = QColor("#c8443a") if row.difference > 0 else QColor("#3a9d5d")
            return legible(colour, QGuiApplication.palette())
        return None

    def _text(self, row: JobSpend, column: int) -> str:
        def money(value: Decimal | None) -> str:
            return "—" if value is None else format_money(value, self.currency)

        if column == 0:
            return prompt_excerpt(row.prompt, 60)
        if column == 1:
            spec = self.catalog.get(row.model)
            return spec.name if spec else row.model
        if column == 2:
            return money(row.estimate)
        if column == 3:
            return money(row.actual)
        if column == 4:
            diff = row.difference
            return "—" if diff is None else ("+" if diff > 0 else "") + money(diff)
        if column == 5:
            return row.state.value.capitalize()
        return dt.datetime.fromtimestamp(row.created_at).strftime("%d %b %H:%M")


class SpendingPanel(QWidget):
    """Budget bar, totals and the per-job table. ``job_selected(job_id)`` on a double-click."""

    job_selected = Signal(str)

    def __init__(
        self, catalog: Catalog | None = None, currency: str = "USD", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.currency = currency
        self.state: BudgetState = budget_state(0, None, currency=currency)
        self._styled: tuple[BudgetLevel, int] | None = None  # what _style_level last applied
        self.jobs_model = JobSpendModel(catalog or default_catalog(), currency, self)
        self._build()
        self.set_budget(0, None)

    def _build(self) -> None:
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.bar.setMinimumHeight(22)
        self.budget_label = QLabel(self)
        self.budget_label.setWordWrap(True)
        self.balance_label = QLabel(balance_text(None), self)
        self.today_label, self.week_label, self.all_label = QLabel(), QLabel(), QLabel()
        totals = QGridLayout()
        for column, (caption, label) in enumerate(
            (
                ("Today", self.today_label),
                ("Past 7 days", self.week_label),
                ("All time", self.all_label),
            )
        ):
            label.setObjectName("SpendTotal")
            font = label.font()
            font.setPointSizeF(font.pointSizeF() * 1.5)
            font.setBold(True)
            label.setFont(font)
            totals.addWidget(QLabel(caption), 0, column)
            totals.addWidget(label, 1, column)
        totals.addWidget(self.balance_label, 1, 3, Qt.AlignmentFlag.AlignRight)
        self.table = QTableView(self)
        self.table.setModel(self.jobs_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(JobSpendModel.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self._on_double_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.bar)
        layout.addWidget(self.budget_label)
        layout.addLayout(totals)
        layout.addWidget(self.table, 1)
        self.set_totals(None)

    # ---- public
    def set_budget(self, spent_today: float, daily_budget: float | None) -> BudgetState:
        """Today's spend against the budget (wire to the engine's ``spend_changed``)."""
        state = budget_state(spent_today, daily_budget, currency=self.currency)
        self.set_budget_state(state)
        return state

    def set_budget_state(self, state: BudgetState) -> None:
        self.state = state
        fraction = state.fraction
        self.bar.setVisible(fraction is not None)
        if fraction is not None and state.budget is not None:
            self.bar.setValue(round(min(fraction, 1.0) * 1000))
            percent = round(fraction * 100)
            self.bar.setFormat(
                f"{format_money(state.spent, self.currency)} of "
                f"{format_money(state.budget, self.currency)} today ({percent} %)"
            )
        self.budget_label.setText(state.message)
        self._style_level(state.level)

    def _style_level(self, level: BudgetLevel) -> None:
        """The bar's and the message's colours for ``level``; a style sheet is parsed and the
        widget restyled only when the level (or the palette) changed, not on every spend."""
        key = (level, self.palette().color(QPalette.ColorRole.Window).rgba())
        if key == self._styled:
            return
        self._styled = key
        self.bar.setStyleSheet(
            f"QProgressBar {{ border: 1px solid #9a9a9a; border-radius: 4px; text-align: center; }}"
            f"QProgressBar::chunk {{ background: {BAR_COLOURS[level]}; border-radius: 3px; }}"
        )
        self.bar.setProperty("level", level.value)
        text_colour = _TEXT_COLOURS.get(level)
        self.budget_label.setStyleSheet(
            f"color: {legible(QColor(text_colour), self.palette()).name()}; font-weight: bold;"
            if text_colour
            else ""
        )

    @property
    def budget_level(self) -> BudgetLevel:
        return self.state.level

    def set_totals(self, totals: Totals | None) -> None:
        """Today / past 7 days / all time (the journal's ``spend()`` answer)."""
        for label, value in (
            (self.today_label, totals.today if totals else None),
            (self.week_label, totals.last_7_days if totals else None),
            (self.all_label, totals.all_time if totals else None),
        ):
            label.setText("—" if value is None else format_money(value, self.currency))

    def set_jobs(self, jobs: Iterable[Job]) -> None:
        self.jobs_model.set_jobs(jobs)

    def set_balance(self, amount: float | None, currency: str = "USD") -> None:
        self.balance_label.setText(balance_text(amount, currency))

    def _on_double_clicked(self, index: QModelIndex) -> None:
        job_id = index.data(JobSpendModel.JobIdRole)
        if job_id:
            self.job_selected.emit(job_id)
