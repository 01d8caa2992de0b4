"""Essays outside their page: feeds (absolute footnote links), excerpts, meta descriptions."""

import re

from blog import rendering
from tests.conftest import seed_body
from tests.html_tools import Anchors

PAGE = "https://words.example/words/autonomy/"


def test_feed_footnote_links_point_at_the_essay_page():
    html = rendering.absolutize_footnotes(rendering.render(seed_body()), PAGE)
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == [f"{PAGE}#fn-1", f"{PAGE}#fn-2", f"{PAGE}#fnref-1", f"{PAGE}#fnref-2"]
    assert Anchors(html).fragments == []


def test_feed_links_leave_other_links_alone_and_escape_the_page_url():
    html = rendering.render("[a](https://x.example/#top) [b](#why) [c](/words/)")
    absolute = rendering.absolutize_footnotes(html, 'https://w.example/a"b/#old')
    assert 'href="https://x.example/#top"' in absolute
    assert 'href="https://w.example/a&quot;b/#why"' in absolute
    assert 'href="/words/"' in absolute


def test_plain_text_leaves_out_markers_notes_and_tags():
    text = rendering.plain_text(rendering.render(seed_body()))
    assert text.startswith("Autonomy is the buzzword these days. Employees all say they want it.")
    assert "\n" not in text
    assert "IMO autonomy" not in text, "the notes are not part of the running text"
    assert "↩" not in text
    assert not re.search(r"[<>]|\(\d\)|it1|\"managers\"2", text)
    assert 'execs or "managers", we: Talked to the customer. Fixed the bug.' in text


def test_plain_text_keeps_words_whole_and_decodes_entities():
    html = rendering.render("Fish &amp; chips, un*believ*able.\n\n## Next\n\nMore &lt;here&gt;.")
    assert rendering.plain_text(html) == "Fish & chips, unbelievable. Next More <here>."
    assert rendering.plain_text(html, 20) == "Fish & chips…"
    assert rendering.plain_text(html, 15) == "Fish & chips…"
    assert rendering.plain_text(html, 100) == "Fish & chips, unbelievable. Next More <here>."


def test_a_long_word_is_cut_rather_than_dropped():
    assert rendering.plain_text("<p>Supercalifragilistic</p>", 6) == "Super…"


def test_description_is_the_first_paragraph_without_markers():
    html = rendering.render("## A heading\n\nFirst(1) words.\n\nSecond.\n\n--\n\n(1) Note.")
    assert rendering.description(html) == "First words."
    assert rendering.description(rendering.render(seed_body())) == (
        "Autonomy is the buzzword these days. Employees all say they want it. "
        "Employers tell you they give it."
    )
    long = rendering.render("word " * 100)
    assert len(rendering.description(long)) <= 160
    assert rendering.description(long).endswith("word…")


def test_description_falls_back_to_all_text_when_there_is_no_paragraph():
    assert rendering.description(rendering.render("- one\n- two")) == "one two"
    assert rendering.description("") == ""
