"""What happens when a generation finishes: its webhook call, its WebSocket push, and (before
it counts as finished) the PUT of its file to the task's uploadEndpoint."""

from __future__ import annotations

import json
import time
from pathlib import Path

from gui.sandbox.lifecycle import Generation, Job
from gui.sandbox.replies import generation_reply
from gui.sandbox.state import Sandbox

__all__ = ["hook_results"]


def hook_results(sb: Sandbox) -> None:
    async def on_finished(job: Job, generation: Generation) -> None:
        item, error = generation_reply(job, generation, sb.protocol)
        url = job.task.get("webhookURL")
        if url and sb.courier is not None:
            body = item if item is not None else error
            assert body is not None
            await sb.courier.post_result(str(url), job.task_uuid, body, is_error=item is None)
        session = sb.sessions.get(job.session_uuid or "")
        if session is not None and sb.protocol.ws_push_results:
            frame = {"data": [item]} if item is not None else {"errors": [error]}
            sent = await session.send(json.dumps(frame))
            sb.log.write(
                started=time.time(),
                method="WS-PUSH",
                path="/v1",
                status=None,
                request=None,
                response={**frame, "buffered": not sent},
                transport="ws",
            )

    async def upload(job: Job, generation: Generation, path: Path, mime: str) -> bool:
        if sb.courier is None:
            return False
        ok = await sb.courier.put_file(str(job.task["uploadEndpoint"]), job.task_uuid, path, mime)
        return ok or sb.protocol.upload_failure == "ignore"

    sb.lifecycle.notify.append(on_finished)
    sb.lifecycle.upload = upload
