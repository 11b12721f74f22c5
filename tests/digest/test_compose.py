import numpy as np

from dailypapers.digest.compose import Candidate, Digest, Interests, Pool, compose, split_list


def paper(i, title="", abstract="", authors=("Someone Else",), categories=("cs.LG",)):
    return Candidate(i, title or f"Paper {i}", abstract, tuple(authors), tuple(categories))


POOL = [
    paper(1, "Scaling laws for language models", categories=("cs.CL",)),
    paper(2, "A benchmark for robot grasping", categories=("cs.RO",)),
    paper(3, "Sparse attention kernels", "We make transformers fast.", authors=("Grace Hopper",)),
    paper(4, "Image synthesis with diffusion models", categories=("cs.CV",)),
    paper(5, "Protein folding at scale", categories=("q-bio.BM",)),
]


def test_trending_is_the_pool_order_without_papers_already_sent():
    digest = compose(Pool(POOL), Interests(), already_sent={1, 3}, trending_size=2)
    assert [p.paper_id for p in digest.trending] == [2, 4]
    assert digest.for_you == ()


def test_for_you_follows_authors_keywords_and_categories_with_reasons():
    interests = Interests(categories=("q-bio.BM",), keywords=("diffusion model",),
                          authors=("grace  HOPPER",))  # fmt: skip
    digest = compose(Pool(POOL), interests, trending_size=1, for_you_size=5)
    assert [p.paper_id for p in digest.trending] == [1]  # the best of the rest
    picks = {p.paper_id: p.reason for p in digest.for_you}
    assert picks == {3: "by grace  HOPPER", 4: "matches “diffusion model”", 5: "in q-bio.BM"}
    assert [p.paper_id for p in digest.for_you][0] == 3  # a followed author ranks first


def test_a_paper_is_in_one_section_only_and_never_resent():
    interests = Interests(categories=("cs.CL", "cs.RO"))
    digest = compose(Pool(POOL), interests, already_sent={2}, trending_size=2)
    assert [p.paper_id for p in digest.for_you] == [1]  # 2 was sent before
    assert [p.paper_id for p in digest.trending] == [3, 4]  # 1 is already "for you"
    assert len(set(digest.paper_ids)) == len(digest.paper_ids)


def test_everything_already_sent_gives_an_empty_digest():
    digest = compose(Pool(POOL), Interests(keywords=("protein",)), already_sent=range(1, 6))
    assert digest.is_empty


def test_meaning_matches_without_shared_words():
    vectors = np.eye(5, 8, dtype=np.float32)  # paper i points along axis i-1
    query = np.zeros(8, dtype=np.float32)
    query[4] = 0.9  # close to paper 5 only
    pool = Pool(POOL, vectors, {"folding of proteins": query})
    digest = compose(pool, Interests(keywords=("how chains fold",)), trending_size=0)
    assert digest.for_you == ()  # no vector for that keyword, no shared words
    digest = compose(pool, Interests(keywords=("folding of proteins",)), trending_size=0)
    assert [p.paper_id for p in digest.for_you] == [5]


def test_papers_like_the_ones_upvoted():
    vectors = np.eye(5, 8, dtype=np.float32)
    profile = np.zeros(8, dtype=np.float32)
    profile[1] = 1.0
    digest = compose(Pool(POOL, vectors), Interests(like_upvoted=True), profile=profile,
                     trending_size=0)  # fmt: skip
    assert [(p.paper_id, p.reason) for p in digest.for_you] == [(2, "like papers you upvoted")]


def test_digest_survives_its_json_form():
    digest = compose(Pool(POOL), Interests(authors=("Grace Hopper",)), trending_size=2)
    assert Digest.from_json(digest.to_json()) == digest


def test_lists_accept_lines_commas_and_semicolons():
    assert split_list("a, b\n b ;c\n\n  d  e ") == ("a", "b", "c", "d e")
