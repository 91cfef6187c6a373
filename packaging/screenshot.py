"""Screenshots of Sora Studio for the README: ``python packaging/screenshot.py [--out docs/]``.

Starts a virtual X display (Xvfb, 1440×900) — or falls back to Qt's offscreen platform, where
video frames do not show — then the app on the offline sandbox with a temporary data folder.
It generates a few jobs (three prompts, one with two variations), waits until they are ready,
starts one more so a running job shows, plays a result, and writes the main window in the dark
and the light theme (``screenshot-main-dark.png``, ``screenshot-main-light.png``) and
``screenshot-settings.png`` into the output folder, then the rest in the dark theme (the
default): the model picker, the fullscreen player, and a three-shot board on the Storyboard tab
(``screenshot-storyboard.png``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1440, 900)


def start_xvfb() -> subprocess.Popen[bytes] | None:
    """An Xvfb server on a free display (it picks the number and tells us), or None."""
    if not shutil.which("Xvfb"):
        return None
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{SIZE[0]}x{SIZE[1]}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        return None
    os.environ["DISPLAY"] = f":{number}"
    return server


async def wait_for(condition: Any, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def generate(studio: Any, prompt: str, *, size: str, seconds: float, videos: int = 1) -> Any:
    """Fill the compose panel as a user would and press Generate; returns the new job."""
    compose, model = studio.compose, studio.window.jobs_model
    compose.video.size_picker.button_for(size).click()
    compose.video.duration.button_for(seconds).click()
    compose.video.variations.button_for(videos).click()
    compose.prompt.set_text(prompt)
    before = model.rowCount()
    compose.generate_bar.button.click()
    await wait_for(lambda: model.rowCount() == before + 1, 30, "the job to appear")
    return model.job_at(0)


def grab_window(window: Any, on_x: bool) -> Any:
    """What is on screen: an X capture shows video frames, a widget grab does not."""
    from PySide6.QtGui import QGuiApplication

    if on_x:
        frame = window.frameGeometry()
        screen = QGuiApplication.primaryScreen()
        return screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    return window.grab()


async def shoot(out: Path, on_x: bool) -> None:
    from PySide6.QtWidgets import QApplication

    from gui.app import LaunchOptions, Studio
    from gui.studio.jobs import JobState
    from gui.ui.theme import install_theme

    data = Path(tempfile.mkdtemp(prefix="sora-studio-shot-"))
    studio = Studio(
        LaunchOptions(sandbox=True, data_dir=data, sandbox_options={"processing_seconds": 2})
    )
    window = studio.window
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme = install_theme(app)
    theme.set_choice("dark")  # what a user sees unless the desktop asks for light
    window.setGeometry(0, 0, *SIZE)
    window.show()
    try:
        await studio.start()
        if studio.session is None:
            raise RuntimeError(f"the studio did not start: {studio.start_error}")
        studio.session.backend.sandbox.set_faults(
            {
                "faults": [
                    {
                        "kind": "task_failure",
                        "code": "contentPolicyViolation",
                        "prompt_contains": "crowd",
                    }
                ]
            }
        )
        await generate(
            studio, "A stadium crowd doing the wave, drone shot", size="1280×720", seconds=4
        )
        first = await generate(
            studio, "A lighthouse at dusk, waves rolling in, warm light", size="1280×720", seconds=8
        )
        pair = await generate(
            studio,
            "Paper lanterns rising over a quiet harbour at night",
            size="1280×720",
            seconds=4,
            videos=2,
        )
        third = await generate(
            studio, "A red kite over the dunes, handheld camera", size="720×1280", seconds=4
        )
        jobs = [first, pair, third]
        await wait_for(lambda: all(j.state.is_final for j in jobs), 180, "the jobs to finish")
        if any(j.state is not JobState.READY for j in jobs):
            raise RuntimeError([(j.spec.prompt, j.state, j.error_message) for j in jobs])
        # one more, still running when the picture is taken
        await generate(
            studio, "Morning fog lifting from a pine forest, slow dolly", size="1280×720", seconds=8
        )
        studio.bindings.show_result(pair.id, 1)
        player = window.player
        await wait_for(lambda: player.current_frame_image() is not None, 30, "video frames")
        await asyncio.sleep(1.6)  # a moment into the clip, lanterns in the air
        studio.compose.prompt.set_text("Morning fog lifting from a pine forest, slow dolly")
        await asyncio.sleep(0.3)
        out.mkdir(parents=True, exist_ok=True)
        main_pngs = []
        for scheme in ("light", "dark"):  # dark last: the rest is shot in the default theme
            theme.set_choice(scheme)
            await asyncio.sleep(0.5)  # repainted in the new colours
            main_png = out / f"screenshot-main-{scheme}.png"
            if not grab_window(window, on_x).save(str(main_png)):
                raise RuntimeError(f"could not write {main_png}")
            main_pngs.append(main_png)

        dialog = studio.show_settings()
        await wait_for(dialog.isVisible, 10, "the settings dialog")
        dialog.adjustSize()
        await asyncio.sleep(0.3)
        settings_png = out / "screenshot-settings.png"
        if not dialog.grab().save(str(settings_png)):
            raise RuntimeError(f"could not write {settings_png}")
        dialog.reject()

        picker = studio.compose.model_box
        picker.showPopup()
        await wait_for(picker.popup.isVisible, 10, "the model picker")
        await asyncio.sleep(0.3)
        picker_png = out / "screenshot-model-picker.png"
        if not grab_window(window, on_x).save(str(picker_png)):
            raise RuntimeError(f"could not write {picker_png}")
        picker.hidePopup()

        # the player in fullscreen, with its transport, frame number and timecode
        player.set_fullscreen(True)
        await wait_for(player.is_fullscreen, 10, "the fullscreen player")
        player.pause()
        player.seek(round(player.media.duration() * 0.6))
        player.mark_in()  # an in point, so the range shows on the bar
        await asyncio.sleep(1.0)
        fullscreen_png = out / "screenshot-player-fullscreen.png"
        if not grab_window(player.fullscreen_window, on_x).save(str(fullscreen_png)):
            raise RuntimeError(f"could not write {fullscreen_png}")
        player.set_fullscreen(False)
        board_png = await shoot_storyboard(studio, out, data, on_x)
        print(
            f"wrote {', '.join(map(str, main_pngs))}, {settings_png}, {picker_png}, "
            f"{fullscreen_png} and {board_png}"
        )
    finally:
        await studio.stop()
        window.close()
        shutil.rmtree(data, ignore_errors=True)


async def shoot_storyboard(studio: Any, out: Path, data: Path, on_x: bool) -> Path:
    """The Storyboard tab with a three-shot board, generated, the film paused in shot 2."""
    import json

    from gui.studio.session import ShotStatus

    board = data / "harbour.board.json"
    pix = "PixVerse V6"
    shots = [
        {"prompt": "A fishing boat leaves the harbour at dawn", "duration": 3, "model": pix},
        {"prompt": "The boat rounds the lighthouse", "duration": 2, "link": "last-frame"},
        {"prompt": "Open sea, gulls follow the wake", "duration": 4, "link": "last-frame"},
    ]
    for shot in shots[1:]:
        shot["model"] = pix
    body = {"version": 1, "name": "Harbour", "size": "1280x720", "fps": 24, "shots": shots}
    board.write_text(json.dumps(body))
    view, vm = studio.bindings.storyboard, studio.bindings.storyboard_vm
    studio.window.tabs.setCurrentWidget(view)
    if not vm.open(board):
        raise RuntimeError(vm.message)
    vm.generate()
    await wait_for(lambda: vm.busy, 10, "the board to start")
    await wait_for(lambda: not vm.busy, 180, "the board to be made")
    if any(v.status is not ShotStatus.READY for v in vm.views):
        raise RuntimeError(vm.message)
    view.load_film()
    view.player.jump(1, 900)
    await wait_for(lambda: view.player.current_shot == 1, 10, "the film")
    await asyncio.sleep(1.0)
    path = out / "screenshot-storyboard.png"
    if not grab_window(studio.window, on_x).save(str(path)):
        raise RuntimeError(f"could not write {path}")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs")
    args = parser.parse_args()
    server = None if os.environ.get("QT_QPA_PLATFORM") == "offscreen" else start_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb" if server else "offscreen"
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")
    sys.path.insert(0, str(ROOT))
    try:
        import qasync
        from PySide6.QtWidgets import QApplication

        from gui.app import configure_application

        app = QApplication([sys.argv[0]])
        configure_application(app)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            loop.run_until_complete(shoot(args.out.resolve(), on_x=server is not None))
        app.shutdown()  # let go of the X display before it goes away
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
