"""blog.notes: the essay page's notes (margin copies, in-place popovers) from stored HTML.

What readers see where is the browser's part (tests/browser/test_sidenotes.py); here, the
markup: complete, valid where it stands, announced once, and only on the essay page.
"""

import re
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest

from blog import notes, rendering
from blog.notes import BLOCKS
from tests.conftest import ROOT
from tests.html_tools import Anchors
from tests.samples import NOTES_BODY, RICH_BODY


@pytest.fixture(scope="module")
def stored() -> str:
    return rendering.render(NOTES_BODY)


@pytest.fixture(scope="module")
def page(stored) -> str:
    return notes.for_page(stored, "sidenotes")


class Notes(HTMLParser):
    """The margin copies' text and tags, and the tags of every popover."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.margin: list[list[str]] = []  # per copy: tags inside it
        self.margin_text: list[str] = []
        self.popovers: list[dict] = []
        self.buttons: list[dict] = []
        self.feed(html)
        self.close()

    def _in_margin(self) -> bool:
        return any("sidenote" in (a.get("class") or "").split() for _, a in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._in_margin():
            self.margin[-1].append(tag)
            assert "id" not in attributes, "a copy has no ids of its own"
            if tag == "a":
                assert attributes.get("tabindex") == "-1", "the copy's links are not tab stops"
        if attributes.get("class") == "sidenote":
            self.margin.append([])
            self.margin_text.append("")
            assert attributes.get("aria-hidden") == "true"
        if "popover" in attributes:
            self.popovers.append(attributes)
        if tag == "button":
            self.buttons.append(attributes)
        if tag not in {"br", "hr", "img", "wbr", "col"}:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._in_margin():
            self.margin_text[-1] += data


def test_endnotes_style_and_bodies_without_notes_are_left_as_stored(stored):
    assert notes.for_page(stored, "endnotes") == stored
    plain = rendering.render("No notes here.\n\n## Nor here")
    assert notes.for_page(plain, "sidenotes") == plain


def test_every_reference_opens_its_note_in_place_and_keeps_its_link(stored, page):
    references = re.findall(r'<a href="#(fn-[^"]+)" id="fnref-[^"]+" role="doc-noteref">', stored)
    found = Notes(page)
    opened = [b["popovertarget"] for b in found.buttons if "popovertargetaction" not in b]
    assert opened == references
    assert [p["id"] for p in found.popovers] == list(dict.fromkeys(references))
    # Each popover has its close control, and each reference its accessible name.
    closers = [b["popovertarget"] for b in found.buttons if b.get("popovertargetaction")]
    assert closers == [p["id"] for p in found.popovers]
    assert all(b["aria-label"].startswith("Note ") for b in found.buttons if "aria-label" in b)
    assert page.count('role="doc-noteref"') == len(references)
    assert page.count('role="doc-backlink"') == stored.count('role="doc-backlink"')


def test_ids_stay_unique_and_every_link_and_button_has_its_target(page):
    anchors = Anchors(page)
    assert len(anchors.ids) == len(set(anchors.ids))
    assert set(anchors.fragments) <= set(anchors.ids)
    assert set(re.findall(r'popovertarget="([^"]+)"', page)) <= set(anchors.ids)


def test_each_note_has_one_margin_copy_at_its_first_reference_outside_tables(page):
    found = Notes(page)
    # 14 notes; the one in the table cell keeps its endnote only; "a" is referred to twice.
    assert len(found.margin) == 13
    assert found.margin_text[0].strip() == "1 Short A."
    assert "A note in a table." not in "".join(found.margin_text)
    assert page.count("Short A.") == 2, "margin copy and endnote, not one per reference"
    table = page[page.index("<table>") : page.index("</table>")]
    assert "sidenote" not in table


def test_a_margin_copy_is_phrasing_content_without_back_links(page):
    found = Notes(page)
    for tags in found.margin:
        assert BLOCKS.isdisjoint(tags), tags
    long = next(text for text in found.margin_text if "A long note" in text)
    assert "A second paragraph" in long
    assert 'print("code in a note")' in long
    assert "↩" not in "".join(found.margin_text)


def test_references_inside_links_get_no_margin_copy():
    stored = (
        '<p><a href="https://x.example/"><sup class="footnote-ref"><a href="#fn-1" '
        'id="fnref-1" role="doc-noteref">1</a></sup></a></p>\n'
        '<section class="footnotes" role="doc-endnotes">\n<ol>\n<li id="fn-1">\n<p>N.</p>\n'
        "</li>\n</ol>\n</section>\n"
    )
    page = notes.for_page(stored, "sidenotes")
    assert 'popovertarget="fn-1"' in page
    assert "sidenote" not in page


def test_hand_written_references_to_no_note_are_left_alone():
    stored = rendering.render(
        '<sup class="footnote-ref"><a href="#fn-9" id="fnref-9" role="doc-noteref">9</a></sup>'
        "\n\nText.[^1]\n\n[^1]: A note."
    )
    page = notes.for_page(stored, "sidenotes")
    assert '<a href="#fn-9" id="fnref-9" role="doc-noteref">9</a>' in page
    assert 'popovertarget="fn-9"' not in page
    assert 'popovertarget="fn-1"' in page


def test_many_notes_take_linear_time():
    body = "".join(f"Claim {n}.[^{n}] " for n in range(2000))
    body += "\n\n" + "\n".join(f"[^{n}]: Note {n} with *words*." for n in range(2000))
    stored = rendering.render(body)
    start = time.perf_counter()
    page = notes.for_page(stored, "sidenotes")
    elapsed = time.perf_counter() - start
    assert page.count('class="sidenote"') == 2000
    assert elapsed < 1.0, f"{elapsed:.2f}s for 2,000 notes"


@pytest.mark.django_db
def test_only_the_essay_page_gets_sidenotes(client, make_post, settings):
    post = make_post(slug="notes", body=RICH_BODY)
    html = client.get(post.get_absolute_url()).text
    assert 'class="sidenote"' in html
    assert "popovertarget" in html
    assert "popover" not in post.body_html, "stored HTML keeps plain endnotes"
    for feed in ("/atom.xml", "/rss.xml"):
        text = client.get(feed).text
        assert "popover" not in text
        assert "sidenote" not in text
        assert "/words/notes/#fn-1" in text, "feeds link to the notes on the page"
    assert "sidenote" not in client.get("/words/").text


@pytest.mark.django_db
def test_endnotes_only_when_the_writer_says_so(client, make_post, settings):
    settings.SITE_NOTES = "endnotes"
    post = make_post(body=RICH_BODY)
    html = client.get(post.get_absolute_url()).text
    assert post.body_html in html
    assert "popover" not in html
    assert "sidenote" not in html


@pytest.mark.django_db
def test_the_preview_places_notes_as_the_page_does(writer_client, make_post):
    post = make_post(body=NOTES_BODY)
    preview = writer_client.post("/admin/markdownx/markdownify/", {"content": NOTES_BODY})
    assert preview.text == notes.for_page(post.body_html)
    assert preview.text in writer_client.get(post.get_absolute_url()).text


def test_a_mistyped_notes_setting_stops_the_site_with_a_clear_error():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={"DJANGO_DEBUG": "1", "DJANGO_SITE_NOTES": "margin", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SITE_NOTES must be sidenotes or endnotes, not 'margin'" in result.stderr
