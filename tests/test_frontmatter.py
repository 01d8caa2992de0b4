import datetime as dt
from pathlib import PurePath
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog import frontmatter
from blog.frontmatter import Essay, FrontMatterError
from tests.conftest import SEED

PARIS = ZoneInfo("Europe/Paris")


def test_seed_parses_in_the_sites_dialect():
    essay = frontmatter.parse(SEED.read_text(), "seed.md")
    assert essay.slug == "autonomy"
    assert essay.date == dt.date(2023, 9, 9)
    assert essay.title == "Autonomy"
    assert essay.external_link == ""
    assert not essay.draft
    assert essay.body.startswith("Autonomy is the buzzword these days.")
    assert essay.body.endswith("but don't approve work.")


def test_dump_writes_the_seed_back_byte_for_byte():
    text = SEED.read_text()
    assert frontmatter.dump(frontmatter.parse(text)) == text


def test_missing_date_is_an_error():
    with pytest.raises(frontmatter.FrontMatterError, match="missing date"):
        frontmatter.parse('---\nslug: "/x"\ntitle: "X"\n---\n', "x.md")


def test_titles_with_quotes_round_trip():
    essay = frontmatter.Essay("x", dt.date(2024, 1, 1), 'Say "hi": ok', "", "Body")
    assert frontmatter.parse(frontmatter.dump(essay)) == essay


# Dialects ------------------------------------------------------------------------------


def test_jekyll_post_takes_slug_and_date_from_its_name_and_ignores_layout():
    text = "---\nlayout: post\ntitle: Hello Jekyll\ntags: [a, b]\n---\nBody.\n"
    essay = frontmatter.parse(text, path=PurePath("_posts/2021-03-04-hello-jekyll.md"))
    assert (essay.slug, essay.date, essay.title, essay.body) == (
        "hello-jekyll",
        dt.date(2021, 3, 4),
        "Hello Jekyll",
        "Body.",
    )
    assert essay.ignored == ("layout",)
    assert essay.topics == ("a", "b")


def test_jekyll_permalink_and_a_date_with_its_offset():
    text = (
        "---\ntitle: Late\ndate: 2021-03-04 23:30:00 -0500\n"
        "permalink: /blog/2021/late-night/\n---\nBody\n"
    )
    essay = frontmatter.parse(text, path=PurePath("_posts/2021-03-04-other.md"), tz=PARIS)
    assert essay.slug == "late-night"
    assert essay.date == dt.date(2021, 3, 5)  # 05:30 in Paris


def test_jekyll_unpublished_post_is_a_draft():
    text = "---\ntitle: Not yet\npublished: false\n---\n"
    assert frontmatter.parse(text, path=PurePath("2021-03-04-not-yet.md")).draft


def test_hugo_toml_front_matter():
    text = (
        '+++\ntitle = "Hugo essay"\ndate = 2023-09-09T23:00:00-07:00\ndraft = true\n'
        'slug = "hugo-essay"\n\n[params]\nslug = "not-this-one"\n+++\n\nBody.\n'
    )
    essay = frontmatter.parse(text, tz=ZoneInfo("UTC"))
    assert (essay.slug, essay.date, essay.title, essay.draft, essay.body) == (
        "hugo-essay",
        dt.date(2023, 9, 10),
        "Hugo essay",
        True,
        "Body.",
    )
    assert essay.ignored == ("params",)


def test_hugo_yaml_page_bundle_takes_its_folder_name():
    text = "---\ntitle: Bundle\ndate: 2023-09-09\ndraft: true\n---\nBody\n"
    essay = frontmatter.parse(text, path=PurePath("content/posts/my-bundle/index.md"))
    assert (essay.slug, essay.draft) == ("my-bundle", True)


@pytest.mark.parametrize(
    ("date", "tz", "day"),
    [
        ("2015-05-01T22:12:03.284Z", ZoneInfo("UTC"), dt.date(2015, 5, 1)),
        ("2015-05-01T22:12:03.284Z", PARIS, dt.date(2015, 5, 2)),
        ('"2015-05-01T22:12:03Z"', PARIS, dt.date(2015, 5, 2)),
        ("2015-05-01T23:30:00", PARIS, dt.date(2015, 5, 1)),  # no offset: as written
        ("2015-05-01", PARIS, dt.date(2015, 5, 1)),
    ],
)
def test_gatsby_dates_are_the_day_in_the_sites_time_zone(date, tz, day):
    text = f"---\ntitle: Hello\ndate: {date}\ndescription: x\n---\nBody\n"
    essay = frontmatter.parse(text, path=PurePath("content/blog/hello-world/index.md"), tz=tz)
    assert (essay.slug, essay.date) == ("hello-world", day)


def test_eleventy_permalink_pattern_falls_back_to_the_file_name():
    text = '---\ntitle: Eleventy\ndate: 2022-01-02\npermalink: "/posts/{{ page.fileSlug }}/"\n---\n'
    essay = frontmatter.parse(text, path=PurePath("posts/my-eleventy-post.md"))
    assert essay.slug == "my-eleventy-post"


def test_slug_key_wins_over_permalink_and_file_name():
    text = '---\nslug: "my-slug/"\npermalink: /other/\ntitle: T\ndate: 2022-01-02\n---\n'
    assert frontmatter.parse(text, path=PurePath("2022-01-02_name.md")).slug == "my-slug"


def test_snake_case_external_link_is_read():
    text = "---\nslug: x\ntitle: T\ndate: 2022-01-02\nexternal_link: https://example.org/a\n---\n"
    assert frontmatter.parse(text).external_link == "https://example.org/a"


# Errors name the file, the line and what to do ----------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("No front matter\n", 1, "no front matter"),
        ('---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\n\nBody\n', 1, "is not closed"),
        ('+++\ntitle = "X"\n', 1, r"add a \+\+\+ line"),
        ('---\nslug: "/x"\ndate: "2024-13-45"\ntitle: "X"\n---\n', 3, "bad date '2024-13-45'"),
        ('---\nslug: "/x"\ndate: 2024-13-45\ntitle: "X"\n---\n', 3, "bad date"),
        ('---\nslug: "/x"\ndate: "Jan 5"\ntitle: "X"\n---\n', 3, "write it as YYYY-MM-DD"),
        ('---\nslug: "/x"\ntitle: "X"\n---\n', 1, "missing date"),
        ('---\ndate: "2024-01-01"\ntitle: "X"\n---\n', 1, "missing slug"),
        ('---\nslug: "/x"\ndate: "2024-01-01"\ntitle: ""\n---\n', 4, "empty title"),
        ('---\nslug: "/x"\ndate: "2024-01-01"\n---\n', 1, "empty title"),
        ('---\nslug: "/x"\ndate: "2024-01-01"\ntitle: 1984\n---\n', 4, "put the value in"),
        ('---\nslug: "/x"\n\ntitle: [unclosed\n---\n', 5, "not valid YAML"),
        ('+++\nslug = "x"\ntitle = \n+++\n', 3, "not valid TOML"),
        ('---\nslug: "/x"\ntitle: "A"\ntitle: "B"\n---\n', 4, "title is given twice"),
        ('---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\ndraft: "yes"\n---\n', 5, "true or"),
    ],
)
def test_errors_name_the_line_and_the_fix(text, line, message):
    with pytest.raises(FrontMatterError, match=message) as error:
        frontmatter.parse(text, "essays/bad.md")
    assert error.value.line == line
    assert str(error.value).startswith(f"essays/bad.md:{line}: ")


def test_invalid_utf8_names_its_line():
    raw = b'---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "Caf\xe9"\n---\n'
    with pytest.raises(FrontMatterError, match=r"^latin1.md:4: not valid UTF-8"):
        frontmatter.decode(raw, "latin1.md")


# The body rule: byte-for-byte in the site's dialect, same essay for any other layout ---


def test_make_corpus_files_round_trip_byte_for_byte(corpus):
    files = sorted(corpus(200).glob("*.md"))
    assert len(files) == 200
    for path in files:
        text = path.read_text()
        essay = frontmatter.parse(text, str(path), path=path)
        assert frontmatter.dump(essay) == text, path
        assert path.name == f"{essay.date.isoformat()}_{essay.slug}.md"


@pytest.mark.parametrize(
    "text",
    [
        '---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\n---\nNo blank line, no final newline',
        '---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\n---\n\n\nTwo blank lines\n\n\n',
        '---\r\nslug: "/x"\r\ndate: "2024-01-01"\r\ntitle: "X"\r\n---\r\n\r\nWindows\r\nlines\r\n',
        '\ufeff---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\n---\n\nWith a BOM\n',
        "---\nslug: x\ndate: 2024-01-01\ntitle: 'Single quoted'\ntags: [a]\n---\n\nBody\n",
        '---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\n---\n',
        '---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\n---\n\n',
    ],
)
def test_any_other_layout_reads_the_same_once_written_out(text):
    essay = frontmatter.parse(text)
    again = frontmatter.parse(frontmatter.dump(essay))
    assert again == essay
    assert frontmatter.dump(again) == frontmatter.dump(essay)


def test_windows_line_breaks_in_a_body_are_kept():
    text = '---\r\nslug: "/x"\r\ndate: "2024-01-01"\r\ntitle: "X"\r\n---\r\n\r\nA\r\nB\r\n'
    assert frontmatter.parse(text).body == "A\r\nB"


def test_the_body_starts_after_the_first_closing_delimiter():
    text = '---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\n---\n\nAbove\n\n---\n\nBelow\n'
    assert frontmatter.parse(text).body == "Above\n\n---\n\nBelow"


@pytest.mark.parametrize(
    "title",
    [
        'Say "hi"',
        "back\\slash",
        "tab\there",
        "line\u2028separator",
        "next\x85line",
        "delete\x7fchar",
        "bell\x07",
        "café 🎉",
        "colon: yes",
        "#hash",
        "'single'",
        "--- not a delimiter",
    ],
)
def test_any_title_round_trips(title):
    essay = Essay("x", dt.date(2024, 1, 1), title, "", "Body")
    assert frontmatter.parse(frontmatter.dump(essay)) == essay


def test_drafts_are_written_with_draft_true():
    essay = Essay("x", dt.date(2024, 1, 1), "X", "", "Body", draft=True)
    text = frontmatter.dump(essay)
    assert "\ndraft: true\n" in text
    assert frontmatter.parse(text) == essay


essays = st.builds(
    Essay,
    slug=st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True),
    date=st.dates(),
    title=st.text(min_size=1).map(str.strip).filter(bool),
    external_link=st.sampled_from(["", "https://example.org/a?b=c#d", "http://x.io/"]),
    body=st.text(),
    draft=st.booleans(),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(essays)
def test_every_essay_round_trips(essay):
    text = frontmatter.dump(essay)
    assert frontmatter.parse(text) == essay
    assert frontmatter.dump(frontmatter.parse(text)) == text


# Text that looks like an essay file more often than plain random text does.
_front_matter_like = st.lists(
    st.sampled_from(
        [
            "---",
            "+++",
            'slug: "/x"',
            "date: 2024-01-02",
            'title: "T"',
            "draft: true",
            ": :",
            "title: [",
            'externalLink: "javascript:x"',
            "date = 2024-01-02",
            "\t- a",
            "\x00",
            "",
        ]
    )
    | st.text(max_size=20),
    max_size=12,
).map("\n".join)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), _front_matter_like))
def test_any_input_parses_or_gives_a_located_error(text):
    try:
        essay = frontmatter.parse(text, "any.md")
    except frontmatter.FrontMatterError as error:
        located = (str(error).split(":")[0], error.line >= 1)
    else:
        located = ("any.md", True)
        assert essay.slug
        assert essay.title
    assert located == ("any.md", True)


# Hostile front matter fails fast, with a short message ---------------------------------


@pytest.mark.parametrize(
    ("front", "line"),
    [
        ('title: &t "X"\nslug: *t', 3),
        ('title: "X"\nslug: "x"\ntags: &tags [a, b]', 5),
        ('title: "X"\nslug: "x"\nbase: {a: 1}\nmore:\n  <<: *base', 7),
    ],
)
def test_yaml_anchors_and_aliases_are_refused(front, line):
    with pytest.raises(FrontMatterError, match="YAML anchors and aliases") as error:
        frontmatter.parse(f'---\ndate: "2024-01-01"\n{front}\n---\n')
    assert error.value.line == line


def test_an_alias_bomb_is_refused_before_it_expands():
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghijklm", "abcdefghijkl", strict=True):
        rows.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    text = '---\ntitle: "X"\n' + "\n".join(rows) + "\n---\n"
    with pytest.raises(FrontMatterError, match="YAML anchors") as error:
        frontmatter.parse(text, "bomb.md")
    assert len(str(error.value)) < 200


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('+++\ntitle = "T"\na = ' + "[" * 3000 + "]" * 3000 + "\n+++\n", 2, "nested too deeply"),
        ("---\ntitle: T\na: " + "[" * 3000 + "]" * 3000 + "\n---\n", 3, "not valid YAML"),
        ('---\nslug: x\ntitle: T\ndate: "9999-12-31T23:59:59-14:00"\n---\n', 4, "bad date"),
        ("---\nslug: x\ntitle: T\ndate: 9999-12-31T23:59:59-14:00\n---\n", 4, "bad date"),
        ('+++\nslug = "x"\ntitle = "T"\ndate = 9999-12-31T23:59:59-14:00\n+++\n', 4, "bad date"),
        ("---\nslug: x\ntitle: T\ndate: [" + "1, " * 100_000 + "]\n---\n", 4, "bad date"),
        ("---\nslug: x\ntitle: T\n" + "k" * 100_000 + ": 1\n---\n", 4, "not valid YAML"),
    ],
)
def test_hostile_values_give_a_short_located_error(text, line, message):
    with pytest.raises(FrontMatterError, match=message) as error:
        frontmatter.parse(text, "bad.md", tz=dt.UTC)
    assert error.value.line == line
    assert len(str(error.value)) <= 320
