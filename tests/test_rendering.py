"""blog.rendering.render: footnotes in both syntaxes, headings, code, and the edge cases."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog import rendering
from tests.conftest import seed_body
from tests.html_tools import Anchors, normalise


def legacy(body: str, *notes: str) -> str:
    """A body in the writer's convention: `--`, then one paragraph per note."""
    return body + "\n\n--\n\n" + "\n\n".join(notes)


def noterefs(html: str) -> list[str]:
    return re.findall(r'<a href="#fn-(\w+)" id="fnref-[\w-]+" role="doc-noteref">', html)


# The seed essay -------------------------------------------------------------------------


def test_seed_has_two_footnotes_whose_links_resolve_within_the_page():
    html = rendering.render(seed_body())
    anchors = Anchors(html)
    assert noterefs(html) == ["1", "2"]
    assert html.count('<li id="fn-') == 2
    assert html.count('role="doc-backlink"') == 2
    assert len(anchors.ids) == len(set(anchors.ids)), "ids are unique"
    assert sorted(anchors.fragments) == ["fn-1", "fn-2", "fnref-1", "fnref-2"]
    assert set(anchors.fragments) <= set(anchors.ids)


def test_seed_leaves_no_legacy_syntax_behind():
    text = "".join(Anchors(rendering.render(seed_body())).text)
    assert "(1)" not in text
    assert "(2)" not in text
    assert "--" not in text
    assert "IMO autonomy is not meant for all." in text
    assert "(PostHog)" in text, "parentheses after a space are just parentheses"


def test_seed_notes_keep_their_text_and_markup():
    html = rendering.render(seed_body())
    assert re.search(r'<li id="fn-2">\s*<p>Team leads .*<em>managers</em>', html)
    assert "want it<sup" in html
    assert '"managers"<sup' in html


def test_both_syntaxes_give_the_same_html():
    body = seed_body()
    caret = re.sub(r"\((\d)\)(?= |,|\.)", r"[^\1]", body.split("\n--\n")[0])
    notes = re.findall(r"^\((\d)\) (.*)$", body, flags=re.MULTILINE)
    caret += "\n\n" + "\n\n".join(f"[^{n}]: {text}" for n, text in notes)
    assert "[^2]" in caret
    assert rendering.render(caret) == rendering.render(body)


def test_footnote_markup_follows_the_contract():
    html = rendering.render("Text[^1].\n\n[^1]: Note.")
    assert (
        '<sup class="footnote-ref"><a href="#fn-1" id="fnref-1" role="doc-noteref">1</a></sup>'
    ) in html
    assert '<section class="footnotes" role="doc-endnotes">' in html
    assert (
        '<li id="fn-1">\n<p>Note. <a href="#fnref-1" class="footnote-backref" '
        'role="doc-backlink" aria-label="Back to reference 1">↩</a></p>'
    ) in html
    assert "data-footnote" not in html


@pytest.mark.parametrize(
    "body",
    [
        legacy("It(1) and again(1).", "(1) Note."),
        "It[^1] and again[^1].\n\n[^1]: Note.",
    ],
    ids=["legacy", "caret"],
)
def test_a_note_referenced_twice_has_a_numbered_second_back_link(body):
    html = rendering.render(body)
    assert 'id="fnref-1"' in html
    assert 'id="fnref-1-2"' in html
    assert re.search(r'href="#fnref-1-2"[^>]*role="doc-backlink"[^>]*>↩<sup>2</sup></a>', html)
    anchors = Anchors(html)
    assert set(anchors.fragments) <= set(anchors.ids)


# Legacy edge cases ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "literal"),
    [
        ("Call `f(1)` here, see it(1).", "<code>f(1)</code>"),
        ("See it(1).\n\n```\nf(1)\n```", "<pre><code>f(1)\n</code></pre>"),
        ("See it(1).\n\n    g(1)", "<pre><code>g(1)\n</code></pre>"),
        ("See it(1).\n\n>     q(1)", "<pre><code>q(1)\n</code></pre>"),
        ("See it(1).\n\n> > \tt(1)", "<pre><code>t(1)\n</code></pre>"),
        ("See it(1).\n\n~~~ text\nh(1)\n~~~", "h(1)"),
        ("See it(1), in [a link(1)](/x).", '<a href="/x">a link(1)</a>'),
        ("See it(1) or [this](https://w.org/F(1)).", 'href="https://w.org/F(1)"'),
        ('See it(1), <abbr title="t(1)">T</abbr>.', '<abbr title="t(1)">T</abbr>'),
        ("See it(1).\n\n<details>\nraw(1) HTML\n</details>", "\nraw(1) HTML\n"),
        ("See it(1).\n\n![a cat(1)](/cat.png)", 'alt="a cat(1)"'),
        ("See it(1) [and(1)][r].\n\n[r]: /x", '<a href="/x">and(1)</a>'),
    ],
    ids=[
        *["code-span", "fenced", "indented", "indented-in-quote", "tab-in-quotes"],
        *["tilde-fence", "link-text", "link-url"],
        *["html-attribute", "html-block", "image-alt", "reference-link"],
    ],
)
def test_markers_in_code_links_and_html_stay_literal(body, literal):
    html = rendering.render(legacy(body, "(1) The note."))
    assert literal in html
    assert noterefs(html) == ["1"], "the marker in running text still becomes a footnote"


# Pieces of essays with markers, and of what can hide one (or seem to): the trial of only
# the runs of lines that need it must find what the trial of the whole essay finds.
_NEAR_MARKERS = [
    *["it", "(1)", "(2)", " ", "\n", "\n\n", " \n", "\n\n\n", "`", "``", "*", "_", "!", "\\"],
    *["[a](/b)", "[", "](", ")", "]", '<abbr title="t', '">', "</abbr>", "<", ">", "> "],
    *["- ", "1. ", "  ", "   ", "|", "\n|-|", "# ", "<https://x.y/", "<div>", "<b>", "[^1]"],
    *["---", "\n===", "&amp;", '"', "'"],
]


# Most of them without what reaches past a blank line (then every run is tried alone).
_NEAR_ONLY = [piece for piece in _NEAR_MARKERS if piece not in ("  ", "   ", "<")]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_NEAR_MARKERS), max_size=50).map("".join)
    | st.lists(st.sampled_from(_NEAR_ONLY), max_size=50).map("".join)
)
def test_markers_tried_run_by_run_are_those_tried_in_the_whole_essay(body):
    from blog.rendering import legacy, parser

    candidates = list(legacy._MARKER.finditer(body))
    whole = (
        legacy._tried(body, [(0, len(body))], candidates, parser.to_html) if candidates else set()
    )
    assert legacy._markers_in_text(body, candidates, parser.to_html) == whole


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_NEAR_MARKERS), max_size=50).map("".join)
    | st.lists(st.sampled_from(_NEAR_ONLY), max_size=50).map("".join),
    st.sampled_from(["(1) One.", "(1) One.\n\n(2) Two.", "(2) Two [x]: /y.", "(1) `c`"]),
)
def test_markers_taken_for_footnotes_at_once_are_those_tried(body, notes):
    from blog.rendering import legacy, parser

    text = f"{body}\n\n--\n\n{notes}\n"
    translated = legacy.translate(text, parser.to_html)
    assert legacy.translate_and_parse(text, parser.to_html) == (
        translated,
        parser.to_html(translated),
    )


_FOOTNOTED = [
    *["w", " ", "\n", "\n\n", "[^1]", "[^2]", "[^A]", "[^a]", "[^1]: n", "[^2]: ", "[^a]: x"],
    *["    ", "> ", "- ", "[", "](/u)", "`", "*", "\n\n[^1]: dup [^2]", "\n\n[^2]: [^1] in"],
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FOOTNOTED), max_size=40).map("".join))
def test_every_reference_written_has_its_back_link(body):
    """So markup._footnotes looks for a dangling back-link only when they outnumber them."""
    from blog.rendering import markup, parser

    html = parser.to_html(body)
    references = markup._REF_ID.findall(html)
    back_links = markup._BACKREF_ID.findall(html)
    assert len(set(references)) == len(references) == html.count(" data-footnote-ref>")
    assert len(set(back_links)) == len(back_links) == html.count('class="footnote-backref"')
    assert set(references) <= set(back_links)


def test_a_marker_after_an_exclamation_mark_is_not_an_image():
    html = rendering.render(legacy("Wild!(1) Really.", "(1) Note."))
    assert "Wild!<sup" in html
    assert noterefs(html) == ["1"]


def test_markers_work_in_headings_lists_quotes_and_tables():
    body = "## Title(1)\n\n- item(2)\n\n> quote(3)\n\n| a | b |\n|---|---|\n| c(4) | `d` |"
    html = rendering.render(legacy(body, "(1) A.", "(2) B.", "(3) C.", "(4) D."))
    assert noterefs(html) == ["1", "2", "3", "4"]
    assert '<h2 id="title">' in html


def test_a_number_without_a_note_stays_literal():
    html = rendering.render(legacy("One(1) and three(3).", "(1) Note."))
    assert "three(3)." in html
    assert noterefs(html) == ["1"]


def test_a_note_number_at_the_start_of_a_body_line_stays_literal():
    html = rendering.render(legacy("It(1).\n(1) is not a marker here.\n\n(2) Nor here.", "(1) N."))
    assert "(1) is not a marker here." in html
    assert "<p>(2) Nor here.</p>" in html
    assert noterefs(html) == ["1"]


@pytest.mark.parametrize(
    ("body", "shown"),
    [("It (1).", "<p>It (1).</p>"), (r"It\(1).", "<p>It(1).</p>")],
    ids=["after-space", "escaped"],
)
def test_markers_after_a_space_or_escaped_stay_literal(body, shown):
    html = rendering.render(legacy(body, "(1) Note."))
    assert html.startswith(shown)
    assert noterefs(html) == []


def test_a_separator_right_under_a_paragraph_does_not_make_a_heading():
    html = rendering.render("The last paragraph(1).\n--\n(1) The note.")
    assert "<h2" not in html
    assert "<p>The last paragraph<sup" in html
    assert noterefs(html) == ["1"]


def test_a_note_nothing_refers_to_stays_visible():
    html = rendering.render(legacy("It(1).", "(1) Used.", "(2) Never referenced."))
    assert "<hr>\n<p>(2) Never referenced.</p>" in html
    assert noterefs(html) == ["1"]


def test_notes_without_any_marker_stay_as_written_after_a_rule():
    html = rendering.render(legacy("No markers at all.", "(1) A note."))
    assert html == "<p>No markers at all.</p>\n<hr>\n<p>(1) A note.</p>\n"


def test_a_note_may_run_over_several_lines():
    html = rendering.render(legacy("It(1).", "(1) First line\nsecond line."))
    assert re.search(r'<li id="fn-1">\s*<p>First line\nsecond line. <a', html)


def test_notes_may_follow_each_other_without_blank_lines():
    html = rendering.render("One(1), two(2).\n\n--\n\n(1) First.\n(2) Second.")
    assert noterefs(html) == ["1", "2"]
    assert re.search(r'<li id="fn-2">\s*<p>Second. <a', html)


def test_note_numbers_are_numbers():
    html = rendering.render(legacy("It(01) and that(2).", "(1) One.", "(02) Two."))
    assert noterefs(html) == ["1", "2"]


def test_text_after_the_notes_means_there_are_no_legacy_notes():
    body = legacy("It(1).", "(1) Looks like a note.", "But this is the essay going on.")
    html = rendering.render(body)
    assert noterefs(html) == []
    assert "<p>It(1).</p>\n<p>--</p>\n<p>(1) Looks like a note.</p>" in html


def test_a_separator_inside_a_code_block_is_code():
    html = rendering.render("It(1).\n\n```\n--\n(1) x\n```")
    assert "<pre><code>--\n(1) x\n</code></pre>" in html
    assert noterefs(html) == []


def test_only_the_last_separator_counts():
    html = rendering.render("A(1).\n\n--\n\nMiddle.\n\n--\n\n(1) Note.")
    assert noterefs(html) == ["1"]
    assert "<p>--</p>" in html, "the earlier one is the writer's text"


def test_the_quick_path_decides_as_the_full_check_does():
    """Text with no code, HTML or links skips the check by rendering: same markers."""
    quick = legacy("Plain it(1) and *that*(2).", "(1) One.", "(2) Two.")
    checked = legacy("Plain it(1) and *that*(2). `code`", "(1) One.", "(2) Two.")
    assert noterefs(rendering.render(quick)) == noterefs(rendering.render(checked)) == ["1", "2"]


def test_windows_line_endings_render_the_same():
    body = seed_body()
    assert rendering.render(body.replace("\n", "\r\n")) == rendering.render(body)


# Headings -------------------------------------------------------------------------------


def test_headings_get_ids_from_their_text():
    html = rendering.render("## Why *autonomy* matters, really?\n\n### Café & co")
    assert '<h2 id="why-autonomy-matters-really">' in html
    assert '<h3 id="café-co">' in html


def test_heading_ids_are_unique_and_stable():
    body = "# Notes\n\n## Notes\n\n## Notes 2\n\n## Notes"
    ids = re.findall(r'<h\d id="([^"]+)"', rendering.render(body))
    assert ids == ["notes", "notes-2", "notes-2-2", "notes-3"]
    assert ids == re.findall(r'<h\d id="([^"]+)"', rendering.render(body + "\n\nMore text."))


def test_heading_ids_never_collide_with_footnote_ids():
    html = rendering.render("## fn 1\n\n## Fnref 1\n\n## Main\n\nText[^1].\n\n[^1]: Note.")
    anchors = Anchors(html)
    assert len(anchors.ids) == len(set(anchors.ids))
    assert re.findall(r'<h2 id="([^"]+)"', html) == ["h-fn-1", "h-fnref-1", "main-2"]


def test_a_heading_id_leaves_out_footnote_markers_and_empty_headings_get_one():
    html = rendering.render("## Title[^1]\n\n## !!!\n\n[^1]: Note.")
    assert '<h2 id="title">' in html
    assert '<h2 id="section">' in html


# Code -----------------------------------------------------------------------------------


def test_fenced_code_with_a_language_is_highlighted_with_classes():
    html = rendering.render('```python\ndef f(x):\n    return "<b>"\n```')
    assert html.startswith('<div class="highlight"><pre><code>')
    assert '<span class="k">def</span>' in html
    assert '<span class="s2">"&lt;b&gt;"</span>' in html
    assert "style=" not in html
    assert "<b>" not in html


def test_highlighting_keeps_the_code_exactly():
    code = "\n\nx  =  1\t# tab\n\n"
    html = rendering.render(f"```python\n{code}```")
    pattern = r'<div class="highlight"><pre><code>(.*)</code></pre></div>\n'
    inside = re.fullmatch(pattern, html, re.DOTALL)
    assert "".join(Anchors(inside.group(1)).text) == code


@pytest.mark.parametrize("info", ["", "no-such-language", 'x" onclick="y'])
def test_code_without_a_known_language_is_plain_escaped_code(info):
    html = rendering.render(f"```{info}\n<script>alert(1)</script>\n```")
    assert html == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"


def test_the_language_name_is_case_insensitive():
    assert '<div class="highlight">' in rendering.render("```Python\nx = 1\n```")


# Markdown -------------------------------------------------------------------------------


def test_tables_and_strikethrough():
    html = rendering.render("| a | b |\n|:-:|---|\n| 1 | ~~2~~ |\n\n~5 to ~10 minutes")
    assert normalise(html) == normalise(
        '<table><thead><tr><th class="align-center">a</th><th>b</th></tr></thead>'
        '<tbody><tr><td class="align-center">1</td><td><del>2</del></td></tr></tbody></table>'
        "<p>~5 to ~10 minutes</p>"
    )


def test_bare_urls_stay_text_and_angle_brackets_link():
    html = rendering.render("See https://example.org or <https://example.org/x>.")
    assert html == (
        '<p>See https://example.org or <a href="https://example.org/x">'
        "https://example.org/x</a>.</p>\n"
    )


def test_empty_text_renders_to_nothing():
    assert rendering.render("") == ""


# Any text -------------------------------------------------------------------------------

_PIECES = [
    *["word", " ", "\n", "\n\n", "(1)", "(2)", "(3)", "[^1]", "[^2]", "\n\n[^1]: n", "!", '"'],
    *["\n\n--\n\n(1) One.", "\n\n(2) Two.", "\n--\n(1) x", "## Heading", "\n\n## fn 1\n\n"],
    *["`", "```python\n", "\n```\n", "    ", "[a](/b)", "<b>", "</b>", "*", "_", "\\", "- "],
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_in_page_links_always_resolve_and_ids_are_unique(text):
    anchors = Anchors(rendering.render(text))
    assert len(anchors.ids) == len(set(anchors.ids))
    assert set(anchors.fragments) <= set(anchors.ids)
