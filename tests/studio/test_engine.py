"""The engine against the real sandbox: one job end to end, many jobs in flight, staggered
results, shared uploads, budget refusal, failures, expiry, cancel and delete."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest

from gui.studio.errors import BudgetExceeded, SpecRejected
from gui.studio.jobs import Job, JobState, ResultState
from gui.studio.journal import Journal
from gui.studio.poll_loop import PollLoop

from .conftest import (
    EngineFactory,
    fast_settings,
    frame_input,
    requests_of_type,
    sora_spec,
    submissions_in_log,
    wait_final,
)


def _decodes_fully(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


async def until(check: Callable[[], bool], timeout: float = 60) -> None:
    """Wait for ``check()``, polling it; a generous bound fails with the condition's name."""

    async def poll() -> None:
        while not check():
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(poll(), timeout)
    except TimeoutError:
        raise AssertionError(f"{check} still false after {timeout} s") from None


async def until_idle(poller: PollLoop, timeout: float = 60) -> None:
    """Wait until the poll loop is parked with nothing to ask about."""
    try:
        await asyncio.wait_for(poller.until_idle(), timeout)
    except TimeoutError:
        raise AssertionError(
            f"poll loop not idle after {timeout} s: {len(poller.jobs_to_ask_about())} to ask"
        ) from None


@pytest.mark.asyncio
async def test_one_job_end_to_end(sandbox: Any, studio_factory: EngineFactory) -> None:
    seen_at_gate: dict[str, Any] = {}

    async def gate(stage: str, job: Job) -> None:
        if stage == "queued":  # the job exists on disk; nothing of it has left the machine
            db = sqlite3.connect(studio.data_dir / "journal.sqlite3")
            seen_at_gate["row"] = db.execute(
                "SELECT state, task_uuid FROM jobs WHERE id = ?", (job.id,)
            ).fetchone()
            seen_at_gate["sent"] = submissions_in_log(sandbox).get(job.task_uuid, 0)

    studio = await studio_factory(sandbox, stage_gate=gate)
    job = await studio.engine.submit(sora_spec(number_results=2))
    assert job.state is JobState.SUBMITTED
    assert seen_at_gate == {"row": ("queued", job.task_uuid), "sent": 0}

    job = await wait_final(studio.engine, job)
    assert job.state is JobState.READY, job.error_message
    assert job.estimated_cost == pytest.approx(0.8) and job.actual_cost == pytest.approx(0.8)
    for result in job.results:
        video = Path(result.local_path or "")
        assert video.parent == studio.library.videos and video.name == f"{result.video_uuid}.mp4"
        assert _decodes_fully(video) > 0
        assert Path(result.thumbnail_path or "").exists() and result.video_id
        sidecar = json.loads(studio.library.sidecar_path(result.video_uuid or "").read_text())
        assert sidecar["request"]["taskUUID"] == job.task_uuid
        assert sidecar["request"]["includeCost"] is True
        assert sidecar["result"]["videoUUID"] == result.video_uuid
    assert submissions_in_log(sandbox) == {job.task_uuid: 1}
    assert len(requests_of_type(sandbox, "getResponse")) == studio.engine.poll_rounds

    # every announcement came after its commit, in order, ending ready
    names = [n for n, _ in studio.events.calls if n.startswith(("job_", "result_"))]
    assert names[0] == "job_added" and names.count("result_ready") == 2
    states = [d[1] for d in studio.events.named("job_changed")]
    assert states[0] == "submitted" and states[-1] == "ready"
    assert "processing" in states and "downloading" in states
    assert studio.events.named("spend_changed")[-1] == (pytest.approx(0.8), None)

    # the journal holds what the engine holds, and the request as it was sent
    reloaded = {j.id: j for j in studio.journal.load_jobs()}
    assert reloaded[job.id] == job
    assert studio.journal.request_of(job.id)["positivePrompt"] == job.spec.prompt
    assert [s.outcome for s in studio.journal.submissions(job.task_uuid)] == ["accepted"]
    assert studio.journal.response_items(job.task_uuid)

    # the API key is written nowhere under the data folder
    key = sandbox.api_key.encode()
    for path in studio.data_dir.rglob("*"):
        if path.is_file():
            assert key not in path.read_bytes(), path


@pytest.mark.asyncio
async def test_a_download_reads_the_journal_for_its_sidecar_off_the_loop_thread(
    sandbox: Any, studio_factory: EngineFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop's thread never reads the journal's file for a sidecar (a busy disk would hold
    it): the request and answers are read on a worker thread, with a connection of its own."""
    loop_thread = threading.get_ident()
    readers: list[int] = []
    on_loop: list[str] = []
    real = Journal.sent_and_answered

    def spy(self: Journal, job_id: str, task_uuid: str) -> Any:
        readers.append(threading.get_ident())
        return real(self, job_id, task_uuid)

    monkeypatch.setattr(Journal, "sent_and_answered", spy)
    for name in ("request_of", "response_items"):
        original = getattr(Journal, name)

        def watched(self: Journal, *args: Any, _name: str = name, _f: Any = original) -> Any:
            if threading.get_ident() == loop_thread:
                on_loop.append(_name)
            return _f(self, *args)

        monkeypatch.setattr(Journal, name, watched)
    studio = await studio_factory(sandbox)
    job = await wait_final(studio.engine, await studio.engine.submit(sora_spec(number_results=2)))
    assert job.state is JobState.READY, job.error_message
    assert len(readers) == 2 and loop_thread not in readers  # one per result, on workers
    assert on_loop == []
    for result in job.results:
        sidecar = json.loads(studio.library.sidecar_path(result.video_uuid or "").read_text())
        assert sidecar["request"]["taskUUID"] == job.task_uuid
        assert sidecar["result"]["videoUUID"] == result.video_uuid


@pytest.mark.asyncio
async def test_every_committed_state_is_in_the_journal_when_announced(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    studio = await studio_factory(sandbox)
    reader = sqlite3.connect(studio.data_dir / "journal.sqlite3")
    mismatches: list[tuple[str, str]] = []
    original = studio.events.job_changed

    def check(job: Job) -> None:
        on_disk = reader.execute("SELECT state FROM jobs WHERE id = ?", (job.id,)).fetchone()
        if on_disk is None or on_disk[0] != job.state.value:
            mismatches.append((job.state.value, str(on_disk)))
        original(job)

    studio.events.job_changed = check  # type: ignore[method-assign]
    job = await wait_final(studio.engine, await studio.engine.submit(sora_spec()))
    assert job.state is JobState.READY
    assert len(studio.events.named("job_changed")) >= 4 and mismatches == []


@pytest.mark.asyncio
async def test_twenty_jobs_in_flight_are_polled_with_one_request_per_round(
    sandbox_factory: Callable[..., Any], studio_factory: EngineFactory
) -> None:
    sandbox = sandbox_factory(processing_seconds=60)  # all twenty stay in flight
    studio = await studio_factory(sandbox)
    jobs = await asyncio.gather(
        *(studio.engine.submit(sora_spec(f"scene number {i} of a long film")) for i in range(20))
    )
    uuids = {j.task_uuid for j in jobs}

    def rounds_with_all_twenty() -> int:
        polls = requests_of_type(sandbox, "getResponse")
        return sum(1 for p in polls if set(p["task_uuids"]) == uuids)

    await until(lambda: rounds_with_all_twenty() >= 5)
    assert all(j.state is JobState.PROCESSING for j in jobs)
    for job in jobs:
        await studio.engine.cancel(job.id)
    # a round already on the wire when the jobs were cancelled ends; then the loop parks with
    # nothing to ask about (no request out, none due until something new is sent)
    await until_idle(studio.engine.poller)
    assert studio.engine.poller.jobs_to_ask_about() == []

    polls = requests_of_type(sandbox, "getResponse")
    assert len(polls) == studio.engine.poll_rounds  # one HTTP request per poll round
    assert all(set(p["task_types"]) == {"getResponse"} for p in polls)
    assert all(len(p["task_uuids"]) == len(set(p["task_uuids"])) for p in polls)
    assert max(len(p["task_uuids"]) for p in polls) == 20
    assert submissions_in_log(sandbox) == {j.task_uuid: 1 for j in jobs}


@pytest.mark.asyncio
async def test_four_results_are_downloaded_as_each_appears(
    sandbox_factory: Callable[..., Any], studio_factory: EngineFactory
) -> None:
    sandbox = sandbox_factory(processing_seconds=0.2, extra_args=["--stagger-seconds", "0.8"])
    studio = await studio_factory(sandbox)
    ready_in_round: dict[int, int] = {}  # result index -> poll rounds done when it was saved
    original = studio.events.result_ready

    def note(job: Job, result: Any) -> None:
        ready_in_round[result.index] = studio.engine.poll_rounds
        original(job, result)

    studio.events.result_ready = note  # type: ignore[method-assign]
    job = await studio.engine.submit(sora_spec(number_results=4))
    job = await wait_final(studio.engine, job, timeout=40)
    assert job.state is JobState.READY and len(job.ready_results) == 4
    assert len(requests_of_type(sandbox, "getResponse")) == studio.engine.poll_rounds

    def successes(entry: dict[str, Any]) -> int:
        items = (entry.get("response") or {}).get("data") or []
        return sum(1 for i in items if i.get("status") == "success")

    polls = requests_of_type(sandbox, "getResponse")  # one per round, in order
    all_four_round = 1 + next(i for i, p in enumerate(polls) if successes(p) == 4)
    saved_early = [i for i, r in ready_in_round.items() if r < all_four_round]
    # saved before the round that first saw the last one: before it existed
    assert len(saved_early) >= 2, (ready_in_round, all_four_round)
    assert len(set(ready_in_round.values())) > 1


@pytest.mark.asyncio
async def test_a_frame_image_is_uploaded_once_for_two_jobs(
    sandbox: Any, studio_factory: EngineFactory, picture: Callable[..., Path]
) -> None:
    studio = await studio_factory(sandbox)
    frame = frame_input(picture("start.png", 1024, 768))
    spec = sora_spec(frames=(frame,))
    first, second = await asyncio.gather(studio.engine.submit(spec), studio.engine.submit(spec))
    third = await studio.engine.submit(spec.model_copy(update={"prompt": "the same start"}))
    for job in (first, second, third):
        assert (await wait_final(studio.engine, job)).state is JobState.READY
    assert len(requests_of_type(sandbox, "imageUpload")) == 1
    refs = {
        studio.journal.request_of(j.id)["inputs"]["frameImages"][0]["image"]
        for j in (first, second, third)
    }
    assert len(refs) == 1 and studio.engine.sender.uploads_sent == 1
    (prepared,) = studio.library.frames.iterdir()
    assert studio.journal.find_upload(prepared.stem) in refs


@pytest.mark.asyncio
async def test_retry_and_remix_record_their_lineage(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    studio = await studio_factory(sandbox)
    engine = studio.engine
    parent = await wait_final(engine, await engine.submit(sora_spec("a kite over the dunes")))
    retry, remix, extend = await asyncio.gather(
        engine.retry(parent.id),
        engine.remix(parent.id, 0, "the kite, now at night"),
        engine.remix(parent.id, 0, "the kite flies on", kind="extend"),
    )
    for job in (retry, remix, extend):
        assert (await wait_final(engine, job)).state is JobState.READY

    assert retry.task_uuid != parent.task_uuid and retry.spec == parent.spec
    assert (retry.lineage.kind, retry.lineage.parent_job_id) == ("retry", parent.id)
    video_id = parent.results[0].video_id
    for job, kind in ((remix, "remix"), (extend, "extend")):
        assert job.lineage.kind == kind and job.lineage.parent_job_id == parent.id
        assert job.lineage.source_video_id == video_id == job.spec.video_id
        sent = studio.journal.request_of(job.id)
        assert sent["inputs"] == {"videoId": video_id} and "width" not in sent
    stored = {j.id: j.lineage for j in studio.journal.load_jobs()}
    assert stored[remix.id] == remix.lineage and stored[retry.id] == retry.lineage


@pytest.mark.asyncio
async def test_the_daily_budget_refuses_with_nothing_sent(
    sandbox: Any, studio_factory: EngineFactory, tmp_path: Path
) -> None:
    data = tmp_path / "budget"
    studio = await studio_factory(sandbox, data, fast_settings(data, daily_budget=1.0))
    first = await studio.engine.submit(sora_spec())  # $0.40
    assert studio.events.named("notice") == []
    second = await studio.engine.submit(sora_spec())  # $0.80: 80 % of the budget
    (warning,) = studio.events.named("notice")
    assert "budget" in warning and "$1.00" in warning
    with pytest.raises(BudgetExceeded, match="over the daily budget") as refused:
        await studio.engine.submit(sora_spec())
    assert refused.value.state.budget == 1
    assert set(submissions_in_log(sandbox)) == {first.task_uuid, second.task_uuid}
    assert len(studio.journal.load_jobs()) == 2


@pytest.mark.asyncio
async def test_a_rejected_spec_sends_nothing(sandbox: Any, studio_factory: EngineFactory) -> None:
    studio = await studio_factory(sandbox)
    with pytest.raises(SpecRejected) as rejected:
        await studio.engine.submit(sora_spec(width=640, height=480, duration=5))
    assert {p.parameter for p in rejected.value.problems} == {"width", "duration"}
    assert studio.journal.load_jobs() == [] and submissions_in_log(sandbox) == {}


@pytest.mark.asyncio
async def test_a_failed_generation_carries_runware_code_and_retry_hint(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    sandbox.set_faults(
        {
            "faults": [
                {"kind": "task_failure", "code": "timeoutProvider", "prompt_contains": "doomed"}
            ]
        }
    )
    studio = await studio_factory(sandbox)
    job = await wait_final(studio.engine, await studio.engine.submit(sora_spec("a doomed voyage")))
    assert job.state is JobState.FAILED and job.error_code == "timeoutProvider"
    assert job.error_retryable and "provider" in (job.error_message or "").lower()
    assert job.results[0].state is ResultState.FAILED
    fine = await wait_final(studio.engine, await studio.engine.submit(sora_spec("a calm voyage")))
    assert fine.state is JobState.READY


@pytest.mark.asyncio
async def test_a_dead_link_expires_one_result_and_keeps_the_rest(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    async def gate(stage: str, job: Job) -> None:
        if stage == "downloading":
            doomed = job.results[0].video_uuid
            if doomed and doomed not in expired:
                expired.append(doomed)
                await asyncio.to_thread(sandbox.expire, video_uuid=doomed)

    expired: list[str] = []
    studio = await studio_factory(sandbox, stage_gate=gate)
    job = await wait_final(studio.engine, await studio.engine.submit(sora_spec(number_results=2)))
    assert job.state is JobState.EXPIRED and "expired" in (job.error_message or "")
    states = {r.video_uuid: r.state for r in job.results}
    assert states[expired[0]] is ResultState.EXPIRED
    kept = next(r for r in job.results if r.video_uuid != expired[0])
    assert kept.state is ResultState.READY and Path(kept.local_path or "").exists()
    assert not list(studio.library.videos.glob(f"{expired[0]}*"))


@pytest.mark.asyncio
async def test_cancel_stops_waiting_and_says_it_may_be_billed(
    sandbox_factory: Callable[..., Any], studio_factory: EngineFactory
) -> None:
    sandbox = sandbox_factory(processing_seconds=30)
    studio = await studio_factory(sandbox)
    job = await studio.engine.submit(sora_spec())
    await until(lambda: job.state is JobState.PROCESSING)
    await studio.engine.cancel(job.id)
    assert job.state is JobState.CANCELLED and job.possibly_billed
    assert "may still be billed" in (job.error_message or "")
    await until_idle(studio.engine.poller)  # parked: nothing left to poll until a new job
    assert studio.engine.poller.jobs_to_ask_about() == []
    assert len(requests_of_type(sandbox, "getResponse")) == studio.engine.poll_rounds
    assert studio.journal.load_jobs()[0].state is JobState.CANCELLED


@pytest.mark.asyncio
async def test_delete_forgets_the_job_and_its_files(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    studio = await studio_factory(sandbox)
    job = await wait_final(studio.engine, await studio.engine.submit(sora_spec()))
    uuid = job.results[0].video_uuid
    assert list(studio.library.videos.glob(f"{uuid}.*"))
    await studio.engine.delete(job.id)
    assert studio.engine.jobs() == [] and studio.journal.load_jobs() == []
    assert not list(studio.library.videos.glob(f"{uuid}.*"))
    assert not studio.library.thumbnail_path(uuid or "").exists()
    assert studio.events.named("job_removed") == [job.id]


@pytest.mark.asyncio
async def test_continue_from_the_last_frame(sandbox: Any, studio_factory: EngineFactory) -> None:
    studio = await studio_factory(sandbox)
    parent = await wait_final(studio.engine, await studio.engine.submit(sora_spec()))
    start = await studio.engine.continue_from_last_frame(parent.id, 0)
    assert start.path.parent == studio.library.frames and start.path.stem == start.frame.sha256
    assert start.lineage.kind == "lastFrame" and start.lineage.parent_job_id == parent.id
    assert start.lineage.source_image_hash == start.frame.sha256
    child = await studio.engine.submit(sora_spec(frames=(start.frame,)), start.lineage)
    child = await wait_final(studio.engine, child)
    assert child.state is JobState.READY and child.lineage == start.lineage


@pytest.mark.asyncio
async def test_a_lost_connection_is_announced_with_a_countdown_and_recovered(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    sandbox.set_faults(
        {"faults": [{"kind": "http_error", "scope": "poll", "times": 8, "statuses": [503]}]}
    )
    studio = await studio_factory(sandbox)
    job = await wait_final(studio.engine, await studio.engine.submit(sora_spec()))
    assert job.state is JobState.READY
    changes = studio.events.named("connection_changed")
    assert changes[0][0] is False and changes[0][2] and changes[0][2] > 0
    assert changes[-1][0] is True


@pytest.mark.asyncio
async def test_a_submit_without_an_answer_is_asked_about_then_sent_once(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    # every attempt of the first submit is dropped before the server handles it
    sandbox.set_faults({"faults": [{"kind": "drop", "scope": "submit", "times": 4}]})
    studio = await studio_factory(sandbox)
    job = await studio.engine.submit(sora_spec())
    assert job.state is JobState.QUEUED  # unconfirmed: the next poll decides
    job = await wait_final(studio.engine, job)
    assert job.state is JobState.READY
    handled = [
        e
        for e in requests_of_type(sandbox, "videoInference")
        if "drop" not in (e.get("fault") or [])
    ]
    assert [e["task_uuids"] for e in handled] == [[job.task_uuid]]
    assert [s.outcome for s in studio.journal.submissions(job.task_uuid)] == [
        "unknown",
        "accepted",
    ]


@pytest.mark.asyncio
async def test_balance_spend_favourites_history_and_export(
    sandbox: Any, studio_factory: EngineFactory, tmp_path: Path
) -> None:
    studio = await studio_factory(sandbox)
    engine = studio.engine
    kept, dropped = await asyncio.gather(
        engine.submit(sora_spec("take one")), engine.submit(sora_spec("take two"))
    )
    await asyncio.gather(wait_final(engine, kept), wait_final(engine, dropped))
    amount, currency = await engine.refresh_balance()
    assert (amount, currency) == (pytest.approx(1000 - 0.8), "USD")  # the sandbox's starting $1000
    assert studio.events.named("balance_changed") == [(amount, "USD")]
    assert engine.spend().today == pytest.approx(0.8) == engine.spend().all_time

    exported = await engine.export(dropped.id, 0, tmp_path / "out")
    assert [p.suffix for p in exported] == [".mp4", ".json"]

    engine.set_favourite(kept.id)
    running = await engine.submit(sora_spec("still running", duration=8))
    assert engine.clear_history() == [dropped.id]
    assert {j.id for j in engine.jobs()} == {kept.id, running.id}
    assert not list(studio.library.videos.glob(f"{dropped.results[0].video_uuid}.*"))
    assert Path(kept.results[0].local_path or "").exists()
    assert studio.journal.load_jobs()[0].favourite
    assert studio.events.named("job_removed") == [dropped.id]


@pytest.mark.asyncio
async def test_a_poll_due_while_the_submit_is_still_being_kept_does_not_lose_the_job(
    sandbox: Any, studio_factory: EngineFactory
) -> None:
    """The poll that a submit's answer schedules can come due while that job's send is still
    finishing (its "submitted" row waiting for the disk): the loop skips a job being sent and,
    with nothing else to ask about, parks. The end of the send must wake it again, or the job
    is never polled (seen under load in make stress: one POST, then nothing for 60 s)."""
    parked_while_sending: list[bool] = []

    async def gate(stage: str, job: Job) -> None:
        if stage == "submitted":  # the send is not over yet: the poll loop skips this job
            await until_idle(studio.engine.poller)
            parked_while_sending.append(job.state is JobState.SUBMITTED)

    studio = await studio_factory(sandbox, stage_gate=gate)
    job = await studio.engine.submit(sora_spec("a kite that waits for its poll"))
    job = await wait_final(studio.engine, job, timeout=30)
    assert parked_while_sending == [True]
    assert job.state is JobState.READY
