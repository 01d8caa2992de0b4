"""Hostile and odd input: bounded output, messages for the writer, feeds that can't fail.

Speed is measured in bench/adversarial.py; here, what the output is.
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog import rendering
from blog.rendering import guard, markup, parser
from blog.rendering.guard import MAX_DEPTH
from blog.rendering.markup import HIGHLIGHT_BUDGET
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


def test_quote_markers_past_the_cap_in_fenced_code_are_code():
    line = ">" * (MAX_DEPTH + 8) + " arrows"
    html = rendering.render(f"```\n{line}\n```\n\n{line}")
    assert html.startswith(f"<pre><code>{'&gt;' * (MAX_DEPTH + 8)} arrows\n</code></pre>")
    assert html.count("<blockquote>") == MAX_DEPTH


# Markdown the guard is skipped on: pieces of every construct but raw HTML, and the
# shapes that make cmark-gfm's own markup unbalanced (a footnote in a link) or deep.
_MARKDOWN = [
    *["word", " ", "\n", "\n\n", "> ", "- ", "1. ", "   ", "    ", "*", "**", "_", "~~", "`"],
    *["[a](/b)", "[", "](u)", "![i](/j.png)", "[^1]", "\n\n[^1]: n", "# ", "---", "| a |"],
    *["\n| - |", "```\n", "a <b", "<https://x.y>", "&amp;", "\\", "\n\n    code"],
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MARKDOWN), max_size=60).map("".join))
def test_where_the_guard_is_skipped_it_would_change_nothing(text):
    html = parser.to_html(text)
    if not guard.needed(text, html):
        assert guard.balance(html) == html


@pytest.mark.parametrize(
    "body",
    ["[a *b [^1] c*](u)", "[<https://x.y>](u)", "<b>x", "x\n\n" + "> - " * MAX_DEPTH + "deep"],
)
def test_the_guard_runs_on_a_link_in_a_link_raw_html_and_depth(body):
    text = body + "\n\n[^1]: n"
    assert guard.needed(text, parser.to_html(text))


def test_code_past_the_highlighting_budget_stays_plain_and_check_says_where():
    block = "```python\nx = 1\n```\n\n"
    body = block * 100 + "```python\n" + "y = 2\n" * (HIGHLIGHT_BUDGET // 6) + "```\n\n" + block
    html = rendering.render(body)
    highlighted = html.count('<div class="highlight"><pre><code>')
    assert highlighted == 100
    assert html.count("<pre><code>") - highlighted == 2
    assert rendering.check(body) == [
        f"line 401: more than {HIGHLIGHT_BUDGET:,} characters of code: this block and those "
        "after it are not highlighted"
    ]


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


# check() looks for the source lines only when the plain HTML shows something to say.
_CHECKED = [*_MARKDOWN, "<b>", "</i>", "<textarea>", '<abbr title="x">y</abbr>', "<!--", "\x0b"]
_CHECKED += ["```python\nx = 1\n```\n", "<div>", "> " * 5]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CHECKED), max_size=60).map("".join))
def test_check_skips_the_source_lines_only_where_they_would_find_nothing(text):
    text = guard.cap_quotes(guard.unclosed_raw_blocks(text)[0])
    html = parser.to_html(text)
    if not guard.needed(text, html) and not markup.unhighlighted(html):
        assert rendering._located_problems(text) == []
