"""The status bar: which backend, the balance, today's spend, and the state of the connection.

Connection trouble is shown here, with a countdown to the next try, and nowhere modal.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QLabel, QStatusBar, QWidget

from gui.ui.enum_keys import set_by_keys

# gui.studio.spending is imported where it is used: the bar is in the window's first paint,
# which comes before the studio's modules (pydantic, the catalogue) are loaded

__all__ = ["SPEND_REFRESH_MS", "StudioStatusBar"]

# Today's spend is shown at most this often while it keeps changing (a burst of 200 submits
# changes it after every journal flush; each new text relays out the bar and the window).
SPEND_REFRESH_MS = 250


def _chip(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    set_by_keys(label, "textInteractionFlags", "NoTextInteraction")
    label.setContentsMargins(6, 0, 6, 0)
    return label


class StudioStatusBar(QStatusBar):
    """Permanent fields on the right; transient messages on the left."""

    def __init__(self, parent: QWidget | None = None, *, clock: object = time.monotonic) -> None:
        super().__init__(parent)
        self._clock = clock
        self.backend_label = _chip(self, "BackendLabel")
        self.connection_label = _chip(self, "ConnectionLabel")
        self.balance_label = _chip(self, "BalanceLabel")
        self.spend_label = _chip(self, "SpendLabel")
        self._retry_at: float | None = None
        self._trouble = ""
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._show_connection)
        self._spend: tuple[float, float | None] | None = None  # the newest, maybe not shown yet
        self._spend_shown: tuple[float, float | None] | None = None
        self._spend_pause = QTimer(self)
        self._spend_pause.setSingleShot(True)
        self._spend_pause.setInterval(SPEND_REFRESH_MS)
        self._spend_pause.timeout.connect(self._spend_pause_over)
        # the properties the style sheet selects on, at their first values before the first
        # polish: set_backend and set_connection then have nothing to restyle
        self.backend_label.setProperty("sandbox", False)
        self.connection_label.setProperty("trouble", False)
        self.set_backend("Starting…", sandbox=False)
        self.set_connection(True, "", None)
        # what set_balance(None) and set_spend(0.0, None) show, written out: the bar is in the
        # first paint, before gui.studio.spending (and pydantic) is loaded
        self.balance_label.setText("Balance: unknown")
        self.spend_label.setText("Today $0.00")
        self.spend_label.setToolTip("Today $0.00. No daily budget is set.")
        self.spend_label.setProperty("level", "none")
        # laid out (and so polished) after their first state: no restyle before the first paint
        for i, label in enumerate(
            (self.connection_label, self.balance_label, self.spend_label, self.backend_label)
        ):
            if i:
                line = QFrame(self)
                line.setFrameShape(QFrame.Shape.VLine)
                line.setFrameShadow(QFrame.Shadow.Sunken)
                self.addPermanentWidget(line)
            self.addPermanentWidget(label)

    def set_backend(self, label: str, *, sandbox: bool) -> None:
        self.backend_label.setText(label)
        self._restyle(self.backend_label, "sandbox", sandbox)
        self.backend_label.setToolTip(
            "Synthetic videos from the offline sandbox; nothing is billed."
            if sandbox
            else "Connected to Runware; generations are billed to your account."
        )

    def set_connection(self, ok: bool, message: str, retry_in: float | None) -> None:
        self._trouble = "" if ok else (message or "Connection lost")
        self._retry_at = None if ok or retry_in is None else self._now() + retry_in
        if self._retry_at is not None:
            self._countdown.start()
        else:
            self._countdown.stop()
        self._show_connection()

    def set_balance(self, amount: float | None, currency: str) -> None:
        from gui.studio.spending import balance_text

        self.balance_label.setText(balance_text(amount, currency))

    def set_spend(self, today: float, budget: float | None) -> None:
        """Show today's spend: at once, then at most every :data:`SPEND_REFRESH_MS` while it
        keeps changing (the newest figures always end up shown)."""
        self._spend = (today, budget)
        if not self._spend_pause.isActive():
            self._show_spend()

    def _spend_pause_over(self) -> None:
        if self._spend != self._spend_shown:
            self._show_spend()

    def _show_spend(self) -> None:
        from gui.studio.spending import budget_state, format_money

        assert self._spend is not None
        self._spend_shown = today, budget = self._spend
        self._spend_pause.start()
        state = budget_state(today, budget)
        text = f"Today {format_money(today)}"
        if budget is not None:
            text += f" of {format_money(budget)}"
        self.spend_label.setText(text)
        self.spend_label.setToolTip(state.message)
        self._restyle(self.spend_label, "level", str(state.level))

    @property
    def connection_text(self) -> str:
        return self.connection_label.text()

    def _show_connection(self) -> None:
        if not self._trouble:
            self.connection_label.setText("● Connected")
            self._restyle(self.connection_label, "trouble", False)
        else:
            text = f"● {self._trouble}"
            if self._retry_at is not None:
                left = max(0, round(self._retry_at - self._now()))
                text += f" — retrying in {left} s" if left else " — retrying…"
                if not left:
                    self._countdown.stop()
            self.connection_label.setText(text)
            self._restyle(self.connection_label, "trouble", True)

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    @staticmethod
    def _restyle(widget: QWidget, name: str, value: object) -> None:
        """Set a property the style sheet selects on; repolish only when it changed (a
        repolish recomputes the widget's style: a spend announced 100 times in a burst of
        submits would otherwise restyle the label 100 times)."""
        if widget.property(name) == value:
            return
        from PySide6.QtCore import Qt  # not before the first paint: see gui.ui.enum_keys

        widget.setProperty(name, value)
        if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):  # else its first polish
            style = widget.style()  # reads it (the bar is built before the first paint, and
            style.unpolish(widget)  # a QStyle reaching Python builds its enums: ~10 ms)
            style.polish(widget)
