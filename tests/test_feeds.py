"""Atom and RSS: what feed readers get."""

import datetime as dt
import re

import feedparser
import pytest
from django.db import connection

from blog import rendering
from blog.models import Post
from tests.samples import RICH_BODY

pytestmark = pytest.mark.django_db

FEEDS = ["/atom.xml", "/rss.xml"]


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def content_of(entry) -> str:
    """The full HTML of an entry: Atom's <content>, RSS's <description>."""
    return entry.content[0].value if "content" in entry else entry.description


@pytest.mark.parametrize(("url", "version"), [("/atom.xml", "atom10"), ("/rss.xml", "rss20")])
def test_feeds_parse_cleanly(client, make_post, url, version, settings):
    settings.SITE_NAME = "Field Notes"
    make_post(title="An essay", body=RICH_BODY)
    feed = parse(client, url)
    assert feed.version == version
    assert feed.feed.title == "Field Notes"
    assert feed.feed.link == "http://testserver/words/"
    assert len(feed.entries) == 1


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_carry_the_full_rendered_essay(client, make_post, url):
    make_post(slug="notes", title="Notes", body=RICH_BODY)
    entry = parse(client, url).entries[0]
    html = content_of(entry)
    assert "<h2" in html
    assert "<blockquote>" in html
    assert "That is autonomy." in html
    assert entry.link == "http://testserver/words/notes/"
    assert entry.id == "http://testserver/words/notes/"


@pytest.mark.parametrize("url", FEEDS)
def test_footnote_links_in_feeds_are_absolute(client, make_post, url):
    make_post(slug="notes", body=RICH_BODY)
    html = content_of(parse(client, url).entries[0])
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert "http://testserver/words/notes/#fn-1" in hrefs
    assert "http://testserver/words/notes/#fnref-1" in hrefs
    assert not [href for href in hrefs if href.startswith("#")]


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_hold_the_latest_twenty_published(client, make_post, url, tomorrow):
    start = dt.date(2022, 1, 1)
    for n in range(25):
        make_post(title=f"Essay number {n}", date=start + dt.timedelta(days=n))
    make_post(title="A draft", status=Post.Status.DRAFT)
    make_post(title="Not yet", date=tomorrow)
    titles = [entry.title for entry in parse(client, url).entries]
    assert titles == [f"Essay number {n}" for n in range(24, 4, -1)]


@pytest.mark.parametrize("url", FEEDS)
def test_a_link_post_points_to_its_external_url(client, make_post, url):
    make_post(
        slug="elsewhere",
        title="Elsewhere",
        external_link="https://www.posthog.com/blog/x",
        body="Worth a read.",
    )
    entry = parse(client, url).entries[0]
    assert entry.link == "https://www.posthog.com/blog/x"
    assert entry.id == "http://testserver/words/elsewhere/"
    assert 'href="https://www.posthog.com/blog/x"' in content_of(entry)


def test_atom_summary_is_plain_text_without_footnote_markers(client, make_post):
    make_post(slug="notes", body=RICH_BODY)
    entry = parse(client, "/atom.xml").entries[0]
    assert entry.summary.startswith("Autonomy is the buzzword these days. Everyone says")
    assert "Not for everyone" not in entry.summary


def test_feed_text_is_escaped(client, make_post):
    make_post(title="Fish & <chips>", body="Plain &lt;b&gt; text.")
    atom = client.get("/atom.xml").content.decode()
    assert "<chips>" not in atom
    entry = parse(client, "/atom.xml").entries[0]
    assert entry.title == "Fish & <chips>"
    assert "<b>" not in entry.summary


@pytest.mark.parametrize("url", FEEDS)
def test_an_empty_feed_is_valid(client, url):
    assert parse(client, url).entries == []


@pytest.mark.parametrize("url", FEEDS)
def test_entries_are_dated_by_the_essay(client, make_post, url):
    make_post(date=dt.date(2023, 9, 9))
    entry = parse(client, url).entries[0]
    assert entry.published_parsed[:3] == (2023, 9, 9)


# The renderer's footnote HTML, as its contract gives it (see the design notes).
CONTRACT_HTML = (
    '<p>Text<sup class="footnote-ref"><a href="#fn-1" id="fnref-1" role="doc-noteref">1</a>'
    '</sup> and <a href="https://example.com/">out</a>.</p>\n'
    '<section class="footnotes" role="doc-endnotes"><ol><li id="fn-1"><p>A note '
    '<a href="#fnref-1" class="footnote-backref" role="doc-backlink" '
    'aria-label="Back to reference 1">↩</a></p></li></ol></section>\n'
)


def test_absolutize_footnotes_points_in_page_links_at_the_page():
    html = rendering.absolutize_footnotes(CONTRACT_HTML, "https://example.org/words/a/")
    assert 'href="https://example.org/words/a/#fn-1"' in html
    assert 'href="https://example.org/words/a/#fnref-1"' in html
    assert 'href="https://example.com/"' in html
    assert 'id="fnref-1"' in html


def test_plain_text_leaves_out_footnote_markers_and_notes():
    assert rendering.plain_text(CONTRACT_HTML) == "Text and out."
    assert rendering.plain_text("<p>One two three four</p>", 12) == "One two…"
    assert rendering.plain_text("<p>Fish &amp; chips</p>") == "Fish & chips"


@pytest.mark.parametrize("url", FEEDS)
@pytest.mark.parametrize(
    "character", ["\x0b", "\x1b", "\x00", "\x08", "\x0c", "\x1f", "\ufffe", "\uffff"]
)
def test_no_single_essay_can_make_a_feed_fail(client, make_post, settings, url, character):
    """Characters XML cannot carry, stored by any way around the form's checks (an older
    row, a raw update), are left out of every text the feed writes."""
    if character == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL stores no NUL in text: no row can carry one to a feed")
    make_post(title="A fine essay")
    post = make_post(slug="pasted", external_link="https://example.com/x")
    Post.objects.filter(pk=post.pk).update(
        title=f"a{character}b",
        body_html=f"<p>soft{character}break</p>",
        external_link=f"https://example.com/{character}x",
    )
    settings.SITE_NAME = f"Words{character}"
    feed = parse(client, url)
    assert feed.feed.title == "Words"
    titles = [entry.title for entry in feed.entries]
    assert titles == ["ab", "A fine essay"] or titles == ["A fine essay", "ab"]
    pasted = next(entry for entry in feed.entries if entry.title == "ab")
    assert "softbreak" in content_of(pasted)


@pytest.mark.parametrize("url", FEEDS)
def test_tab_and_line_breaks_stay_in_feeds(client, make_post, url):
    post = make_post()
    Post.objects.filter(pk=post.pk).update(body_html="<pre>a\tb\r\nc\nd</pre>")
    assert "a\tb\nc\nd" in content_of(parse(client, url).entries[0]).replace("\r\n", "\n")
