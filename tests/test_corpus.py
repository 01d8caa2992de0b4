"""bench/corpus.py, the essays the tests and the benchmarks share: deterministic, and every
kind of essay the writer has."""

import re

from bench import corpus as bench_corpus
from blog import frontmatter


def test_the_same_posts_and_seed_give_the_same_bytes():
    assert list(bench_corpus.essays(50)) == list(bench_corpus.essays(50, seed=1))
    assert list(bench_corpus.essays(50, seed=2)) != list(bench_corpus.essays(50))
    assert list(bench_corpus.essays(20)) == list(bench_corpus.essays(50))[:20]


def test_every_kind_of_essay_is_there(corpus):
    texts = [path.read_text(encoding="utf-8") for path in sorted(corpus(200).glob("*.md"))]
    essays = [frontmatter.parse(text) for text in texts]
    bodies = [essay.body for essay in essays]
    assert len({essay.slug for essay in essays}) == 200
    assert 5 <= sum(bool(essay.external_link) for essay in essays) <= 40
    legacy = [body for body in bodies if re.search(r"\w\(1\)[\s\S]*\n--\n\n\(1\) ", body)]
    caret = [body for body in bodies if re.search(r"\w\[\^1\][\s\S]*\n\[\^1\]: ", body)]
    assert len(legacy) >= 30
    assert len(caret) >= 20
    for piece in ("\n```", "\n> ", "\n## ", "\n- ", "\n1. ", "<abbr", "](https://"):
        assert any(piece in "\n" + body for body in bodies), piece
    sizes = sorted(len(text.encode()) for text in texts)
    assert sizes[0] < 1000
    assert 20_000 < sizes[-1] < 60_000
