"""The baseline: a bare PySide6 QMainWindow, the same size as the studio's, nothing else.

python -m tests.benchmarks.bare_window paint   # prints "first-paint <monotonic>", exits
python -m tests.benchmarks.bare_window rss     # prints "rss-mb <VmRSS>" after the first paint
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "paint"
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1440, 900)

    def after_paint() -> None:
        if mode == "rss":
            QApplication.processEvents()
            from tests.benchmarks.common import vm_rss_mb

            print(f"rss-mb {vm_rss_mb():.2f}", flush=True)
        app.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                print(f"first-paint {time.monotonic():.6f} {time.process_time():.4f}", flush=True)
                QTimer.singleShot(0, after_paint)
            return False

    probe = FirstPaint(window)
    window.installEventFilter(probe)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
