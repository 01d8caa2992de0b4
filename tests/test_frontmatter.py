import datetime as dt

import pytest

from blog import frontmatter
from tests.conftest import SEED


def test_seed_parses_in_the_sites_dialect():
    essay = frontmatter.parse(SEED.read_text(), "seed.md")
    assert essay.slug == "autonomy"
    assert essay.date == dt.date(2023, 9, 9)
    assert essay.title == "Autonomy"
    assert essay.external_link == ""
    assert not essay.draft


def test_dump_writes_the_seed_back_byte_for_byte():
    text = SEED.read_text()
    assert frontmatter.dump(frontmatter.parse(text)) == text


def test_missing_date_is_an_error():
    with pytest.raises(frontmatter.FrontMatterError, match="missing date"):
        frontmatter.parse('---\nslug: "/x"\ntitle: "X"\n---\n', "x.md")


def test_titles_with_quotes_round_trip():
    essay = frontmatter.Essay("x", dt.date(2024, 1, 1), 'Say "hi": ok', "", "Body")
    assert frontmatter.parse(frontmatter.dump(essay)) == essay
