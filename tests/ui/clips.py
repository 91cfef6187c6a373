"""Small real video files for player tests, written with PyAV: MP4/MOV (H.264+AAC), WEBM (VP9+Opus)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

_CODECS = {
    "mp4": ("libx264", "aac"),
    "mov": ("libx264", "aac"),
    "webm": ("libvpx-vp9", "libopus"),
}


def write_clip(
    path: Path, *, seconds: float = 2.0, fps: int = 30, width: int = 160, height: int = 96
) -> Path:
    """A clip whose frame n has a brightness that grows with n, plus a quiet tone."""
    video_codec, audio_codec = _CODECS[path.suffix.lstrip(".").lower()]
    frames = round(seconds * fps)
    with av.open(str(path), "w") as out:
        video = out.add_stream(video_codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.time_base = Fraction(1, fps)
        if video_codec == "libx264":
            video.options = {"preset": "ultrafast", "crf": "30", "g": str(fps)}
        else:
            video.options = {"deadline": "realtime", "cpu-used": "8", "crf": "40", "b": "0"}
        rate = 48_000
        audio = out.add_stream(audio_codec, rate=rate)
        audio.layout = "stereo"
        for n in range(frames):
            level = int(20 + 200 * n / max(1, frames - 1))
            rgb = np.full((height, width, 3), level, dtype=np.uint8)
            rgb[:, : width // 4, 0] = 255
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = n
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        samples = int(seconds * rate)
        t = np.arange(samples) / rate
        tone = (0.05 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        chunk = 960
        for start in range(0, samples, chunk):
            block = tone[start : start + chunk]
            if len(block) < chunk:
                block = np.pad(block, (0, chunk - len(block)))
            stereo = np.vstack([block, block])
            aframe = av.AudioFrame.from_ndarray(stereo, format="fltp", layout="stereo")
            aframe.sample_rate = rate
            aframe.pts = start
            for packet in audio.encode(aframe):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
    return path
