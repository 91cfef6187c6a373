"""The moving picture of a synthetic video, built straight in YUV 4:2:0 so no colour conversion
runs per frame.

Everything that is the same on every frame (background, text, shape sprites) is computed once;
a frame is the background copied into a reusable buffer, shapes blitted by slicing, and small
pre-blended text patches laid on top. Colours, shapes and paths come from a hash of the prompt
and seed, so two prompts or two seeds never look alike.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["Look", "Picture", "fit_image", "look_for", "rgb_to_yuv420"]

MARK = "SANDBOX · synthetic"

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Look:
    """Colours and motion derived from a hash; a remix reuses its source's look with a tint."""

    palette: tuple[RGB, ...]
    seed: int


def look_for(prompt: str, seed: int, tint: RGB | None = None) -> Look:
    digest = hashlib.sha256(f"{seed}\x00{prompt}".encode()).digest()
    base_hue = digest[0] / 255
    colours: list[RGB] = []
    for i in range(5):
        hue = (base_hue + i * 0.17 + digest[i + 1] / 2550) % 1.0
        sat = 0.45 + digest[i + 6] / 600
        val = 0.35 + 0.5 * (i % 2) + digest[i + 11] / 2550
        r, g, b = colorsys.hsv_to_rgb(hue, min(sat, 1.0), min(val, 1.0))
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    if tint is not None:
        colours = [
            (
                (c[0] * 3 + tint[0] * 2) // 5,
                (c[1] * 3 + tint[1] * 2) // 5,
                (c[2] * 3 + tint[2] * 2) // 5,
            )
            for c in colours
        ]
    return Look(palette=tuple(colours), seed=int.from_bytes(digest[16:24], "big"))


def rgb_to_yuv420(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BT.601 limited-range conversion (what untagged video is read as) with 2×2 chroma."""
    f = rgb.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    h, w = y.shape
    u = u.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    v = v.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    return _byte(y), _byte(u), _byte(v)


def _byte(plane: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.clip(plane + 0.5, 0, 255).astype(np.uint8)
    return out


def fit_image(path: str | Path, width: int, height: int) -> np.ndarray:
    """An image scaled to cover width×height and centre-cropped, as RGB uint8."""
    with Image.open(path) as opened:
        rgb = opened.convert("RGB")
    scale = max(width / rgb.width, height / rgb.height)
    size = (max(width, round(rgb.width * scale)), max(height, round(rgb.height * scale)))
    scaled = rgb.resize(size, Image.Resampling.BILINEAR)
    left, top = (scaled.width - width) // 2, (scaled.height - height) // 2
    return np.asarray(scaled.crop((left, top, left + width, top + height)), dtype=np.uint8)


def _gradient(width: int, height: int, top: RGB, bottom: RGB, accent: RGB) -> np.ndarray:
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    s = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
    a, b, c = (np.array(x, dtype=np.float32) for x in (top, bottom, accent))
    rgb = a * (1 - t) + b * t
    rgb = rgb * (1 - 0.25 * s) + c * (0.25 * s)
    return _byte(rgb - 0.5)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _headline(prompt: str, words: int = 6, limit: int = 42) -> str:
    text = " ".join(prompt.split()[:words])
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Patch:
    """A text block: where it goes and its pre-blended planes, for a quick per-frame blend."""

    y: int
    x: int
    planes: tuple[np.ndarray, np.ndarray, np.ndarray]  # premultiplied value * alpha (uint16)
    alphas: tuple[np.ndarray, np.ndarray]  # 255 - alpha, luma and chroma resolution (uint16)


@dataclass
class _Shape:
    size: int
    colour: tuple[int, int, int]  # Y, U, V
    mask: np.ndarray
    cmask: np.ndarray
    speed: tuple[float, float]
    phase: tuple[float, float]


class Picture:
    """Draws frame i of a video into a reusable I420 buffer."""

    def __init__(
        self,
        width: int,
        height: int,
        look: Look,
        prompt: str,
        *,
        first_image: np.ndarray | None = None,
        last_image: np.ndarray | None = None,
        badge: str | None = None,
    ) -> None:
        self.width, self.height = width, height
        self.buffer = np.empty((height * 3 // 2, width), dtype=np.uint8)
        self._planes = self._views(self.buffer)
        pal = look.palette
        bg_rgb = first_image if first_image is not None else _gradient(width, height, *pal[:3])
        self._background = rgb_to_yuv420(bg_rgb)
        self._first = self._background if first_image is not None else None
        self._last = rgb_to_yuv420(last_image) if last_image is not None else None
        rng = random.Random(look.seed)
        self._shapes = [self._shape(rng, pal[3 + (i % 2)], i) for i in range(4)]
        self._bar = rgb_to_yuv420(np.full((2, 2, 3), pal[4], dtype=np.uint8))
        self._patches = self._text_patches(prompt, badge)

    @staticmethod
    def _views(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        h = buf.shape[0] * 2 // 3
        w = buf.shape[1]
        y = buf[:h]
        u = buf[h : h + h // 4].reshape(h // 2, w // 2)
        v = buf[h + h // 4 :].reshape(h // 2, w // 2)
        return y, u, v

    def _shape(self, rng: random.Random, rgb: RGB, index: int) -> _Shape:
        size = 2 * (rng.randint(self.height // 14, self.height // 6) // 2)
        yy, xx = np.mgrid[0:size, 0:size]
        if index % 2 == 0:  # disc
            r = size / 2
            mask = (yy - r + 0.5) ** 2 + (xx - r + 0.5) ** 2 <= r * r
        else:  # rounded square, cheap to tell apart from the discs
            mask = np.ones((size, size), dtype=bool)
        colour_planes = rgb_to_yuv420(np.full((2, 2, 3), rgb, dtype=np.uint8))
        colour = tuple(int(p[0, 0]) for p in colour_planes)
        return _Shape(
            size=size,
            colour=colour,  # type: ignore[arg-type]
            mask=mask,
            cmask=mask[::2, ::2],
            speed=(rng.uniform(0.15, 0.6), rng.uniform(0.15, 0.6)),
            phase=(rng.uniform(0, math.tau), rng.uniform(0, math.tau)),
        )

    def _text_patches(self, prompt: str, badge: str | None) -> list[_Patch]:
        w, h = self.width, self.height
        big = max(18, h // 16)
        small = max(14, h // 30)
        blocks: list[tuple[str, int, str]] = [(_headline(prompt), big, "top-left")]
        blocks.append((MARK, small, "bottom-right"))
        if badge:
            blocks.append((badge, small, "top-right"))
        patches = []
        for text, size, where in blocks:
            font = _font(size)
            left, top, right, bottom = (int(v) for v in font.getbbox(text))
            pad = size // 3
            pw = min(w - 4, 2 * ((right - left + 2 * pad + 1) // 2))
            ph = 2 * ((bottom - top + 2 * pad + 1) // 2)
            img = Image.new("RGBA", (pw, ph), (0, 0, 0, 140))
            ImageDraw.Draw(img).text((pad - left, pad - top), text, font=font, fill="white")
            rgba = np.asarray(img, dtype=np.uint8)
            margin = 2 * (max(8, h // 40) // 2)
            x = margin if where.endswith("left") else w - pw - margin
            y = margin if where.startswith("top") else h - ph - margin - 12
            x = max(0, min(x, w - pw)) & ~1
            y = max(0, min(y, h - ph)) & ~1
            planes = rgb_to_yuv420(rgba[..., :3])
            alpha = rgba[..., 3].astype(np.uint16)
            calpha = alpha.reshape(ph // 2, 2, pw // 2, 2).mean(axis=(1, 3)).astype(np.uint16)
            pre = (
                planes[0].astype(np.uint16) * alpha,
                planes[1].astype(np.uint16) * calpha,
                planes[2].astype(np.uint16) * calpha,
            )
            patches.append(_Patch(y=y, x=x, planes=pre, alphas=(255 - alpha, 255 - calpha)))
        return patches

    def frame(self, index: int, count: int) -> np.ndarray:
        """Draw frame ``index`` of ``count`` and return the I420 buffer (reused each call)."""
        y, u, v = self._planes
        if index == 0 and self._first is not None:
            self._copy(self._first)
            return self.buffer
        if index == count - 1 and self._last is not None:
            self._copy(self._last)
            return self.buffer
        self._copy(self._background)
        fade_frames = max(1, count // 5)
        if self._last is not None and index >= count - 1 - fade_frames:
            k = (index - (count - 1 - fade_frames)) / fade_frames
            for dst, src in zip(self._planes, self._last, strict=True):
                np.copyto(dst, (dst * (1 - k) + src * k).astype(np.uint8))
        t = index / max(1, count - 1)
        for shape in self._shapes:
            span_x, span_y = self.width - shape.size, self.height - shape.size
            fx = 0.5 + 0.5 * math.sin(shape.phase[0] + t * math.tau * shape.speed[0] * 4)
            fy = 0.5 + 0.5 * math.sin(shape.phase[1] + t * math.tau * shape.speed[1] * 4)
            px, py = int(fx * span_x) & ~1, int(fy * span_y) & ~1
            s, cs = shape.size, shape.size // 2
            y[py : py + s, px : px + s][shape.mask] = shape.colour[0]
            u[py // 2 : py // 2 + cs, px // 2 : px // 2 + cs][shape.cmask] = shape.colour[1]
            v[py // 2 : py // 2 + cs, px // 2 : px // 2 + cs][shape.cmask] = shape.colour[2]
        bar = int(self.width * (index + 1) / count) & ~1
        y[self.height - 8 :, :bar] = self._bar[0][0, 0]
        u[self.height // 2 - 4 :, : bar // 2] = self._bar[1][0, 0]
        v[self.height // 2 - 4 :, : bar // 2] = self._bar[2][0, 0]
        for patch in self._patches:
            self._blend(patch)
        return self.buffer

    def _copy(self, planes: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        for dst, src in zip(self._planes, planes, strict=True):
            np.copyto(dst, src)

    def _blend(self, patch: _Patch) -> None:
        for i, dst in enumerate(self._planes):
            scale = 1 if i == 0 else 2
            pre = patch.planes[i]
            inv = patch.alphas[0 if i == 0 else 1]
            y0, x0 = patch.y // scale, patch.x // scale
            region = dst[y0 : y0 + pre.shape[0], x0 : x0 + pre.shape[1]]
            region[...] = ((region * inv + pre) // 255).astype(np.uint8)
