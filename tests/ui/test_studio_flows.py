"""The whole window against the sandbox subprocess: generate, play, frame images, remix, resume."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.app import Studio
from gui.studio.jobs import Job, JobState
from gui.ui.jobs.model import JobRole
from tests.ui.conftest import await_in_qt, sandbox_requests
from tests.ui.dragdrop import drop_files

PLAYABLE = {
    QMediaPlayer.MediaStatus.LoadedMedia,
    QMediaPlayer.MediaStatus.BufferedMedia,
    QMediaPlayer.MediaStatus.EndOfMedia,
}


def activate(qtbot, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    studio.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is studio.window, timeout=5000)


def type_prompt_and_generate(qtbot, studio: Studio, prompt: str) -> Job:  # type: ignore[no-untyped-def]
    """As the user does it: type, Ctrl+Enter; returns the job that appears in the panel."""
    model = studio.window.jobs_model
    before = model.rowCount()
    activate(qtbot, studio)
    studio.compose.focus_prompt()
    studio.compose.prompt.edit.selectAll()
    QTest.keyClicks(studio.compose.prompt.edit, prompt)
    QTest.keyClick(
        studio.compose.prompt.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: model.rowCount() == before + 1, timeout=15_000)
    job = model.job_at(0)
    assert job is not None and job.spec.prompt == prompt
    return job


def use_model(qtbot, studio: Studio, name: str) -> None:  # type: ignore[no-untyped-def]
    """Pick a model as the user does: open the picker, type, Enter."""
    from gui.runware.catalog import default_catalog

    model = default_catalog().find(name)
    activate(qtbot, studio)
    picker = studio.compose.model_box
    QTest.mouseClick(picker, Qt.MouseButton.LeftButton, pos=picker.rect().center())
    qtbot.waitUntil(picker.popup.isVisible)
    QTest.keyClicks(picker.popup.filter_edit, model.air)
    QTest.keyClick(picker.popup.filter_edit, Qt.Key.Key_Return)
    assert studio.compose.current_model().air == model.air


def wait_ready(qtbot, job: Job, timeout: int = 90_000) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: job.state.is_final, timeout=timeout)
    assert job.state is JobState.READY, (job.state, job.error_code, job.error_message)


def test_type_pick_size_and_length_generate_and_play(qtbot, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    window, compose = studio.window, studio.compose
    assert window.banner.isVisible() and "sandbox" in window.banner.text().lower()
    use_model(qtbot, studio, "Sora 2")  # priced at 720p, and it remixes
    compose.video.size_picker.button_for("720×1280").click()
    compose.video.duration.button_for(4.0).click()

    job = type_prompt_and_generate(qtbot, studio, "A paper boat drifting down a rainy street")
    assert (job.spec.width, job.spec.height, job.spec.duration) == (720, 1280, 4.0)
    assert window.jobs_panel.current_job() is job  # the new job is selected
    row = window.jobs_model.index_of(job.id)
    assert row.data(JobRole.COST_TEXT).startswith("~$")  # an estimate until it finishes

    wait_ready(qtbot, job)
    assert window.jobs_model.index_of(job.id).data(JobRole.STATE) == JobState.READY
    assert not window.jobs_model.index_of(job.id).data(JobRole.COST_TEXT).startswith("~")
    player = window.player
    qtbot.waitUntil(lambda: player.media.mediaStatus() in PLAYABLE, timeout=20_000)
    assert player.media.source().toLocalFile() == job.results[0].local_path
    qtbot.waitUntil(lambda: player.media.duration() > 0, timeout=5000)
    assert abs(player.media.duration() - 4000) <= 1000 / 30  # within one frame at 30 fps
    details = window.details
    assert details.video_id.value.text() == job.results[0].video_id
    assert details.prompt.text() == "A paper boat drifting down a rainy street"
    assert details.remix_button.isEnabled()


def test_dropped_png_is_previewed_and_sent_as_the_first_frame(
    qtbot, studio: Studio, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    png = tmp_path / "harbour at dawn.png"
    Image.new("RGB", (1280, 720), "teal").save(png)
    zone = studio.compose.zones["first"]
    assert drop_files(zone, [png])
    qtbot.waitUntil(lambda: zone.frame_input() is not None, timeout=10_000)
    assert zone.facts is not None and Path(zone.facts.path) == png
    assert not zone.preview.isHidden()

    job = type_prompt_and_generate(qtbot, studio, "The harbour wakes up, gulls circling")
    qtbot.waitUntil(lambda: job.state not in (JobState.QUEUED, JobState.UPLOADING), timeout=20_000)
    assert job.spec.frames and job.spec.frames[0].frame == "first"
    uploads = sandbox_requests(studio, "imageUpload")
    assert len(uploads) == 1
    sent = [t for t in sandbox_requests(studio, "videoInference") if t["taskUUID"] == job.task_uuid]
    assert sent, "the sandbox never saw the job"
    frames = sent[0]["inputs"]["frameImages"]
    assert len(frames) == 1 and frames[0]["frame"] == "first"
    assert not str(frames[0]["image"]).startswith("pending-upload")
    journal_request = studio.session.request_of(job.id)
    assert journal_request is not None and journal_request["inputs"]["frameImages"] == frames


def test_dropped_text_file_is_refused_and_nothing_is_sent(
    qtbot, studio: Studio, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "shot list.txt"
    notes.write_text("1. wide shot of the harbour\n2. close-up\n", "utf-8")
    zone = studio.compose.zones["first"]
    drop_files(zone, [notes])
    qtbot.waitUntil(lambda: zone.message_text() != "", timeout=5000)
    message = zone.message_text()
    assert "shot list.txt" in message or "image" in message.lower()
    assert zone.frame_input() is None
    assert studio.compose.wait_for_images(30_000), "the drop's image work never finished"
    # a task is sent only for a job kept in the journal first: none exists, none was sent
    assert studio.session is not None and studio.session.jobs() == []
    assert studio.session.journal.load_jobs() == []
    assert sandbox_requests(studio, "videoInference") == []
    assert sandbox_requests(studio, "imageUpload") == []
    assert studio.window.jobs_model.rowCount() == 0


def test_remix_a_finished_job_sends_its_video_id_without_a_size(qtbot, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    use_model(qtbot, studio, "Sora 2")  # a model that takes a videoId
    source = type_prompt_and_generate(qtbot, studio, "A red kite over the dunes")
    wait_ready(qtbot, source)
    window = studio.window
    assert window.jobs_panel.select_job(source.id)
    # the details hear of the finish through the studio's announcement, a turn after the state
    qtbot.waitUntil(window.details.remix_button.isEnabled, timeout=10_000)
    opened: list[str] = []
    studio.open_url = lambda url: opened.append(url.toLocalFile())
    window.details.reveal_button.click()
    assert opened == [str(Path(source.results[0].local_path).parent)]  # type: ignore[arg-type]
    window.details.remix_button.click()
    assert studio.compose.is_remixing()

    remix = type_prompt_and_generate(qtbot, studio, "The same kite, now at night under fireworks")
    assert remix.spec.video_id == source.results[0].video_id
    assert remix.lineage.kind == "remix" and remix.lineage.parent_job_id == source.id
    qtbot.waitUntil(lambda: remix.state is not JobState.QUEUED, timeout=20_000)
    sent = [
        t for t in sandbox_requests(studio, "videoInference") if t["taskUUID"] == remix.task_uuid
    ]
    assert sent and sent[0]["inputs"]["videoId"] == source.results[0].video_id
    assert "width" not in sent[0] and "height" not in sent[0]
    # the remix was sent: the form is itself again
    qtbot.waitUntil(lambda: not studio.compose.is_remixing(), timeout=10_000)
    wait_ready(qtbot, remix)
    assert window.jobs_model.index_of(remix.id).data(JobRole.LINEAGE_TEXT) == "remix"


def test_use_frame_and_continue_from_last_frame_fill_the_first_frame(qtbot, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    job = type_prompt_and_generate(qtbot, studio, "A lantern drifting over a lake")
    wait_ready(qtbot, job)
    window, zone = studio.window, studio.compose.zones["first"]
    player = window.player
    qtbot.waitUntil(lambda: player.current_frame_image() is not None, timeout=20_000)
    player.media.pause()
    window.details.use_frame_button.click()
    qtbot.waitUntil(lambda: zone.frame_input() is not None, timeout=10_000)
    used = Path(zone.facts.path)  # type: ignore[union-attr]
    assert used.parent == studio.session.library.frames and used.suffix == ".png"

    zone.clear()
    window.details.continue_button.click()
    qtbot.waitUntil(lambda: zone.frame_input() is not None, timeout=20_000)
    last = Path(zone.facts.path)  # type: ignore[union-attr]
    assert last.parent == studio.session.library.frames and last != used
    follow = type_prompt_and_generate(qtbot, studio, "The lantern lands on the far shore")
    assert follow.lineage.kind == "lastFrame" and follow.lineage.parent_job_id == job.id


def test_unfinished_jobs_resume_at_start_and_show_as_such(
    qtbot, make_studio, sandbox_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # a server that outlives the app, as Runware does
    server = sandbox_factory(processing_seconds=6)
    data = tmp_path / "resume"
    first = make_studio(data, runware=server)
    assert first.window.status.backend_label.text() == "Runware"
    job = type_prompt_and_generate(qtbot, first, "A slow sunrise over mountains")
    qtbot.waitUntil(lambda: job.state in (JobState.SUBMITTED, JobState.PROCESSING), timeout=20_000)
    await_in_qt(qtbot, first.stop())
    first.window.close()

    second = make_studio(data, runware=server)
    model = second.window.jobs_model
    assert model.rowCount() == 1
    index = model.index_of(job.id)
    assert index.data(JobRole.RESUMED) is True
    assert "Resuming 1 unfinished job" in second.window.status.currentMessage()
    resumed = model.job(job.id)
    assert resumed is not None
    qtbot.waitUntil(lambda: resumed.state.is_final, timeout=90_000)
    assert resumed.state is JobState.READY
    # the list hears of the finish through the studio's announcement, a turn after the state
    qtbot.waitUntil(lambda: model.index_of(job.id).data(JobRole.RESUMED) is False, timeout=10_000)


def test_a_failed_job_shows_runwares_code_and_message(qtbot, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    assert studio.session.backend.sandbox is not None
    studio.session.backend.sandbox.set_faults(
        {
            "faults": [
                {
                    "kind": "task_failure",
                    "code": "contentPolicyViolation",
                    "prompt_contains": "forbidden",
                }
            ]
        }
    )
    job = type_prompt_and_generate(qtbot, studio, "A forbidden scene")
    qtbot.waitUntil(lambda: job.state.is_final, timeout=60_000)
    assert job.state is JobState.FAILED
    text = studio.window.jobs_model.index_of(job.id).data(JobRole.ERROR_TEXT)
    assert text.startswith("contentPolicyViolation: ")
    player = studio.window.player  # it follows the job's change once the event reaches it
    qtbot.waitUntil(lambda: player.empty_title.text() == "Failed", timeout=10_000)
    assert "contentPolicyViolation" in studio.window.details.error.text()


def test_over_budget_is_said_beside_generate_and_nothing_is_sent(qtbot, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    studio.update_settings(daily_budget=0.5)  # taken in at once: no restart
    use_model(qtbot, studio, "Sora 2")  # $0.10 a second at 720p
    compose = studio.compose
    compose.video.duration.button_for(8.0).click()  # about $0.80 at the catalogue's price
    compose.prompt.set_text("A long tracking shot through a night market")
    assert studio.settings.daily_budget == 0.5
    qtbot.waitUntil(compose.generate_bar.button.isEnabled, timeout=10_000)
    assert compose.generate_bar.button.text().endswith("$0.80")
    QTest.mouseClick(compose.generate_bar.button, Qt.MouseButton.LeftButton)

    def told() -> bool:
        return "budget" in compose.generate_bar.budget.text().lower()

    qtbot.waitUntil(told, timeout=30_000)
    assert studio.window.jobs_model.rowCount() == 0
    assert sandbox_requests(studio, "videoInference") == []


def test_run_shows_the_window_and_closing_stops_engine_client_and_sandbox(
    qtbot, qloop_running, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from gui.app import LaunchOptions

    studio = Studio(
        LaunchOptions(
            sandbox=True, data_dir=tmp_path / "run", sandbox_options={"processing_seconds": 0.3}
        )
    )
    qtbot.addWidget(studio.window)
    run = asyncio.ensure_future(studio.run())
    qtbot.waitUntil(lambda: studio.window.isVisible(), timeout=5000)
    qtbot.waitUntil(studio.started.is_set, timeout=60_000)
    sandbox = studio.session.backend.sandbox
    assert sandbox is not None and sandbox.returncode is None
    assert studio.window.banner.isVisible()
    studio.window.close()
    qtbot.waitUntil(run.done, timeout=30_000)
    assert run.result() == 0
    assert sandbox.returncode is not None  # the subprocess is gone
    assert studio.session is None


def test_copy_request_json_is_the_request_as_sent(qtbot, studio: Studio, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QGuiApplication

    png = tmp_path / "first.png"
    Image.new("RGB", (1280, 720), "orange").save(png)
    zone = studio.compose.zones["first"]
    assert drop_files(zone, [png])
    qtbot.waitUntil(lambda: zone.frame_input() is not None, timeout=10_000)
    job = type_prompt_and_generate(qtbot, studio, "An orange sunset over rooftops")
    qtbot.waitUntil(lambda: job.state not in (JobState.QUEUED, JobState.UPLOADING), timeout=20_000)
    studio.window.jobs_panel.select_job(job.id)
    studio.window.jobs_panel.copy_request_action.trigger()
    copied = json.loads(QGuiApplication.clipboard().text())
    sent = [t for t in sandbox_requests(studio, "videoInference") if t["taskUUID"] == job.task_uuid]
    assert copied["inputs"]["frameImages"] == sent[0]["inputs"]["frameImages"]  # the real imageUUID
    assert studio.session.backend.client._api_key not in json.dumps(copied)


def test_veo_job_from_the_window_sends_first_and_last_frames_a_seed_and_audio(
    qtbot, studio: Studio, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from gui.runware.catalog import default_catalog

    veo = next(m for m in default_catalog() if m.name == "Veo 3.1 Fast")
    compose = studio.compose
    activate(qtbot, studio)
    picker = compose.model_box
    QTest.mouseClick(picker, Qt.MouseButton.LeftButton, pos=picker.rect().center())
    qtbot.waitUntil(picker.popup.isVisible)
    QTest.keyClicks(picker.popup.filter_edit, veo.air)
    QTest.keyClick(picker.popup.filter_edit, Qt.Key.Key_Return)
    assert compose.current_model().air == veo.air
    assert "last" in compose.zones and compose.zones["last"].isVisibleTo(compose)
    compose.video.duration.button_for(4.0).click()

    first, last = tmp_path / "dawn.png", tmp_path / "dusk.png"
    Image.new("RGB", (1280, 720), (20, 40, 210)).save(first)
    Image.new("RGB", (1280, 720), (230, 120, 20)).save(last)
    for frame, path in (("first", first), ("last", last)):
        assert drop_files(compose.zones[frame], [path])
        qtbot.waitUntil(lambda f=frame: compose.zones[f].frame_input() is not None, timeout=10_000)
    compose.options.seed_random.setChecked(False)
    QTest.keyClicks(compose.options.seed_edit, "4242")
    audio = next(s for s in veo.provider_settings if not s.fixed)
    switch = compose.options.setting_widgets[(audio.provider, audio.name)]
    switch.setChecked(True)
    priced = veo.price(width=1280, height=720, duration=4, audio=True)
    label = compose.generate_bar.button.text()
    assert label.endswith("price unknown") if priced is None else f"{priced:.2f}" in label

    job = type_prompt_and_generate(qtbot, studio, "A valley from dawn to dusk, one long take")
    wait_ready(qtbot, job)
    sent = [t for t in sandbox_requests(studio, "videoInference") if t["taskUUID"] == job.task_uuid]
    (request,) = sent
    assert request["model"] == veo.air and request["seed"] == 4242
    assert [f["frame"] for f in request["inputs"]["frameImages"]] == ["first", "last"]
    assert "videoId" not in request["inputs"]
    # the page: "Provide exactly one of: inputs.frameImages or width/height"; the size picked
    # (1280x720) goes out as the resolution the model takes, and the frames were fitted to it
    assert "width" not in request and "height" not in request
    assert request["resolution"] == "720p"
    assert request["providerSettings"] == {audio.provider: {audio.name: True}}
    assert not studio.window.details.remix_button.isEnabled()  # Veo takes no videoId
