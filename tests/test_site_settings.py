"""The site's identity, one object edited in the admin: seeded from the environment once,
shown on every page, and read once per change (not once per page)."""

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from blog import rendering
from blog.models import Topic
from site_config import identity
from site_config.models import SiteSettings

pytestmark = pytest.mark.django_db


def settings_form(**fields: str) -> dict[str, str]:
    data = {
        "name": "Field Notes",
        "author": "Ada Writer",
        "description": "Essays on building things.",
        "intro": "",
        "links": "",
        "footer": "",
        "notes": "sidenotes",
    }
    return {**data, **fields}


def test_the_environment_seeds_it_until_it_is_first_saved(settings, client):
    settings.SITE_NAME = "From the environment"
    settings.SITE_AUTHOR = "Env Author"
    settings.SITE_DESCRIPTION = "Env description."
    settings.SITE_INTRO = "Env *intro*."
    settings.SITE_NOTES = "endnotes"
    site = SiteSettings.load()
    assert (site.name, site.author, site.description) == (
        "From the environment",
        "Env Author",
        "Env description.",
    )
    assert site.intro_html == rendering.render("Env *intro*.")
    assert site.notes == "endnotes"
    assert "From the environment" in client.get("/").text
    assert not SiteSettings.objects.exists()  # reading never writes
    site.name = "Edited"
    site.save()
    settings.SITE_NAME = "Changed in the environment"
    assert SiteSettings.load().name == "Edited"  # the admin rules from now on
    assert SiteSettings.objects.count() == 1


def test_there_is_only_ever_one():
    SiteSettings.ensure()
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteSettings.objects.create(id=2, name="x", author="x", description="x")


def test_the_home_page_shows_name_description_intro_and_author(client):
    site = SiteSettings.load()
    site.name = "Field Notes"
    site.description = "Essays on building things."
    site.intro = "I run *engineering*.\n\n<script>alert(1)</script>"
    site.author = "Ada Writer"
    site.save()
    html = client.get("/").text
    assert '<a class="site-name" href="/">Field Notes</a>' in html
    assert '<h1 id="intro-title">Essays on building things.</h1>' in html
    assert "<p>I run <em>engineering</em>.</p>" in html
    assert "<script>alert" not in html
    assert "By Ada Writer" in html
    assert '<meta name="description" content="Essays on building things.">' in html
    feed = client.get("/atom.xml").text
    assert "<title>Field Notes</title>" in feed
    assert "<name>Ada Writer</name>" in feed


def test_every_feed_names_the_site_and_its_author_as_saved(client, make_post, settings):
    settings.SITE_NAME = "From the environment"
    make_post(title="An essay").topics.add(Topic.objects.create(name="Hiring"))
    site = SiteSettings.load()
    site.name = "Field Notes"
    site.author = "Ada Writer"
    site.description = "Essays on building things."
    site.save()
    for url in ("/atom.xml", "/rss.xml", "/words/topics/hiring/atom.xml"):
        feed = feedparser.parse(client.get(url).content).feed
        assert feed.title.startswith("Field Notes"), url
    assert feedparser.parse(client.get("/atom.xml").content).feed.author == "Ada Writer"
    json_feed = client.get("/feed.json").json()
    assert json_feed["title"] == "Field Notes"
    assert json_feed["description"] == "Essays on building things."
    assert json_feed["authors"] == [{"name": "Ada Writer"}]


def test_links_are_in_every_footer_with_rel_me(client, make_post):
    site = SiteSettings.load()
    site.links = "Mastodon https://mastodon.social/@ada\nEmail mailto:ada@example.com\n"
    site.footer = "Text under [CC BY](https://creativecommons.org/licenses/by/4.0/)."
    site.full_clean()
    site.save()
    post = make_post()
    for url in ("/", post.get_absolute_url()):
        html = client.get(url).text
        assert '<a href="https://mastodon.social/@ada" rel="me">Mastodon</a>' in html
        assert '<a href="mailto:ada@example.com" rel="me">Email</a>' in html
        assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ("https://mastodon.social/@ada", "line 1: write the name shown, then the address"),
        ("Mastodon\nBlog javascript:alert(1)", "line 1: write the name shown"),
        ("Mastodon https://m.example/@a\nBlog javascript:alert(1)", "line 2: Enter a web address"),
        ("Email mailto:not-an-address", "line 1: Enter a valid email address."),
        ("Evil https://evil.example\\@good.example/", "line 1: Take out the backslash"),
    ],
)
def test_a_bad_link_is_refused_naming_its_line(links, message):
    site = SiteSettings(name="x", author="x", description="x", links=links)
    with pytest.raises(ValidationError) as refused:
        site.full_clean()
    assert refused.value.message_dict["links"][0].startswith(message)


def test_the_notes_style_is_the_sites_setting(client, make_post):
    post = make_post(body="A claim.[^1]\n\n[^1]: The note.")
    assert 'class="sidenote"' in client.get(post.get_absolute_url()).text
    site = SiteSettings.load()
    site.notes = SiteSettings.Notes.ENDNOTES
    site.save()
    assert 'class="sidenote"' not in client.get(post.get_absolute_url()).text


def test_a_change_shows_on_the_next_request(client, make_post):
    post = make_post()
    site = SiteSettings.load()
    for url in ("/", post.get_absolute_url(), "/atom.xml"):
        assert site.name in client.get(url).text  # cached
    site.name = "A new name"
    site.save()
    for url in ("/", post.get_absolute_url(), "/atom.xml"):
        assert "A new name" in client.get(url).text


def test_read_once_per_change_not_once_per_page(
    client, make_post, make_page, django_assert_num_queries
):
    make_post(slug="essay")
    make_page(slug="about")
    SiteSettings.load()
    client.get("/")  # the settings and the navigation are read for this generation
    with django_assert_num_queries(2):  # the essay and its topics; nothing for the site
        client.get("/words/essay/")
    with django_assert_num_queries(0):  # a cached page runs no template at all
        client.get("/words/essay/")
    site = SiteSettings.load()
    site.save()
    # After a change: the essay and its topics, the settings and the navigation, once.
    with django_assert_num_queries(2 + 2):
        client.get("/words/essay/")
    with django_assert_num_queries(1):
        client.get("/about/")


def test_the_admin_edits_the_one_object_and_never_adds_or_deletes_it(
    admin_client, client, settings
):
    settings.SITE_NAME = "Seeded"
    response = admin_client.get("/admin/site_config/sitesettings/")
    assert SiteSettings.objects.get().name == "Seeded"  # saved as the environment had it
    assert response.status_code == 302
    assert response["Location"] == "/admin/site_config/sitesettings/1/change/"
    assert admin_client.get("/admin/site_config/sitesettings/add/").status_code == 403
    assert admin_client.get("/admin/site_config/sitesettings/1/delete/").status_code == 403
    form = admin_client.get("/admin/site_config/sitesettings/1/change/").text
    assert "Delete" not in form
    response = admin_client.post(
        "/admin/site_config/sitesettings/1/change/", settings_form(name="Edited in the admin")
    )
    assert response.status_code == 302
    assert "Edited in the admin" in client.get("/").text


def test_the_admin_shows_a_bad_link_with_its_line(admin_client):
    SiteSettings.ensure()
    response = admin_client.post(
        "/admin/site_config/sitesettings/1/change/",
        settings_form(links="Mastodon https://m.example/@a\nBlog ftp://example.com"),
    )
    assert response.status_code == 200
    assert "line 2: Enter a web address starting with https:// or http://." in response.text


def test_staff_without_permission_cant_see_it(staff_client):
    SiteSettings.ensure()
    assert staff_client.get("/admin/site_config/sitesettings/").status_code == 403
    assert staff_client.get("/admin/site_config/sitesettings/1/change/").status_code == 403


def test_the_per_process_copy_is_dropped_when_the_generation_changes():
    first = identity.current()
    assert identity.current() is first  # no query, same object
    site = SiteSettings.load()
    site.name = "Renamed"
    site.save()
    assert identity.current().settings.name == "Renamed"


def test_the_error_pages_read_no_database(settings, monkeypatch, django_assert_num_queries):
    """The 503 page shows the settings this process last read, else the environment's."""
    settings.SITE_NAME = "Seed name"
    monkeypatch.setattr(identity._site, "_held", None)  # a process that read nothing yet
    with django_assert_num_queries(0):
        assert identity.offline().settings.name == "Seed name"
    site = SiteSettings.ensure()
    site.name = "Saved name"
    site.save()
    identity.current()
    with django_assert_num_queries(0):
        assert identity.offline().settings.name == "Saved name"
