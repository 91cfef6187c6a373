"""A result's family: the jobs it came from and the jobs made from it, as a tree.

A job names its parent in ``Job.lineage`` (retry, remix, extend, a frame taken from a result).
Older or hand-made jobs may only carry the ``videoId`` they remixed, or the hash of the frame image
they started from; those are followed too. The tree is rooted at the oldest ancestor, so every
member of a family sees the same tree, with itself marked as the focus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from gui.studio.jobs import Job, LineageKind

__all__ = ["Family", "FamilyNode", "family_of", "parent_link"]


@dataclass(frozen=True)
class FamilyNode:
    """One job in a family tree; ``link`` says how it was made from its parent."""

    job_id: str
    link: LineageKind | None
    depth: int
    children: tuple[FamilyNode, ...] = ()


@dataclass(frozen=True)
class Family:
    """The tree holding ``focus``, from the oldest ancestor down to the last descendant."""

    root: FamilyNode
    focus: str

    def nodes(self) -> Iterator[FamilyNode]:
        """Every node, parents before children, siblings oldest first."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def find(self, job_id: str) -> FamilyNode | None:
        return next((n for n in self.nodes() if n.job_id == job_id), None)

    def __contains__(self, job_id: object) -> bool:
        return any(n.job_id == job_id for n in self.nodes())

    def __len__(self) -> int:
        return sum(1 for _ in self.nodes())

    def path_to(self, job_id: str) -> tuple[str, ...]:
        """Job ids from the root down to ``job_id`` (inclusive); empty when not in the family."""

        def walk(node: FamilyNode, trail: tuple[str, ...]) -> tuple[str, ...]:
            trail = (*trail, node.job_id)
            if node.job_id == job_id:
                return trail
            for child in node.children:
                found = walk(child, trail)
                if found:
                    return found
            return ()

        return walk(self.root, ())

    @property
    def ancestors(self) -> tuple[str, ...]:
        """The focus's ancestors, root first."""
        return self.path_to(self.focus)[:-1]

    @property
    def descendants(self) -> tuple[str, ...]:
        """Everything made from the focus, directly or not."""
        node = self.find(self.focus)
        if node is None:
            return ()
        sub = Family(node, self.focus)
        return tuple(n.job_id for n in sub.nodes() if n.job_id != self.focus)


def parent_link(
    job: Job,
    by_id: Mapping[str, Job],
    by_video_id: Mapping[str, str],
    by_frame_hash: Mapping[str, str] | None = None,
) -> tuple[str, LineageKind] | None:
    """The job ``job`` was made from and how, or None for a first generation.

    ``by_video_id`` maps a result's Runware ``videoId`` to its job; ``by_frame_hash`` maps the
    sha256 of a frame image taken from a result (e.g. its last frame) to that result's job.
    """
    lineage = job.lineage
    if lineage.parent_job_id and lineage.parent_job_id in by_id:
        return lineage.parent_job_id, lineage.kind or "remix"
    video_id = lineage.source_video_id or job.spec.video_id
    if video_id and video_id in by_video_id:
        return by_video_id[video_id], lineage.kind or "remix"
    if by_frame_hash:
        hashes = [lineage.source_image_hash] if lineage.source_image_hash else []
        hashes += [f.sha256 for f in job.spec.frames]
        for sha in hashes:
            if sha in by_frame_hash:
                return by_frame_hash[sha], lineage.kind or "lastFrame"
    return None


def family_of(
    job_id: str, jobs: Iterable[Job], by_frame_hash: Mapping[str, str] | None = None
) -> Family:
    """The family tree holding ``job_id``. Raises KeyError when no such job is given."""
    by_id = {j.id: j for j in jobs}
    if job_id not in by_id:
        raise KeyError(job_id)
    by_video_id = {r.video_id: j.id for j in by_id.values() for r in j.results if r.video_id}
    parents: dict[str, tuple[str, LineageKind]] = {}
    children: dict[str, list[str]] = {}
    for job in by_id.values():
        link = parent_link(job, by_id, by_video_id, by_frame_hash)
        if link is not None and link[0] != job.id:
            parents[job.id] = link
            children.setdefault(link[0], []).append(job.id)

    root_id, seen = job_id, {job_id}
    while root_id in parents and parents[root_id][0] not in seen:  # a cycle stops the climb
        root_id = parents[root_id][0]
        seen.add(root_id)

    placed: set[str] = set()

    def build(node_id: str, link: LineageKind | None, depth: int) -> FamilyNode:
        placed.add(node_id)
        kids = sorted(children.get(node_id, ()), key=lambda c: (by_id[c].created_at, c))
        return FamilyNode(
            job_id=node_id,
            link=link,
            depth=depth,
            children=tuple(build(c, parents[c][1], depth + 1) for c in kids if c not in placed),
        )

    return Family(root=build(root_id, None, 0), focus=job_id)
