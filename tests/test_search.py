"""/words/?q=: finding essays, on SQLite (substring match) and PostgreSQL (full text)."""

import re

import pytest
from django.core.management import call_command
from django.db import connection

from blog import search
from blog.models import Post
from tests.conftest import SEED

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL"
)


def titles(client, query: str) -> list[str]:
    response = client.get("/words/", {"q": query})
    assert response.status_code == 200
    return [result.post.title for result in response.context["results"]]


@pytest.fixture
def essays(make_post):
    make_post(title="Autonomy", body="Teams that decide for themselves ship faster.")
    make_post(title="Hiring", body="We look for autonomy in every candidate we interview.")
    make_post(title="Pricing", body="Usage-based pricing, explained with examples.")


def test_finds_essays_by_title_and_body(client, essays):
    assert set(titles(client, "autonomy")) == {"Autonomy", "Hiring"}
    assert titles(client, "pricing") == ["Pricing"]


def test_a_title_match_ranks_first(client, make_post, yesterday):
    make_post(title="On hiring", body="Autonomy matters.", date=yesterday)
    make_post(title="Mentions it later", body="Some text about autonomy, once.")
    make_post(title="Autonomy", body="A short essay.", date=yesterday)
    assert titles(client, "autonomy")[0] == "Autonomy"


def test_every_word_must_match(client, essays):
    assert titles(client, "autonomy candidate") == ["Hiring"]


def test_case_does_not_matter(client, essays):
    assert titles(client, "PRICING") == ["Pricing"]


def test_nothing_found(client, essays):
    response = client.get("/words/", {"q": "zeppelin"})
    assert response.context["results"] == []
    assert "Nothing matches" in response.text
    assert "0 essays for “zeppelin”" in response.text


def test_an_empty_query_shows_the_form(client, essays):
    response = client.get("/words/", {"q": "  "})
    assert response.status_code == 200
    assert response.context["results"] == []
    assert 'type="search"' in response.text


@pytest.mark.parametrize(
    "fields",
    [{"status": Post.Status.DRAFT}, {"date": "tomorrow"}],
    ids=["draft", "future"],
)
def test_unpublished_essays_are_never_found(client, make_post, tomorrow, fields):
    if fields.get("date") == "tomorrow":
        fields = {"date": tomorrow}
    make_post(title="Secret zeppelin plans", **fields)
    assert titles(client, "zeppelin") == []
    assert "0 essays" in client.get("/words/", {"q": "zeppelin"}).text


def test_the_query_is_marked_in_titles_and_excerpts(client, essays):
    text = client.get("/words/", {"q": "autonomy"}).text
    assert "<mark>Autonomy</mark>" in text
    assert "We look for <mark>autonomy</mark> in every candidate" in text


@pytest.mark.parametrize(
    "query",
    ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "autonomy <b>"],
)
def test_the_query_is_escaped_everywhere(client, essays, make_post, query):
    make_post(title="script alert img onerror", body="Quoted: <b>bold</b> &amp; more.")
    text = client.get("/words/", {"q": query}).text
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "<b>" not in text.split("<main")[1]
    assert 'value="' in text


def test_marks_are_escaped_with_the_text_around_them(client, make_post):
    make_post(title="<i>Fish</i> & chips", body="Fish <em>and</em> chips & <script>x</script>.")
    text = client.get("/words/", {"q": "fish"}).text
    assert "&lt;i&gt;<mark>Fish</mark>&lt;/i&gt; &amp; chips" in text
    assert "<script>x" not in text


def test_the_excerpt_is_taken_around_the_first_match(client, make_post):
    body = "Filler words go here. " * 60 + "The zeppelin appears at last. " + "More. " * 40
    make_post(title="Long", body=body)
    text = client.get("/words/", {"q": "zeppelin"}).text
    excerpt = re.search(r'<p class="excerpt">(.*?)</p>', text, re.DOTALL).group(1)
    assert excerpt.startswith("…")
    assert excerpt.endswith("…")
    assert "The <mark>zeppelin</mark> appears" in excerpt
    assert len(excerpt) < 400


def test_results_are_paginated_and_keep_the_query(client, make_post):
    for n in range(55):
        make_post(title=f"Zeppelin {n}")
    first = client.get("/words/", {"q": "zeppelin"})
    assert len(first.context["results"]) == 50
    assert 'href="?q=zeppelin&amp;page=2"' in first.text
    assert len(client.get("/words/", {"q": "zeppelin", "page": 2}).context["results"]) == 5
    assert client.get("/words/", {"q": "zeppelin", "page": 3}).status_code == 404


def test_search_pages_are_not_indexed(client, essays):
    response = client.get("/words/", {"q": "autonomy"})
    assert '<meta name="robots" content="noindex">' in response.text
    assert response["X-Robots-Tag"] == "noindex"
    assert '<link rel="canonical"' not in response.text


def test_long_queries_are_cut(client, essays):
    assert client.get("/words/", {"q": "autonomy " * 500}).status_code == 200


@pytest.mark.parametrize("query", ["%", "_", "'", '"', "\\", "&|!:*()", "or", "-"])
def test_odd_queries_find_nothing_instead_of_failing(client, essays, query):
    assert client.get("/words/", {"q": query}).status_code == 200


@on_postgresql
def test_postgresql_matches_word_forms(client, make_post):
    make_post(title="Running a company", body="Notes.")
    assert titles(client, "runs") == ["Running a company"]


@on_postgresql
def test_postgresql_ranks_by_relevance(client, make_post, yesterday):
    make_post(title="Once", body="Pricing is mentioned here once among many other words.")
    make_post(title="Pricing pricing", body="Pricing, pricing and more pricing.", date=yesterday)
    assert titles(client, "pricing") == ["Pricing pricing", "Once"]


@on_postgresql
def test_postgresql_understands_phrases_and_exclusions(client, essays):
    assert titles(client, '"usage-based pricing"') == ["Pricing"]
    assert titles(client, "autonomy -candidate") == ["Autonomy"]


def test_terms_are_words_without_repeats():
    assert search.terms('Fish, "fish" & <chips>!') == ["fish", "chips"]


def test_highlight_escapes_before_marking():
    pattern = search.pattern_for("b")
    assert search.highlight("<b>bold</b>", pattern) == (
        "&lt;<mark>b</mark>&gt;<mark>bold</mark>&lt;/<mark>b</mark>&gt;"
    )


def test_essays_loaded_from_files_are_found(client):
    call_command("loaddata", SEED, verbosity=0)
    assert titles(client, "buzzword") == ["Autonomy"]


def test_an_edit_is_found_at_once(client, make_post):
    post = make_post(title="Before", body="Nothing to see.")
    Post.objects.filter(pk=post.pk).update(body="Now about zeppelins.")
    assert titles(client, "zeppelins") == ["Before"]
