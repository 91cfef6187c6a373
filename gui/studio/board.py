"""A storyboard as a document: ``NAME.board.json``, version 1.

A board is an ordered list of shots that make one film of one size and frame rate::

    {"version": 1, "name": "Rain", "size": "1280x720", "fps": 24,
     "shots": [{"prompt": "…", "duration": 4},
               {"prompt": "…", "duration": 4, "link": "last-frame"},
               {"prompt": "…", "duration": 8, "link": "image", "image": "shot3.png",
                "model": "Veo 3.1 Fast"}]}

``link`` ties a shot to the one before it: ``none`` (the default), ``last-frame`` (this shot
starts from the chosen take's last frame), ``extend`` (this shot extends the chosen take by its
``videoId``) or ``image`` (its own first-frame image, a path relative to the board file).
``model`` is an AIR or a name the catalogue knows; it defaults to the catalogue's default.

:func:`load_board` reads and checks a board: every mistake is found before anything is sent and
reported as one :class:`BoardError` whose message names the shot. The model rules are the
catalogue's (:meth:`JobSpec.problems`); this module only adds what a board means.

Each shot gets an ``id`` (kept in the file, so reordering the shots keeps their takes) and the
chosen take is written back into the file (``"take": {"job": …, "result": …}``) by
:func:`save_board`. The journal (gui/studio/board_store.py) is where takes are kept safely.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast, get_args

from gui.runware.catalog import Catalog, ModelSpec
from gui.runware.errors import InputFileError
from gui.runware.images import check_image
from gui.studio.atomic_files import write_atomic
from gui.studio.errors import StudioError
from gui.studio.jobs import FrameInput, JobSpec
from gui.studio.sending import frame_rules
from gui.studio.video_stills import source_rules

__all__ = [
    "BOARD_SUFFIX",
    "LINKS",
    "Board",
    "BoardError",
    "Link",
    "Shot",
    "TakeRef",
    "board_from_dict",
    "board_to_dict",
    "load_board",
    "save_board",
    "shot_spec",
]

BOARD_SUFFIX = ".board.json"
VERSION = 1
Link = Literal["none", "last-frame", "extend", "image"]
LINKS: tuple[str, ...] = get_args(Link)
# A frame that will exist once the shot before is made: validation only, never sent.
_PENDING_SHA = "0" * 64
_SIZE = re.compile(r"\s*(\d+)\s*[x×X]\s*(\d+)\s*")
_SHOT_KEYS = {"id", "prompt", "duration", "link", "image", "model", "fit", "take"}
_BOARD_KEYS = {"version", "id", "name", "size", "fps", "crossfade", "shots"}


class BoardError(StudioError):
    """The board cannot be used as it is; the message says where and why. Nothing was sent."""


@dataclass(frozen=True)
class TakeRef:
    """The take that goes in the film: one result of one job."""

    job_id: str
    result: int = 0


@dataclass(frozen=True)
class Shot:
    id: str
    prompt: str
    duration: float
    model: str  # an AIR the catalogue knows
    link: Link = "none"
    image: str | None = None  # as written in the file (relative to it)
    fit: Literal["crop", "pad"] = "crop"
    take: TakeRef | None = None


@dataclass(frozen=True)
class Board:
    id: str
    name: str
    width: int
    height: int
    fps: int
    shots: tuple[Shot, ...]
    crossfade: float = 0.0
    path: Path | None = None  # where it was read from (images are relative to it)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def size_label(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.shots)

    def index_of(self, shot_id: str) -> int:
        for index, shot in enumerate(self.shots):
            if shot.id == shot_id:
                return index
        raise KeyError(shot_id)

    def image_path(self, shot: Shot) -> Path | None:
        if shot.image is None:
            return None
        image = Path(shot.image)
        if not image.is_absolute() and self.path is not None:
            image = self.path.parent / image
        return image

    def with_take(self, shot_id: str, take: TakeRef | None) -> Board:
        shots = tuple(replace(s, take=take) if s.id == shot_id else s for s in self.shots)
        return replace(self, shots=shots)


# ---------------------------------------------------------------------- reading
def _where(index: int) -> str:
    return f"Shot {index + 1}"


def _number(value: Any, what: str, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BoardError(f"{what} must be a number, not {json.dumps(value)}.")
    if positive and value <= 0:
        raise BoardError(f"{what} must be more than 0, not {value:g}.")
    return float(value)


def _parse_size(value: Any) -> tuple[int, int]:
    match = _SIZE.fullmatch(value) if isinstance(value, str) else None
    if not match or int(match[1]) <= 0 or int(match[2]) <= 0:
        raise BoardError(f'The board\'s size must look like "1280x720", not {json.dumps(value)}.')
    return int(match[1]), int(match[2])


def _model(catalog: Catalog, wanted: Any, where: str) -> ModelSpec:
    if wanted is None:
        return catalog.default
    if not isinstance(wanted, str):
        raise BoardError(f"{where}: model must be a name or an AIR, not {json.dumps(wanted)}.")
    try:
        return catalog.find(wanted)
    except LookupError as exc:
        raise BoardError(f"{where}: {exc}") from None


def _take(value: Any, where: str) -> TakeRef | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("job"), str)
        or not isinstance(value.get("result", 0), int)
    ):
        raise BoardError(f'{where}: take must look like {{"job": "…", "result": 0}}.')
    return TakeRef(job_id=value["job"], result=int(value.get("result", 0)))


def _shot(raw: Any, index: int, catalog: Catalog) -> Shot:
    where = _where(index)
    if not isinstance(raw, dict):
        raise BoardError(f"{where} must be an object with a prompt and a duration.")
    unknown = sorted(set(raw) - _SHOT_KEYS)
    if unknown:
        raise BoardError(
            f"{where} has {', '.join(map(repr, unknown))}, which a shot does not take "
            f"(a shot takes {', '.join(sorted(_SHOT_KEYS))})."
        )
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise BoardError(f"{where} has no prompt.")
    if "duration" not in raw:
        raise BoardError(f"{where} has no duration (seconds).")
    duration = _number(raw["duration"], f"{where}'s duration")
    link = raw.get("link", "none")
    if link not in LINKS:
        raise BoardError(f"{where}: link {json.dumps(link)} is not one of {', '.join(LINKS)}.")
    if index == 0 and link in ("last-frame", "extend"):
        raise BoardError(f"{where} is the first shot: there is no shot before it to {link}.")
    image = raw.get("image")
    if link == "image" and not isinstance(image, str):
        raise BoardError(f'{where}: link "image" needs "image", the path of its first frame.')
    if link != "image" and image is not None:
        raise BoardError(f'{where}: "image" is only used with link "image", not {link!r}.')
    fit = raw.get("fit", "crop")
    if fit not in ("crop", "pad"):
        raise BoardError(f'{where}: fit must be "crop" or "pad", not {json.dumps(fit)}.')
    model = _model(catalog, raw.get("model"), where)
    shot_id = raw.get("id")
    if shot_id is not None and (not isinstance(shot_id, str) or not shot_id):
        raise BoardError(f"{where}: id must be a non-empty string.")
    return Shot(
        id=shot_id or f"shot-{uuid.uuid4().hex[:8]}",
        prompt=prompt,
        duration=duration,
        model=model.air,
        link=cast(Link, link),
        image=image,
        fit=cast(Literal["crop", "pad"], fit),
        take=_take(raw.get("take"), where),
    )


def board_from_dict(raw: Any, catalog: Catalog, path: Path | None = None) -> Board:
    """A board from its JSON, checked (see :func:`check_board`); :class:`BoardError` if bad."""
    if not isinstance(raw, dict):
        raise BoardError("A board file holds one JSON object.")
    if raw.get("version") != VERSION:
        raise BoardError(
            f"This board is version {json.dumps(raw.get('version'))}; "
            f"this Sora Studio reads version {VERSION}."
        )
    unknown = sorted(set(raw) - _BOARD_KEYS)
    if unknown:
        raise BoardError(f"The board has {', '.join(map(repr, unknown))}, which it does not take.")
    width, height = _parse_size(raw.get("size"))
    fps_value = raw.get("fps", 24)
    if isinstance(fps_value, bool) or not isinstance(fps_value, int) or not 1 <= fps_value <= 120:
        raise BoardError(f"The board's fps must be a whole number 1-120, not {fps_value}.")
    crossfade = _number(raw.get("crossfade", 0), "The board's crossfade", positive=False)
    shots_raw = raw.get("shots")
    if not isinstance(shots_raw, list) or not shots_raw:
        raise BoardError("The board has no shots.")
    shots = tuple(_shot(s, i, catalog) for i, s in enumerate(shots_raw))
    seen: set[str] = set()
    for index, shot in enumerate(shots):
        if shot.id in seen:
            raise BoardError(f"{_where(index)} has the id {shot.id!r} of an earlier shot.")
        seen.add(shot.id)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        name = path.name.removesuffix(BOARD_SUFFIX) if path else "Board"
    board_id = raw.get("id")
    board = Board(
        id=board_id if isinstance(board_id, str) and board_id else uuid.uuid4().hex,
        name=name,
        width=width,
        height=height,
        fps=fps_value,
        shots=shots,
        crossfade=crossfade,
        path=path,
    )
    if crossfade < 0 or any(crossfade * 2 > s.duration for s in shots):
        raise BoardError("The crossfade must be at least 0 and at most half of every shot.")
    check_board(board, catalog)
    return board


def load_board(path: Path | str, catalog: Catalog) -> Board:
    """Read and check ``path``; one :class:`BoardError` naming the shot for any mistake."""
    file = Path(path).resolve()
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError:
        raise BoardError(f"There is no board file {file}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BoardError(f"The board {file.name} cannot be read: {exc}.") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BoardError(
            f"The board {file.name} is not valid JSON (line {exc.lineno}: {exc.msg})."
        ) from None
    return board_from_dict(raw, catalog, file)


# ---------------------------------------------------------------------- what a shot sends
def _image_frame(board: Board, shot: Shot, index: int, model: ModelSpec) -> FrameInput:
    image = board.image_path(shot)
    assert image is not None
    where = _where(index)
    if not image.is_file():
        raise BoardError(f"{where}: the image {shot.image} is not there ({image}).")
    try:
        checked = check_image(image, source_rules(frame_rules(model)))
    except InputFileError as exc:
        raise BoardError(f"{where}: {exc.message}") from None
    sha = hashlib.sha256(checked.data).hexdigest()
    return FrameInput(frame="first", path=str(image), sha256=sha, fit=shot.fit)


def shot_spec(
    board: Board,
    index: int,
    catalog: Catalog,
    *,
    frame: FrameInput | None = None,
    video_id: str | None = None,
) -> JobSpec:
    """The job that makes one take of shot ``index``.

    ``frame`` is the predecessor's last frame (link ``last-frame``) and ``video_id`` its
    videoId (link ``extend``); without them a placeholder stands in, for checking only."""
    shot = board.shots[index]
    model = catalog[shot.model]
    frames: tuple[FrameInput, ...] = ()
    width: int | None = board.width
    height: int | None = board.height
    if shot.link == "image":
        frames = (_image_frame(board, shot, index, model),)
    elif shot.link == "last-frame":
        frames = (frame or FrameInput(frame="first", path="(last frame)", sha256=_PENDING_SHA),)
    elif shot.link == "extend":
        video_id = video_id or "video_pending"
        if model.video_id is not None and "size" in model.video_id.excludes:
            width = height = None  # an extension keeps its source's size
    return JobSpec(
        model=shot.model,
        prompt=shot.prompt,
        width=width,
        height=height,
        duration=shot.duration,
        frames=frames,
        video_id=video_id if shot.link == "extend" else None,
    )


def check_board(board: Board, catalog: Catalog) -> None:
    """Every shot against its model's rules; the first bad shot raises :class:`BoardError`."""
    for index, shot in enumerate(board.shots):
        where = _where(index)
        model = catalog[shot.model]
        if shot.link == "last-frame" and not model.accepts_frame("first"):
            raise BoardError(
                f"{where}: {model.name} cannot start from a frame image, so it cannot continue "
                "from the last frame of the shot before. Choose another model or another link."
            )
        if shot.link == "extend" and not model.accepts_video_id:
            able = [m.name for m in catalog.live() if m.accepts_video_id]
            choice = f"a model that can ({', '.join(able)})" if able else "another link"
            raise BoardError(
                f"{where}: {model.name} cannot extend a video (it takes no videoId). "
                f"Choose {choice}."
            )
        if shot.link == "image" and not model.accepts_frame("first"):
            raise BoardError(f"{where}: {model.name} does not take a first-frame image.")
        if shot.link == "extend":
            before = catalog[board.shots[index - 1].model]
            if before.air != model.air:
                raise BoardError(
                    f"{where} extends shot {index}, which is made with {before.name}; an "
                    f"extension is made with the same model ({model.name} here)."
                )
        if shot.link != "extend" and not model.size(board.width, board.height):
            sizes = ", ".join(s.label for s in model.sizes)
            raise BoardError(
                f"{where}: {model.name} does not make {board.width}×{board.height} videos, "
                f"the board's size (it makes {sizes})."
            )
        spec = shot_spec(board, index, catalog)
        problems = spec.problems(catalog)
        if problems:
            words = " ".join(p.message for p in problems)
            raise BoardError(f"{where} ({model.name}): {words}")


# ---------------------------------------------------------------------- writing
def board_to_dict(board: Board, catalog: Catalog | None = None) -> dict[str, Any]:
    """The board as its file holds it (models by name where the catalogue knows them)."""
    shots: list[dict[str, Any]] = []
    for shot in board.shots:
        model = catalog.get(shot.model) if catalog else None
        item: dict[str, Any] = {"id": shot.id, "prompt": shot.prompt}
        item["duration"] = int(shot.duration) if shot.duration.is_integer() else shot.duration
        if shot.link != "none":
            item["link"] = shot.link
        if shot.image is not None:
            item["image"] = shot.image
        if shot.fit != "crop":
            item["fit"] = shot.fit
        item["model"] = model.name if model else shot.model
        if shot.take is not None:
            item["take"] = {"job": shot.take.job_id, "result": shot.take.result}
        shots.append(item)
    out: dict[str, Any] = {
        "version": VERSION,
        "id": board.id,
        "name": board.name,
        "size": board.size_label,
        "fps": board.fps,
    }
    if board.crossfade:
        out["crossfade"] = board.crossfade
    out["shots"] = shots
    return out


def save_board(board: Board, path: Path | None = None, catalog: Catalog | None = None) -> Path:
    """Write the board (atomically) to ``path`` or where it was read from."""
    target = path or board.path
    if target is None:
        raise BoardError("The board has no file yet: say where to save it.")
    text = json.dumps(board_to_dict(board, catalog), indent=2, ensure_ascii=False) + "\n"
    return write_atomic(Path(target), text.encode("utf-8"))
