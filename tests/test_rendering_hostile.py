"""Hostile and odd input: bounded output, messages for the writer, feeds that can't fail.

Speed is measured in bench/adversarial.py; here, what the output is.
"""

import re

import pytest

from blog import rendering
from blog.rendering.guard import MAX_DEPTH
from tests.test_rendering import seed_body

PAGE = "https://words.example/words/x/"


def depth(html: str) -> int:
    """How deep block quotes, lists and divs go in the output."""
    deepest = level = 0
    for closing, _ in re.findall(r"<(/?)(blockquote|ul|ol|li|div)\b", html):
        level += -1 if closing else 1
        deepest = max(deepest, level)
    return deepest


@pytest.mark.parametrize(
    "body",
    [
        ">" * 5000 + " deep words",
        "".join("  " * i + "- deep words\n" for i in range(200)),
        "- 1. " * 2000 + "deep words",
        "<div>" * 5000 + "\n\ndeep words",
        "> " * 20 + "<div>" * 50 + "\n" + "> " * 20 + "deep words",
    ],
    ids=["quotes", "indented-lists", "one-line-lists", "divs", "quotes-and-divs"],
)
def test_nesting_is_capped_and_the_words_stay(body):
    html = rendering.render(body)
    assert "deep words" in html
    assert depth(html) <= MAX_DEPTH
    messages = rendering.check(body)
    assert any(f"more than {MAX_DEPTH} levels of nesting" in m for m in messages)


def test_nesting_under_the_cap_is_kept_and_not_reported():
    body = ">" * 10 + " ten quotes\n\n" + "".join("  " * i + "- item\n" for i in range(8))
    html = rendering.render(body)
    assert html.count("<blockquote>") == 10
    assert html.count("<ul>") == 8
    assert rendering.check(body) == []


def test_after_deep_nesting_the_rest_of_the_essay_keeps_its_shape():
    html = rendering.render(">" * 100 + " deep\n\nAfter, *emphasis*.\n\n- a list")
    assert html.endswith("<p>After, <em>emphasis</em>.</p>\n<ul>\n<li>a list</li>\n</ul>\n")


def test_a_thousand_identical_headings_get_a_thousand_ids():
    ids = re.findall(r'<h1 id="([^"]+)"', rendering.render("# a\n" * 1000 + "# a 2\n"))
    assert ids[:3] == ["a", "a-2", "a-3"]
    assert ids[-1] == "a-2-2"
    assert len(set(ids)) == 1001


@pytest.mark.parametrize(
    "body",
    [
        "".join(f"w[^{i}] " for i in range(1000))
        + "\n\n"
        + "\n\n".join(f"[^{i}]: n{i}" for i in range(1000)),
        "".join(f"w({i}) " for i in range(1, 1001))
        + "\n\n--\n\n"
        + "\n\n".join(f"({i}) n{i}" for i in range(1, 1001)),
    ],
    ids=["caret", "legacy"],
)
def test_a_thousand_footnotes_all_resolve(body):
    html = rendering.render(body)
    assert html.count('role="doc-noteref"') == 1000
    assert html.count('role="doc-backlink"') == 1000


# Messages for the writer ----------------------------------------------------------------


def test_the_seed_essay_has_nothing_to_report():
    assert rendering.check(seed_body()) == []


def test_check_names_the_line_of_each_refused_tag():
    body = "Fine.\n\nUse a <textarea> for\ninput, or <select>.\n\n<div>\n\n<iframe src=x>\n</div>\n"
    assert rendering.check(body) == [
        "line 3: <textarea> is not allowed in an essay; it is shown as text",
        "line 4: <select> is not allowed in an essay; it is shown as text",
        "line 8: <iframe> is not allowed in an essay; it is shown as text",
    ]


def test_check_counts_lines_in_lists_quotes_and_after_crlf():
    body = "One\r\n\r\n> quote\r\n>\r\n> <title>\r\n\r\n- a\r\n\r\n  b <xmp>"
    assert rendering.check(body) == [
        "line 5: <title> is not allowed in an essay; it is shown as text",
        "line 9: <xmp> is not allowed in an essay; it is shown as text",
    ]


def test_check_reports_scripts_removed_and_control_characters():
    messages = rendering.check("a\x0bb\n\nx <script>alert(1)</script>\n\nesc \x1b")
    assert messages == [
        "line 1: a control character (U+000B) is dropped",
        "line 5: a control character (U+001B) is dropped",
        "line 3: <script> is not allowed in an essay; it is removed",
    ]


def test_check_keeps_its_list_short():
    messages = rendering.check("<textarea>x</textarea>\n\n" * 500)
    assert len(messages) == rendering.MAX_MESSAGES
    assert messages[-1] == f"and {500 * 1 - rendering.MAX_MESSAGES + 1} more like these"


def test_code_and_escaped_tags_are_not_reported():
    assert rendering.check("`<textarea>` and \\<title>\n\n    <iframe>\n\n```\n<xmp>\n```") == []


# What no essay can do to a feed ---------------------------------------------------------


@pytest.mark.parametrize("character", [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32)]])
def test_c0_control_characters_never_reach_the_output(character):
    body = (
        f"a{character}b &#{ord(character)}; `c{character}d`\n\n<abbr title='t{character}'>x</abbr>"
    )
    html = rendering.render(body)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", html)


def test_a_vertical_tab_still_separates_words():
    assert rendering.render("soft\x0bbreak") == "<p>soft break</p>\n"


@pytest.mark.parametrize(
    "body",
    [
        'Write `<a href="#top">` for a link up.',
        '```html\n<a href="#top">up</a>\n```',
        '    <a href="#top">up</a>',
        'The attribute href="#top" in prose.',
    ],
    ids=["code-span", "highlighted-code", "indented-code", "prose"],
)
def test_feeds_leave_text_and_code_that_show_an_in_page_href_alone(body):
    html = rendering.render(body + "\n\nA note[^1].\n\n[^1]: n")
    absolute = rendering.absolutize_footnotes(html, PAGE)
    assert absolute.replace(f"{PAGE}#", "#") == html, "only links changed"
    assert f'href="{PAGE}#fn-1"' in absolute
    assert f'href="{PAGE}#fnref-1"' in absolute
    assert absolute.count(PAGE) == 2
