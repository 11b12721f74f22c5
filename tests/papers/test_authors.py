"""Author names: one key for every spelling, given names that must agree, homonyms split only
on strong co-author evidence."""

from __future__ import annotations

import pytest

from dailypapers.papers.authors import Authored, compatible, name_key, split_homonyms


@pytest.mark.parametrize(
    "spelling",
    ["Kaiming He", "K. He", "kaiming  HE", "He, Kaiming", "Kaiming He Jr.", "KAIMING-X HE"],
)
def test_every_spelling_shares_one_key(spelling):
    assert name_key(spelling) == "k he"


def test_accents_and_special_letters_fold():
    assert name_key("Zoë Žižek") == name_key("Zoe Zizek") == "z zizek"
    assert name_key("Łukasz Kaiser") == "l kaiser"
    assert name_key("") == "" and name_key("Plato") == "plato"


def test_given_names_must_agree_where_both_are_spelled_out():
    assert compatible("Kaiming He", "K. He") and compatible("K. He", "Kai He")
    assert not compatible("Kaiming He", "Kai He")
    assert not compatible("Kaiming He", "Kaiming Ho")
    assert compatible("Jean-Pierre Dupont", "J. P. Dupont")
    assert not compatible("Jean-Pierre Dupont", "J. Q. Dupont")


def paper(i, *coauthors):
    return Authored(i, "Wei Zhang", frozenset(coauthors))


def test_two_groups_with_no_shared_coauthor_and_enough_papers_split():
    papers = [paper(1, "a", "b"), paper(2, "b"), paper(3, "a"), paper(4, "x", "y"), paper(5, "y"),
              paper(6, "x"), paper(7, "lonely")]  # fmt: skip
    groups = split_homonyms(papers)
    assert [sorted(g.paper_ids) for g in groups] == [[1, 2, 3, 7], [4, 5, 6]]
    assert set(groups[1].coauthors) == {"x", "y"}


def test_weak_evidence_keeps_one_group():
    papers = [paper(1, "a"), paper(2, "a"), paper(3, "a"), paper(4, "x"), paper(5, "x")]
    assert [sorted(g.paper_ids) for g in split_homonyms(papers)] == [[1, 2, 3, 4, 5]]
    assert split_homonyms([]) == []
