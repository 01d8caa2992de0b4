import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from blog.models import Post

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


def test_sitemap_lists_published_essays_with_lastmod(client, make_post, tomorrow):
    post = make_post(slug="visible", date=dt.date(2023, 9, 9))
    make_post(slug="draft", status=Post.Status.DRAFT)
    make_post(slug="future", date=tomorrow)
    found = entries(client)
    assert found["http://testserver/words/visible/"] == post.updated.date().isoformat()
    assert "http://testserver/words/draft/" not in found
    assert "http://testserver/words/future/" not in found


def test_link_posts_are_left_to_the_page_they_link_to(client, make_post):
    make_post(slug="elsewhere", external_link="https://example.com/a")
    assert "http://testserver/words/elsewhere/" not in entries(client)


def test_sitemap_lists_the_home_page_and_the_list(client, make_post):
    make_post()
    found = entries(client)
    assert "http://testserver/" in found
    assert "http://testserver/words/" in found
    assert found["http://testserver/words/"] is not None


def test_an_empty_sitemap_is_valid(client):
    assert set(entries(client)) == {"http://testserver/", "http://testserver/words/"}
