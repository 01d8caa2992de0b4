"""Conditional GET: a revisit with the validators it was given gets 304 Not Modified."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.http import http_date

from blog.models import Post

pytestmark = pytest.mark.django_db

URLS = ["/", "/words/", "/words/2023/", "/words/essay/", "/atom.xml", "/rss.xml"]


@pytest.fixture
def essay(make_post):
    return make_post(slug="essay", title="Essay", date=dt.date(2023, 9, 9))


@pytest.mark.parametrize("url", URLS)
def test_a_revisit_with_the_etag_gets_304(client, essay, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"]
    assert "max-age=" in first["Cache-Control"]
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize("url", URLS)
def test_a_revisit_with_the_date_gets_304(client, essay, url):
    first = client.get(url)
    assert first["Last-Modified"]
    again = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


@pytest.mark.parametrize("url", URLS)
def test_an_edit_changes_the_answer(client, essay, url):
    first = client.get(url)
    essay.title = "Essay, revised"
    essay.save()
    # Last-Modified counts whole seconds: move the edit clearly past the first visit.
    Post.objects.filter(pk=essay.pk).update(updated=timezone.now() + dt.timedelta(seconds=5))
    again = client.get(
        url,
        headers={"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]},
    )
    assert again.status_code == 200
    assert "Essay, revised" in again.content.decode()
    date_only = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert date_only.status_code == 200


def test_a_new_neighbour_changes_an_essay_page(client, essay, make_post):
    first = client.get("/words/essay/")
    make_post(title="The next one")
    again = client.get("/words/essay/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert "The next one" in again.content.decode()


def test_an_essay_appearing_at_midnight_is_news_even_if_edited_long_ago(client, essay, make_post):
    """A post dated today was saved days ago: the list still counts it as modified today."""
    make_post(title="Scheduled")
    Post.objects.update(updated=timezone.now() - dt.timedelta(days=7))
    modified_yesterday = http_date((timezone.now() - dt.timedelta(days=1)).timestamp())
    response = client.get("/words/", headers={"if-modified-since": modified_yesterday})
    assert response.status_code == 200


def test_search_is_never_cached(client, essay):
    response = client.get("/words/?q=essay")
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("ETag")
