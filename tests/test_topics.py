"""Topics: one whatever the case, their pages and feeds for readers, renames, the admin."""

import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from blog.models import OldTopicSlug, Post, Topic
from site_config import identity
from tests.conftest import post_form

pytestmark = pytest.mark.django_db


def topic(name: str) -> Topic:
    return Topic.objects.create(name=name)


# The model --------------------------------------------------------------------------------


def test_a_topic_is_one_whatever_its_case_and_spacing():
    remote = topic("Remote work")
    assert remote.slug == "remote-work"
    for spelling in ("remote work", "REMOTE  WORK", " Remote work "):
        with pytest.raises(IntegrityError), transaction.atomic():
            topic(spelling)
    clash = Topic(name="remote WORK")
    with pytest.raises(ValidationError, match="already a topic of this name"):
        clash.full_clean()


def test_for_names_finds_topics_whatever_the_case_and_makes_the_missing_ones():
    remote = topic("Remote work")
    found = Topic.objects.for_names(["remote WORK", "Hiring", "hiring ", ""])
    assert found["remote work"] == remote
    assert found["hiring"].name == "Hiring"
    assert Topic.objects.count() == 2


def test_slugs_are_unique_and_never_reuse_an_old_address():
    first = topic("C++")
    assert first.slug == "c"
    assert topic("C").slug == "c-2"
    assert topic("日本").slug == "topic"  # nothing left by slugify: still an address
    first.name = "C plus plus"
    first.save()
    # "c" is first's old address (a 301): a new topic doesn't take it.
    assert Topic.objects.for_names(["C!"])["c!"].slug == "c-3"


def test_a_renamed_topic_keeps_its_old_slugs_and_can_go_back():
    remote = topic("Remote")
    remote.name = "Remote work"
    remote.save()
    remote.name = "Distributed work"
    remote.save()
    assert remote.slug == "distributed-work"
    assert set(remote.old_slugs.values_list("slug", flat=True)) == {"remote", "remote-work"}
    remote.name = "Remote"
    remote.save()
    assert remote.slug == "remote"
    assert set(remote.old_slugs.values_list("slug", flat=True)) == {
        "remote-work",
        "distributed-work",
    }
    # A change of case keeps the address.
    remote.name = "REMOTE"
    remote.save()
    assert remote.slug == "remote"


def test_topics_is_no_essays_slug():
    post = Post(slug="topics", title="T", date=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="taken by the site's own page"):
        post.full_clean()


# Readers' pages ---------------------------------------------------------------------------


@pytest.fixture
def topics_site(make_post, tomorrow):
    """Remote work: two published essays, a draft and a future one; Drafts only: a draft."""
    remote, hiring, hidden = topic("Remote work"), topic("Hiring"), topic("Drafts only")
    a = make_post(slug="a", title="Essay A", date=dt.date(2024, 1, 2))
    b = make_post(slug="b", title="Essay B", date=dt.date(2023, 5, 6))
    draft = make_post(slug="draft", title="A draft", status=Post.Status.DRAFT)
    future = make_post(slug="future", title="Not yet", date=tomorrow)
    a.topics.set([remote, hiring])
    b.topics.set([remote])
    draft.topics.set([remote, hidden])
    future.topics.set([remote])
    return remote


def test_the_topic_list_counts_published_essays_only(client, topics_site):
    html = client.get("/words/topics/").content.decode()
    assert (
        'href="/words/topics/remote-work/">Remote work</a> <span class="topic-count">2 essays'
        in (html)
    )
    assert "1 essay<" in html  # Hiring
    assert "Drafts only" not in html
    assert '<link rel="canonical" href="http://testserver/words/topics/">' in html


def test_a_topic_page_lists_its_published_essays(client, topics_site):
    response = client.get("/words/topics/remote-work/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Essays on Remote work</h1>" in html
    assert html.index("Essay A") < html.index("Essay B")
    assert "A draft" not in html
    assert "Not yet" not in html
    assert 'type="application/atom+xml" title="Words: Remote work"' in html
    assert response["Last-Modified"]


def test_a_topic_only_drafts_have_is_not_found(client, topics_site):
    assert client.get("/words/topics/drafts-only/").status_code == 404
    assert client.get("/words/topics/drafts-only/atom.xml").status_code == 404
    assert client.get("/words/topics/nothing/").status_code == 404


def test_the_essay_page_links_its_topics(client, topics_site):
    html = client.get("/words/a/").content.decode()
    assert '<a href="/words/topics/hiring/" rel="tag">Hiring</a>' in html
    assert '<a href="/words/topics/remote-work/" rel="tag">Remote work</a>' in html
    plain = Post.objects.create(
        slug="plain", title="Plain", status=Post.Status.PUBLISHED, date=dt.date(2024, 1, 1)
    )
    assert "essay-topics" not in client.get(plain.get_absolute_url()).content.decode()


def test_a_topic_page_is_paginated_like_the_list(client, make_post):
    remote = topic("Remote")
    posts = [make_post(date=dt.date(2020, 1, 1) + dt.timedelta(days=n)) for n in range(51)]
    remote.posts.set(posts)
    first = client.get("/words/topics/remote/").content.decode()
    assert "Page 1 of 2" in first
    assert client.get("/words/topics/remote/?page=2").status_code == 200
    assert client.get("/words/topics/remote/?page=1")["Location"] == "/words/topics/remote/"
    assert client.get("/words/topics/remote/?page=3").status_code == 404


def essays_in(topic_: Topic, count: int) -> None:
    posts = Post.objects.bulk_create(
        Post(
            slug=f"{topic_.slug}-{n}",
            title=f"Essay {n}",
            date=dt.date(2020, 1, 1) + dt.timedelta(days=n),
            body="Text.",
            body_html="<p>Text.</p>\n",
            status=Post.Status.PUBLISHED,
        )
        for n in range(count)
    )
    topic_.posts.set(posts)


@pytest.mark.parametrize("count", [3, 120])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # The topic, the count, the page.
        ("/words/topics/remote/", 3),
        # The topics with their counts.
        ("/words/topics/", 1),
        # The topic, the entries, their topics.
        ("/words/topics/remote/atom.xml", 3),
    ],
)
def test_topic_pages_cost_the_same_queries_however_many_essays(
    client, django_assert_num_queries, count, url, queries
):
    essays_in(topic("Remote"), count)
    essays_in(topic("Other"), count)
    identity.current()  # read once per change, not per page (tests/test_site_settings.py)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_a_renamed_topics_old_addresses_answer_301(client, topics_site):
    topics_site.name = "Distributed work"
    topics_site.save()
    page = client.get("/words/topics/remote-work/")
    assert page.status_code == 301
    assert page["Location"] == "/words/topics/distributed-work/"
    feed = client.get("/words/topics/remote-work/atom.xml")
    assert feed.status_code == 301
    assert feed["Location"] == "/words/topics/distributed-work/atom.xml"
    assert client.get(page["Location"]).status_code == 200
    # The live topic at a slug wins over another's old one.
    assert OldTopicSlug.objects.get(slug="remote-work").topic == topics_site


def test_a_topics_feed_holds_its_published_essays(client, topics_site):
    response = client.get("/words/topics/remote-work/atom.xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.feed.title == "Words: Remote work"
    assert feed.feed.link == "http://testserver/words/topics/remote-work/"
    assert [entry.title for entry in feed.entries] == ["Essay A", "Essay B"]
    assert {tag.term for tag in feed.entries[0].tags} == {"Hiring", "Remote work"}


def test_the_sitemap_lists_topics_readers_see(client, topics_site):
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own output
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    found = {url.findtext("s:loc", namespaces=ns) for url in root.findall("s:url", ns)}
    assert "http://testserver/words/topics/remote-work/" in found
    assert "http://testserver/words/topics/hiring/" in found
    assert "http://testserver/words/topics/drafts-only/" not in found


def test_changing_an_essays_topics_makes_cached_pages_stale(client, make_post):
    post = make_post(slug="cached", title="Cached")
    assert "essay-topics" not in client.get("/words/cached/").content.decode()
    post.topics.add(topic("Fresh"))
    assert 'rel="tag">Fresh</a>' in client.get("/words/cached/").content.decode()
    Topic.objects.filter(name="Fresh").get().posts.clear()
    assert "essay-topics" not in client.get("/words/cached/").content.decode()


def test_renaming_a_topic_makes_cached_pages_stale(client, make_post):
    fresh = topic("Fresh")
    make_post(slug="cached").topics.add(fresh)
    assert 'rel="tag">Fresh</a>' in client.get("/words/cached/").content.decode()
    fresh.name = "Renamed"
    fresh.save()
    assert 'rel="tag">Renamed</a>' in client.get("/words/cached/").content.decode()


# The admin ----------------------------------------------------------------------------------


def topic_names(client, term: str = "") -> list[dict]:
    query = {"app_label": "blog", "model_name": "post", "field_name": "topics", "term": term}
    response = client.get("/admin/blog/topic/names/", query)
    assert response.status_code == 200
    return response.json()["results"]


def test_the_autocomplete_answers_names(admin_client):
    topic("Remote work")
    topic("Hiring")
    assert topic_names(admin_client, "rem") == [{"id": "Remote work", "text": "Remote work"}]


def test_the_autocomplete_is_for_staff_who_may_see_topics(staff_client):
    query = {"app_label": "blog", "model_name": "post", "field_name": "topics"}
    assert Client().get("/admin/blog/topic/names/", query).status_code == 302
    assert staff_client.get("/admin/blog/topic/names/", query).status_code == 403


def test_the_essay_form_takes_new_and_existing_topics_by_name(admin_client):
    remote = topic("Remote work")
    data = post_form(slug="with-topics")
    response = admin_client.post(
        "/admin/blog/post/add/", {**data, "topics": ["remote WORK", "Hiring", "hiring"]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="with-topics")
    assert set(post.topics.all()) == {remote, Topic.objects.get(name="Hiring")}
    form = admin_client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert '<option value="Hiring" selected>Hiring</option>' in form
    assert 'data-tags="true"' in form
    assert 'data-ajax--url="/admin/blog/topic/names/"' in form


def test_a_refused_essay_form_makes_no_topic(admin_client):
    response = admin_client.post(
        "/admin/blog/post/add/", {**post_form(slug="Bad Slug"), "topics": ["Brand new"]}
    )
    assert response.status_code == 200
    assert not Topic.objects.exists()
    assert '<option value="Brand new" selected>Brand new</option>' in response.content.decode()


def test_a_topic_name_with_a_control_character_is_refused(admin_client):
    response = admin_client.post(
        "/admin/blog/post/add/", {**post_form(), "topics": ["escape\x1bcode"]}
    )
    assert response.status_code == 200
    assert "an escape character (U+001B, ESC)" in response.content.decode()
    assert not Post.objects.exists()


def test_a_writer_who_may_not_add_topics_picks_existing_ones(writer_client):
    remote = topic("Remote work")
    post = Post.objects.create(slug="an-essay", title="An essay", date=dt.date(2024, 1, 1))
    url = f"/admin/blog/post/{post.pk}/change/"
    form = writer_client.get(url).content.decode()
    assert "data-tags" not in form
    response = writer_client.post(url, {**post_form(), "topics": ["Remote work", "New one"]})
    assert "“New one” is not a topic, and your account may not add topics" in (
        response.content.decode()
    )
    response = writer_client.post(url, {**post_form(), "topics": ["remote work"]})
    assert response.status_code == 302
    assert list(post.topics.all()) == [remote]


def test_renaming_in_the_admin_moves_the_address(admin_client, topics_site):
    url = f"/admin/blog/topic/{topics_site.pk}/change/"
    assert "/words/topics/remote-work/" in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"name": "Distributed work"}).status_code == 302
    assert client_redirect(admin_client, "/words/topics/remote-work/") == (
        "/words/topics/distributed-work/"
    )
    clash = admin_client.post(url, {"name": "HIRING"})
    assert "already a topic of this name" in clash.content.decode()


def client_redirect(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 301
    return response["Location"]
