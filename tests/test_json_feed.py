"""/feed.json: JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), beside Atom and RSS."""

import datetime as dt
import json
import re

import feedparser
import pytest

from blog.models import Post, Topic
from tests.samples import RICH_BODY

pytestmark = pytest.mark.django_db

# The spec's top-level and item keys, with their JSON types; those it requires.
FEED_KEYS = {
    "version": str,
    "title": str,
    "home_page_url": str,
    "feed_url": str,
    "description": str,
    "user_comment": str,
    "next_url": str,
    "icon": str,
    "favicon": str,
    "authors": list,
    "language": str,
    "expired": bool,
    "hubs": list,
    "items": list,
}
ITEM_KEYS = {
    "id": str,
    "url": str,
    "external_url": str,
    "title": str,
    "content_html": str,
    "content_text": str,
    "summary": str,
    "image": str,
    "banner_image": str,
    "date_published": str,
    "date_modified": str,
    "authors": list,
    "tags": list,
    "language": str,
    "attachments": list,
}


def rfc3339(value: str) -> bool:
    pattern = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"
    return re.fullmatch(pattern, value) is not None


def valid_feed(document: dict) -> list[str]:
    """What in `document` breaks JSON Feed 1.1 (an empty list: nothing)."""
    problems = [f"{key}: unknown" for key in document if key not in FEED_KEYS]
    problems += [
        f"{key}: not {kind.__name__}"
        for key, kind in FEED_KEYS.items()
        if key in document and not isinstance(document[key], kind)
    ]
    if document.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version: not 1.1")
    problems += [f"{key}: missing" for key in ("version", "title", "items") if key not in document]
    for author in document.get("authors", []):
        if not set(author) & {"name", "url", "avatar"}:
            problems.append("an author without name, url or avatar")
    for number, item in enumerate(document.get("items", [])):
        problems += [f"item {number}: {key} unknown" for key in item if key not in ITEM_KEYS]
        problems += [
            f"item {number}: {key} not {kind.__name__}"
            for key, kind in ITEM_KEYS.items()
            if key in item and not isinstance(item[key], kind)
        ]
        if "id" not in item:
            problems.append(f"item {number}: no id")
        if not ("content_html" in item or "content_text" in item):
            problems.append(f"item {number}: no content_html or content_text")
        problems += [
            f"item {number}: {key} is not RFC 3339"
            for key in ("date_published", "date_modified")
            if key in item and not rfc3339(item[key])
        ]
        if not all(isinstance(tag, str) for tag in item.get("tags", [])):
            problems.append(f"item {number}: a tag that isn't a string")
    return problems


def json_feed(client) -> dict:
    response = client.get("/feed.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    document = json.loads(response.content)
    assert valid_feed(document) == []
    return document


def test_the_validator_finds_what_breaks_the_spec():
    broken = {"version": "https://jsonfeed.org/version/1", "items": [{"id": 1}], "x": 1}
    assert set(valid_feed(broken)) == {
        "x: unknown",
        "version: not 1.1",
        "title: missing",
        "item 0: id not str",
        "item 0: no content_html or content_text",
    }


def test_the_json_feed_holds_the_same_twenty_essays_as_atom(client, make_post, tomorrow):
    for n in range(25):
        make_post(title=f"Essay number {n}", date=dt.date(2022, 1, 1) + dt.timedelta(days=n))
    make_post(title="A draft", status=Post.Status.DRAFT)
    make_post(title="Not yet", date=tomorrow)
    document = json_feed(client)
    atom = feedparser.parse(client.get("/atom.xml").content)
    assert [item["title"] for item in document["items"]] == [e.title for e in atom.entries]
    assert len(document["items"]) == 20
    assert document["title"] == "Words"
    assert document["home_page_url"] == "http://testserver/words/"
    assert document["feed_url"] == "http://testserver/feed.json"


def test_items_carry_the_whole_essay_with_absolute_footnote_links(client, make_post):
    post = make_post(slug="notes", title="Notes", body=RICH_BODY, date=dt.date(2024, 5, 20))
    post.topics.add(Topic.objects.create(name="Autonomy"))
    (item,) = json_feed(client)["items"]
    assert item["id"] == item["url"] == "http://testserver/words/notes/"
    assert "external_url" not in item
    assert "<blockquote>" in item["content_html"]
    hrefs = re.findall(r'href="([^"]*)"', item["content_html"])
    assert "http://testserver/words/notes/#fn-1" in hrefs
    assert not [href for href in hrefs if href.startswith("#")]
    assert item["summary"].startswith("Autonomy is the buzzword these days.")
    assert item["date_published"].startswith("2024-05-20T00:00:00")
    assert item["tags"] == ["Autonomy"]


def test_a_link_post_names_its_link(client, make_post):
    make_post(slug="elsewhere", external_link="https://example.com/x", title="Fish & <chips>")
    (item,) = json_feed(client)["items"]
    assert item["external_url"] == "https://example.com/x"
    assert item["url"] == "http://testserver/words/elsewhere/"
    assert item["title"] == "Fish & <chips>"


def test_any_character_an_essay_holds_keeps_the_feed_valid(client, make_post):
    post = make_post()
    Post.objects.filter(pk=post.pk).update(
        title="a\x0bb", body_html="<p>soft\x1bbreak \u2028 ok</p>"
    )
    (item,) = json_feed(client)["items"]
    assert item["title"] == "a\x0bb"
    assert "soft\x1bbreak" in item["content_html"]


def test_an_empty_json_feed_is_valid(client):
    assert json_feed(client)["items"] == []


def test_every_page_announces_the_json_feed(client, make_post):
    post = make_post()
    for url in ("/", "/words/", post.get_absolute_url(), "/words/topics/"):
        html = client.get(url).content.decode()
        assert (
            '<link rel="alternate" type="application/feed+json" title="Words (JSON Feed)" '
            'href="/feed.json">'
        ) in html, url
