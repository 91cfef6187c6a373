"""The family tree of a remix chain is the same tree from every member."""

from __future__ import annotations

import pytest

from gui.studio.jobs import JobSpec, Lineage
from gui.studio.lineage import family_of


def shape(node) -> tuple:
    return (node.job_id, node.link, tuple(shape(c) for c in node.children))


@pytest.fixture
def chain(make_job):
    root = make_job("a red kite over dunes", job_id="root")
    middle = make_job("the kite dives", parent=root, kind="remix", job_id="middle")
    leaf = make_job("the kite lands", parent=middle, kind="extend", job_id="leaf")
    stranger = make_job("an unrelated forest", job_id="stranger")
    return root, middle, leaf, stranger


@pytest.mark.parametrize("member", ["root", "middle", "leaf"])
def test_three_generation_chain_is_the_same_tree_from_any_member(chain, member):
    family = family_of(member, chain)
    assert shape(family.root) == (
        "root",
        None,
        (("middle", "remix", (("leaf", "extend", ()),)),),
    )
    assert family.focus == member
    assert "stranger" not in family
    assert len(family) == 3
    assert [n.depth for n in family.nodes()] == [0, 1, 2]


def test_ancestors_and_descendants_of_the_middle(chain):
    family = family_of("middle", chain)
    assert family.ancestors == ("root",)
    assert family.descendants == ("leaf",)
    assert family.path_to("leaf") == ("root", "middle", "leaf")


def test_links_without_a_parent_id_follow_the_video_id_and_frame_hash(make_job):
    root = make_job("origin", job_id="origin")
    video_id = root.results[0].video_id
    remix = make_job("remixed by hand", job_id="byhand")
    remix.spec = JobSpec(**{**remix.spec.model_dump(), "video_id": video_id})
    cont = make_job("continued", job_id="cont")
    cont.lineage = Lineage(source_image_hash="abc123")
    family = family_of("cont", [root, remix, cont], by_frame_hash={"abc123": "byhand"})
    assert shape(family.root) == (
        "origin",
        None,
        (("byhand", "remix", (("cont", "lastFrame", ()),)),),
    )


def test_siblings_are_ordered_oldest_first_and_a_retry_is_a_child(make_job):
    root = make_job("base", job_id="base", created_at=100)
    late = make_job("late remix", parent=root, job_id="late", created_at=300)
    retry = make_job("base", parent=root, kind="retry", job_id="retry", created_at=200)
    family = family_of("base", [late, root, retry])
    assert [(c.job_id, c.link) for c in family.root.children] == [
        ("retry", "retry"),
        ("late", "remix"),
    ]


def test_a_cycle_does_not_hang(make_job):
    a = make_job("a", job_id="a")
    b = make_job("b", parent=a, job_id="b")
    a.lineage = Lineage(parent_job_id="b", kind="remix")
    family = family_of("a", [a, b])
    assert sorted(n.job_id for n in family.nodes()) == ["a", "b"]


def test_unknown_job_raises(make_job):
    with pytest.raises(KeyError):
        family_of("nope", [make_job()])
