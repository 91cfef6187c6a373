"""Frame images: dropped, pasted, chosen or fetched; checked; fitted; refused with reasons."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from gui.runware.errors import InputFileError
from gui.runware.images import check_image, fitted_png, frame_rules, source_rules
from tests.ui.compose.conftest import activate, frames_checked, write_png
from tests.ui.dragdrop import drop_files, drop_mime


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_dropped_png_is_shown_and_sent_with_its_hash(qtbot, make_panel, png_16x9: Path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("the shot continues")
    zone = panel.zones["first"]
    assert drop_files(zone, [png_16x9])
    assert "being checked" in zone.waiting_problem().message  # on the worker, even this small one
    frames_checked(qtbot, zone)
    assert zone.preview.image is not None and not zone.preview.image.isNull()
    assert zone.remove_button.isVisibleTo(panel)
    assert zone.message_text() == "wide shot.png · 1280×720"
    spec = panel.spec()
    assert spec is not None and len(spec.frames) == 1
    frame = spec.frames[0]
    assert (frame.frame, frame.path, frame.sha256) == ("first", str(png_16x9), _sha(png_16x9))


def _refusal(path: Path, model) -> str:  # type: ignore[no-untyped-def]
    """check_image's own words for this file under the model's rules (as the CLI checks it)."""
    with pytest.raises(InputFileError) as refused:
        check_image(path, source_rules(frame_rules(model)))
    return str(refused.value.args[0])


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("text", "notes.txt is not an image"),
        ("empty", "empty.png is empty (0 bytes)"),
        ("truncated", "truncated.png is damaged or truncated"),
        ("svg", "drawing.svg is an SVG drawing"),
    ],
)
def test_refused_files_say_why_and_add_no_frame(qtbot, make_panel, bad_files, kind, words) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a harbour at dawn")
    zone = panel.zones["first"]
    assert drop_files(zone, [bad_files[kind]])
    frames_checked(qtbot, zone)
    assert zone.message_text() == _refusal(bad_files[kind], panel.current_model())
    assert words in zone.message_text()
    assert zone.message.property("tone") == "error"
    assert zone.preview.image is None
    spec = panel.spec()
    assert spec is not None and spec.frames == ()


def test_a_refused_file_keeps_the_good_image_before_it(
    qtbot, make_panel, png_16x9, bad_files
) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a harbour at dawn")
    zone = panel.zones["first"]
    drop_files(zone, [png_16x9])
    frames_checked(qtbot, zone)
    drop_files(zone, [bad_files["svg"]])
    frames_checked(qtbot, zone)
    assert "SVG" in zone.message_text()
    assert panel.spec().frames[0].sha256 == _sha(png_16x9)


def test_oversized_file_is_refused_off_the_ui_thread(qtbot, make_panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    big = tmp_path / "huge.png"
    with big.open("wb") as handle:
        handle.truncate(22_000_000)  # sparse: quick to make, over the 20 MiB limit
    zone = panel.zones["first"]
    drop_files(zone, [big])
    assert zone.waiting_problem() is not None  # being checked on a worker thread
    expected = _refusal(big, panel.current_model())
    assert "huge.png is" in expected and "MB" in expected
    qtbot.waitUntil(lambda: zone.message_text() == expected, timeout=3000)
    assert zone.frame_input() is None and zone.waiting_problem() is None


def test_an_image_smaller_than_the_model_takes_is_refused_as_the_cli_refuses_it(  # type: ignore[no-untyped-def]
    qtbot, make_panel, png_16x9, tmp_path
) -> None:
    # The model's own limits decide, in the window as in the CLI (tests/studio/test_cli.py):
    # a 10×10 picture is not cropped (really upscaled 128×) but refused with the same words.
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a harbour at dawn")
    zone = panel.zones["first"]
    drop_files(zone, [png_16x9])
    frames_checked(qtbot, zone)
    tiny = write_png(tmp_path / "tiny.png", 10, 10)
    assert drop_files(zone, [tiny])
    frames_checked(qtbot, zone)
    assert zone.message_text() == "tiny.png is 10×10 px; each side must be 300–16384 px."
    assert zone.message_text() == _refusal(tiny, panel.current_model())
    assert zone.message.property("tone") == "error"
    assert panel.spec().frames[0].sha256 == _sha(png_16x9)  # the good image before it stays


def test_big_image_is_checked_on_a_worker_and_large_sides_are_fine(  # type: ignore[no-untyped-def]
    qtbot, make_panel, tmp_path
) -> None:
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a wide valley")
    image = write_png(tmp_path / "large.png", 3840, 2160)  # beyond max_side: scaled later, fine
    zone = panel.zones["first"]
    drop_files(zone, [image])
    assert panel.spec() is None and "being checked" in panel.problems()[0].message
    assert not panel.generate_bar.button.isEnabled()
    qtbot.waitUntil(lambda: zone.frame_input() is not None, timeout=3000)
    assert panel.spec().frames[0].sha256 == _sha(image)


def test_many_pixels_in_a_small_file_are_decoded_on_the_worker(  # type: ignore[no-untyped-def]
    qtbot, make_panel, tmp_path
) -> None:
    # 3000×2000 of one colour is a few kB of PNG but 6 MP to decode: not on the GUI thread
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a wide valley")
    image = write_png(tmp_path / "flat.png", 3000, 2000)
    assert image.stat().st_size < 100_000
    zone = panel.zones["first"]
    drop_files(zone, [image])
    assert panel.spec() is None and "being checked" in panel.problems()[0].message
    qtbot.waitUntil(lambda: zone.facts is not None, timeout=10000)


def test_a_big_image_of_another_shape_is_checked_previewed_and_cropped_from_one_decode(  # type: ignore[no-untyped-def]
    qtbot, make_panel, tmp_path, monkeypatch
) -> None:
    # 3000×2000 of one colour: a few kB but 6 MP, so the worker checks it; 3:2, so it is
    # cropped to 16:9. One decode serves the check, the preview and the crop (there were four)
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a wide valley")
    image = write_png(tmp_path / "flat.png", 3000, 2000, "orange")
    decodes = _count_decodes(monkeypatch)
    zone = panel.zones["first"]
    drop_files(zone, [image])
    qtbot.waitUntil(lambda: panel.spec() is not None, timeout=10000)
    assert decodes == ["PNG"]
    assert zone.message_text() == "3000×2000 image: cropped to fit 1280×720."
    preview = zone.preview.image
    assert preview is not None and (preview.width(), preview.height()) == (720, 480)
    assert preview.pixelColor(360, 240).name() == "#ffa500"  # orange
    frame = panel.spec().frames[0]
    assert Path(frame.path).parent == tmp_path / "frame-cache"
    assert frame.sha256 == _sha(Path(frame.path))
    rules = frame_rules(panel.current_model())
    assert Path(frame.path).read_bytes() == fitted_png(image, 1280, 720, "crop", rules)


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every decode of an image file's pixels by Pillow from now on, on any thread."""
    decodes: list[str] = []
    real_load = ImageFile.ImageFile.load

    def counting_load(self: ImageFile.ImageFile) -> object:
        if self.tile:  # pixels still to read: a decode
            decodes.append(self.format or "?")
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return decodes


def test_other_aspect_is_fitted_by_crop_or_pad(qtbot, make_panel, png_square, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("orange world")
    zone = panel.zones["first"]
    drop_files(zone, [png_square])
    frames_checked(qtbot, zone)
    assert zone.message_text() == "800×800 image: cropped to fit 1280×720."
    assert zone.message.property("tone") == "warning"
    qtbot.waitUntil(lambda: panel.spec() is not None, timeout=3000)
    cropped = panel.spec().frames[0]
    assert Path(cropped.path).parent == tmp_path / "frame-cache"
    assert cropped.sha256 == _sha(Path(cropped.path))
    with Image.open(cropped.path) as img:
        assert img.size == (1280, 720)
        assert img.getpixel((0, 0)) == Image.new("RGB", (1, 1), "orange").getpixel((0, 0))
    # the engine's and the CLI's fitting, byte for byte: one implementation
    rules = frame_rules(panel.current_model())
    assert Path(cropped.path).read_bytes() == fitted_png(png_square, 1280, 720, "crop", rules)

    zone.fit_box.setCurrentIndex(zone.fit_box.findData("pad"))
    assert "padded with black bars" in zone.message_text()
    qtbot.waitUntil(lambda: panel.spec() is not None, timeout=3000)
    padded = panel.spec().frames[0]
    assert padded.sha256 != cropped.sha256
    with Image.open(padded.path) as img:
        assert img.size == (1280, 720) and img.getpixel((0, 0)) == (0, 0, 0)

    panel.video.size_picker.button_for("720×1280").click()  # a new shape: fitted again
    qtbot.waitUntil(lambda: panel.spec() is not None, timeout=3000)
    with Image.open(panel.spec().frames[0].path) as img:
        assert img.size == (720, 1280)
    assert panel.values()["frames"] == {"first": {"path": str(png_square), "fit": "pad"}}


def test_matching_aspect_at_a_smaller_size_warns_of_upscaling(qtbot, make_panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    small = write_png(tmp_path / "small.png", 640, 360)
    drop_files(panel.zones["first"], [small])
    frames_checked(qtbot, panel.zones["first"])
    assert "scaled up to 1280×720" in panel.zones["first"].message_text()


def test_delete_key_and_remove_button_take_the_image_away(qtbot, make_panel, png_16x9) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a kite")
    zone = panel.zones["first"]
    drop_files(zone, [png_16x9])
    frames_checked(qtbot, zone)
    assert zone.frame_input() is not None
    QTest.keyClick(zone, Qt.Key.Key_Delete)
    assert zone.frame_input() is None and panel.spec().frames == ()
    drop_files(zone, [png_16x9])
    frames_checked(qtbot, zone)
    QTest.mouseClick(zone.remove_button, Qt.MouseButton.LeftButton)
    assert zone.frame_input() is None and zone.preview.image is None


def test_dropped_image_address_is_handed_to_the_app(qtbot, make_panel, png_16x9) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a kite")
    zone = panel.zones["first"]
    mime = QMimeData()
    mime.setText("https://images.example.com/cat.png")
    with qtbot.waitSignal(panel.image_url_dropped, timeout=1000) as blocker:
        assert drop_mime(zone, mime)
    assert blocker.args == ["https://images.example.com/cat.png", "first"]
    assert zone.message_text() == "Fetching images.example.com…"
    assert not panel.generate_bar.button.isEnabled()
    assert "being fetched" in panel.generate_bar.reason.text()
    panel.set_frame_image(png_16x9, "first")  # the app fetched it
    frames_checked(qtbot, zone)
    assert panel.spec().frames[0].sha256 == _sha(png_16x9)


def test_failed_fetch_is_shown(qtbot, make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    mime = QMimeData()
    mime.setUrls([QUrl("https://images.example.com/gone.png")])
    drop_mime(panel.zones["first"], mime)
    panel.frame_fetch_failed("first", "The address answered 404 Not Found.")
    assert panel.zones["first"].message_text() == "The address answered 404 Not Found."
    assert panel.zones["first"].waiting_problem() is None


def test_a_pending_fetch_can_be_given_up(make_panel) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("a kite")
    zone = panel.zones["first"]
    mime = QMimeData()
    mime.setText("https://images.example.com/slow.png")
    drop_mime(zone, mime)
    assert not panel.generate_bar.button.isEnabled()
    assert zone.remove_button.isVisibleTo(panel)
    QTest.keyClick(zone, Qt.Key.Key_Delete)
    assert zone.waiting_problem() is None and zone.message_text() == ""
    assert panel.generate_bar.button.isEnabled()


def test_pasted_image_becomes_a_png_in_the_cache(qtbot, make_panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    panel.prompt.set_text("paste test")
    activate(panel)
    image = QImage(1280, 720, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(image)
    zone = panel.zones["first"]
    zone.setFocus()
    QTest.keyClick(zone, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    frames_checked(qtbot, zone)
    frame = panel.spec().frames[0]
    assert Path(frame.path).parent == tmp_path / "frame-cache"
    assert Path(frame.path).name.startswith("pasted-") and frame.path.endswith(".png")
    assert frame.sha256 == _sha(Path(frame.path))


def test_clicking_the_zone_opens_a_file_dialog(qtbot, make_panel, png_16x9, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def fake_dialog(parent, caption, directory, filters):  # type: ignore[no-untyped-def]
        asked.append(caption)
        return str(png_16x9), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_dialog))
    panel = make_panel("Sora 2")
    QTest.mouseClick(panel.zones["first"].preview, Qt.MouseButton.LeftButton)
    assert asked == ["Choose the first frame image"]
    frames_checked(qtbot, panel.zones["first"])
    assert panel.zones["first"].frame_input().sha256 == _sha(png_16x9)


def test_veo_takes_first_and_last_frames(qtbot, make_panel, png_16x9, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Veo 3.1 Fast")
    panel.prompt.set_text("from dawn to dusk")
    last = write_png(tmp_path / "dusk.png", 1280, 720, "navy")
    drop_files(panel.zones["first"], [png_16x9])
    drop_files(panel.zones["last"], [last])
    frames_checked(qtbot, *panel.zones.values())
    frames = panel.spec().frames
    assert [(f.frame, f.sha256) for f in frames] == [
        ("first", _sha(png_16x9)),
        ("last", _sha(last)),
    ]


def test_set_frame_image_refuses_a_frame_the_model_does_not_take(make_panel, png_16x9) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel("Sora 2")
    assert not panel.set_frame_image(png_16x9, "last")
    assert "does not take a last frame" in panel.note.text()
    assert panel.set_frame_image(png_16x9)
