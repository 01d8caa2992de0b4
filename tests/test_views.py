import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.views.defaults import server_error

from blog.models import Post
from blog.views import reading_minutes
from site_config import identity
from tests.conftest import SEED
from tests.samples import RICH_BODY

pytestmark = pytest.mark.django_db


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


# Home


def test_home_shows_recent_essays_and_the_introduction(client, make_post, settings):
    settings.SITE_NAME = "Field Notes"
    settings.SITE_DESCRIPTION = "Essays on building software companies."
    make_post(title="Fresh")
    response = client.get("/")
    assert response.status_code == 200
    assert "<h1" in response.text
    assert "Field Notes" in response.text
    assert "Essays on building software companies." in response.text
    assert "Fresh" in response.text


def test_home_shows_only_the_ten_newest(client, make_post, yesterday):
    make_post(title="Oldest of all", date=yesterday - dt.timedelta(days=30))
    for n in range(10):
        make_post(title=f"Recent {n}", date=yesterday - dt.timedelta(days=n))
    text = client.get("/").text
    assert text.count('class="post-item') == 10
    assert "Oldest of all" not in text
    assert "All essays" in text


def test_home_hides_drafts_and_future_essays(client, make_post, tomorrow):
    make_post(title="A draft", status=Post.Status.DRAFT)
    make_post(title="Not yet", date=tomorrow)
    text = client.get("/").text
    assert "A draft" not in text
    assert "Not yet" not in text
    assert "No essays yet." in text


# The list


def test_empty_list_is_not_an_error(client):
    response = client.get("/words/")
    assert response.status_code == 200
    assert "No essays yet." in response.text


def test_list_shows_published_essays_only(client, make_post, tomorrow):
    make_post(title="Visible today")
    make_post(title="A draft", status=Post.Status.DRAFT)
    make_post(title="Not yet", date=tomorrow)
    text = client.get("/words/").text
    assert "Visible today" in text
    assert "A draft" not in text
    assert "Not yet" not in text


def test_list_is_grouped_by_year_newest_first(client, make_post):
    make_post(title="Older", date=dt.date(2021, 3, 1))
    make_post(title="Newer", date=dt.date(2023, 9, 9))
    make_post(title="Also 2023", date=dt.date(2023, 1, 2))
    text = client.get("/words/").text
    order = [text.index(s) for s in ('id="year-2023"', "Newer", "Also 2023", 'id="year-2021"')]
    assert order == sorted(order)
    assert text.index('id="year-2021"') < text.index("Older")
    assert '<time datetime="2023-09-09">Sep 9</time>' in text
    assert 'href="/words/2023/"' in text


def test_link_post_links_off_site_in_a_new_tab_and_shows_its_domain(client, make_post):
    make_post(title="Elsewhere", external_link="https://www.posthog.com/blog/x")
    text = client.get("/words/").text
    assert re.search(
        r'<a href="https://www.posthog.com/blog/x" rel="noopener" target="_blank">Elsewhere', text
    )
    assert '<span class="domain">posthog.com</span>' in text


def test_list_escapes_titles(client, make_post):
    make_post(title="<script>alert(1)</script>")
    text = client.get("/words/").text
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


# Pagination


@pytest.fixture
def many_posts(make_post):
    start = dt.date(2020, 1, 1)
    return [make_post(title=f"Post {n:03d}", date=start + dt.timedelta(days=n)) for n in range(120)]


def test_list_is_paginated_with_prev_and_next(client, many_posts):
    first = client.get("/words/").text
    assert first.count('class="post-item') == 50
    assert "Post 119" in first
    assert 'rel="next" href="?page=2"' in first
    assert 'rel="prev"' not in first
    second = client.get("/words/?page=2").text
    assert 'rel="prev" href="?"' in second  # page 1 has no ?page=
    assert 'rel="next" href="?page=3"' in second
    last = client.get("/words/?page=3").text
    assert last.count('class="post-item') == 20
    assert "Post 000" in last
    assert 'rel="next"' not in last


def test_pages_after_the_first_are_their_own_canonical_url(client, many_posts):
    assert '<link rel="canonical" href="http://testserver/words/?page=2">' in (
        client.get("/words/?page=2").text
    )
    assert '<link rel="canonical" href="http://testserver/words/">' in client.get("/words/").text


@pytest.mark.parametrize("page", ["999", "0", "-1", "x", "1.5", "last1"])
def test_pages_out_of_range_or_not_numbers_are_404(client, many_posts, page):
    assert client.get(f"/words/?page={page}").status_code == 404


def test_a_page_of_drafts_does_not_exist(client, make_post):
    for _ in range(51):
        make_post(status=Post.Status.DRAFT)
    make_post(title="Only one")
    assert client.get("/words/?page=2").status_code == 404


# Year archive


def test_year_archive_lists_that_year_only(client, make_post):
    make_post(title="In 2022", date=dt.date(2022, 5, 1))
    make_post(title="In 2023", date=dt.date(2023, 5, 1))
    make_post(title="Draft 2022", date=dt.date(2022, 6, 1), status=Post.Status.DRAFT)
    response = client.get("/words/2022/")
    assert response.status_code == 200
    assert "In 2022" in response.text
    assert "In 2023" not in response.text
    assert "Draft 2022" not in response.text
    assert 'href="/words/2023/"' in response.text


def test_year_with_only_drafts_or_nothing_is_404(client, make_post):
    make_post(date=dt.date(2019, 5, 1), status=Post.Status.DRAFT)
    assert client.get("/words/2019/").status_code == 404
    assert client.get("/words/1999/").status_code == 404


def test_year_archive_links_only_to_years_with_published_essays(client, make_post):
    make_post(date=dt.date(2022, 5, 1))
    make_post(date=dt.date(2021, 5, 1), status=Post.Status.DRAFT)
    text = client.get("/words/2022/").text
    assert 'href="/words/2021/"' not in text


# The essay page


def test_seed_essay_is_reachable_with_its_text(client):
    call_command("loaddata", SEED, verbosity=0)
    response = client.get("/words/autonomy/")
    assert response.status_code == 200
    assert "<h1>Autonomy</h1>" in response.text
    assert "Autonomy is the buzzword these days." in response.text


def test_essay_page_shows_date_reading_time_and_body(client, make_post):
    make_post(slug="long", title="Long", body="word " * 920, date=dt.date(2023, 9, 9))
    text = client.get("/words/long/").text
    assert '<time datetime="2023-09-09">September 9, 2023</time>' in text
    assert "4 min read" in text


@pytest.mark.parametrize(("words", "minutes"), [(0, 1), (100, 1), (230, 1), (460, 2), (2300, 10)])
def test_reading_minutes(words, minutes):
    assert reading_minutes("word " * words) == minutes


def test_essay_page_has_footnotes_that_link_within_the_page(client, make_post):
    make_post(slug="notes", body=RICH_BODY)
    text = client.get("/words/notes/").text
    assert 'href="#fn-1"' in text
    assert 'id="fn-1"' in text
    assert 'class="footnote-backref"' in text


def test_previous_and_next_are_published_neighbours(client, make_post, yesterday, tomorrow):
    older = make_post(title="Older", date=yesterday - dt.timedelta(days=2))
    make_post(title="Older draft", date=yesterday - dt.timedelta(days=1), status="draft")
    middle = make_post(slug="middle", title="Middle", date=yesterday)
    make_post(title="Newer draft", status=Post.Status.DRAFT)
    newer = make_post(title="Newer")
    make_post(title="Future", date=tomorrow)
    text = client.get(middle.get_absolute_url()).text
    assert f'rel="prev" href="{older.get_absolute_url()}"' in text
    assert f'rel="next" href="{newer.get_absolute_url()}"' in text
    assert "draft" not in text.lower()
    assert "Future" not in text


def test_neighbours_on_the_same_day_are_ordered_like_the_list(client, make_post):
    first, second, third = (make_post(title=f"Same day {n}") for n in range(3))
    text = client.get(second.get_absolute_url()).text
    assert f'rel="prev" href="{first.get_absolute_url()}"' in text
    assert f'rel="next" href="{third.get_absolute_url()}"' in text
    list_text = client.get("/words/").text
    assert list_text.index("Same day 2") < list_text.index("Same day 1")


def test_the_newest_essay_has_no_next_and_the_oldest_no_previous(client, make_post, yesterday):
    old = make_post(date=yesterday)
    new = make_post()
    assert 'rel="next"' not in client.get(new.get_absolute_url()).text
    assert 'rel="prev"' not in client.get(old.get_absolute_url()).text


def test_link_post_page_shows_the_note_and_links_out(client, make_post):
    make_post(
        slug="elsewhere",
        title="Elsewhere",
        external_link="https://www.posthog.com/blog/x",
        body="Worth reading for the part on hiring.",
    )
    text = client.get("/words/elsewhere/").text
    assert "Worth reading for the part on hiring." in text
    assert '<link rel="canonical" href="https://www.posthog.com/blog/x">' in text
    assert '<p class="link-out">' in text
    assert 'href="https://www.posthog.com/blog/x" rel="noopener" target="_blank"' in text
    assert "Read it on posthog.com" in text
    assert '<meta property="og:url" content="http://testserver/words/elsewhere/">' in text


def test_old_url_without_slash_reaches_the_essay(client, make_post):
    make_post(slug="autonomy")
    response = client.get("/words/autonomy", follow=True)
    assert response.redirect_chain == [("/words/autonomy/", 301)]
    assert response.status_code == 200


@pytest.mark.parametrize(
    "fields",
    [{"status": Post.Status.DRAFT}, {"date": "tomorrow"}],
    ids=["draft", "future"],
)
def test_unpublished_essays_are_404(client, make_post, tomorrow, fields):
    if fields.get("date") == "tomorrow":
        fields = {"date": tomorrow}
    make_post(slug="hidden", **fields)
    assert client.get("/words/hidden/").status_code == 404


def test_unknown_slug_is_404_in_the_sites_design(client):
    response = client.get("/words/nothing-here/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'class="site-header"' in response.text
    assert 'href="/words/"' in response.text


def test_server_error_page_needs_no_context_or_database(django_assert_num_queries):
    request = RequestFactory().get("/words/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong" in text
    assert "/static/blog/site." in text


# Meta tags


def test_essay_meta_tags(client, make_post):
    make_post(slug="notes", title="Notes & Queries", body=RICH_BODY, date=dt.date(2023, 9, 9))
    text = client.get("/words/notes/").text
    assert "<title>Notes &amp; Queries · Words</title>" in text
    description = re.search(r'<meta name="description" content="([^"]*)">', text).group(1)
    assert description.startswith("Autonomy is the buzzword these days. Everyone says")
    # Footnote markers and notes are not part of the description.
    assert "buzzword these days. Everyone" in description
    assert "Not for everyone" not in description
    assert len(description) <= 160
    assert '<link rel="canonical" href="http://testserver/words/notes/">' in text
    assert '<meta property="og:type" content="article">' in text
    assert '<meta property="og:title" content="Notes &amp; Queries">' in text
    assert f'<meta property="og:description" content="{description}">' in text
    assert '<meta property="og:url" content="http://testserver/words/notes/">' in text
    assert '<meta property="article:published_time" content="2023-09-09">' in text
    assert '<meta name="twitter:card" content="summary">' in text
    assert '<meta name="twitter:title" content="Notes &amp; Queries">' in text


def test_an_essay_without_text_is_described_by_the_site(client, make_post, settings):
    settings.SITE_DESCRIPTION = "Essays on building things."
    make_post(slug="empty", body="")
    text = client.get("/words/empty/").text
    assert '<meta name="description" content="Essays on building things.">' in text


@pytest.mark.parametrize("url", ["/", "/words/", "/words/2023/", "/words/first/", "/words/?q=x"])
def test_every_page_offers_the_feeds(client, make_post, url):
    make_post(slug="first", date=dt.date(2023, 1, 1))
    text = client.get(url).text
    assert '<link rel="alternate" type="application/atom+xml" title="Words" href="/atom.xml">' in (
        text
    )
    assert 'type="application/rss+xml"' in text
    assert 'href="/rss.xml"' in text


def test_not_found_page_offers_the_feeds(client):
    assert 'href="/atom.xml"' in client.get("/nowhere/").text


def test_pages_use_no_inline_styles_or_scripts(client, make_post):
    make_post(slug="notes", body=RICH_BODY)
    for url in ["/", "/words/", "/words/notes/", "/words/?q=autonomy", "/nowhere/"]:
        text = client.get(url).text
        assert "style=" not in text
        assert "<style" not in text
        assert "<script" not in text


# Machines


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.text
    # Moving the admin off /admin/ is pointless if robots.txt announces where it went.
    assert "admin" not in response.text


def test_favicon_ico_leads_to_the_icon(client):
    assert "max-age=86400" in client.get("/favicon.ico")["Cache-Control"]
    response = client.get("/favicon.ico", follow=True)
    assert response.redirect_chain[0][1] == 302
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_home_counts_published_essays_only(client, make_post, tomorrow):
    for _ in range(10):
        make_post()
    make_post(status=Post.Status.DRAFT)
    make_post(date=tomorrow)
    text = client.get("/").text
    assert "All essays" not in text
    make_post()
    assert "All essays" in client.get("/").text


@pytest.fixture(params=[10, 1000], ids=lambda n: f"{n} essays")
def many_essays(request, db):
    start = dt.date(2020, 1, 1)
    Post.objects.bulk_create(
        Post(
            slug=f"post-{n}",
            title=f"Essay {n}",
            date=start + dt.timedelta(days=n % 360),
            body="Text.",
            body_html="<p>Text.</p>\n",
            status=Post.Status.PUBLISHED,
        )
        for n in range(request.param)
    )


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/", 1),
        ("/words/", 2),
        # The essay and its neighbours, then its topics (feeds: their entries' topics).
        ("/words/post-5/", 2),
        ("/words/2020/", 7),
        ("/atom.xml", 3),
        ("/rss.xml", 3),
        ("/feed.json", 3),
    ],
)
def test_pages_cost_the_same_few_queries_however_many_essays(
    client, many_essays, url, most, django_assert_max_num_queries
):
    """Uncached (each test starts with an empty page cache); a cached page costs none.
    The site's settings and navigation are read once per change, not per page
    (tests/test_site_settings.py)."""
    identity.current()
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200
