"""Hold the last picture at the end of a clip instead of going black.

At the end of media Qt's FFmpeg backend sends one invalid frame to the video sink, and a
``QVideoWidget`` paints an invalid frame black. :class:`FrameHold` keeps the last valid frame
and puts it back on the sink when the invalid one arrives, so the end of a clip shows its last
picture (measured: with it the sink's frame at EndOfMedia is the clip's last, without it it is
invalid and the widget black). Call :meth:`forget` before the source changes, so the previous
clip's picture is not put back when the new source starts.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtMultimedia import QVideoFrame, QVideoSink

__all__ = ["FrameHold"]


class FrameHold(QObject):
    def __init__(self, sink: QVideoSink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sink = sink
        self.frame: QVideoFrame | None = None
        sink.videoFrameChanged.connect(self._on_frame)

    def forget(self) -> None:
        self.frame = None

    def _on_frame(self, frame: QVideoFrame) -> None:
        if frame.isValid():
            self.frame = frame
        elif self.frame is not None:
            self.sink.setVideoFrame(self.frame)
