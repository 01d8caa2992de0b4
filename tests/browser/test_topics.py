"""Topics in a real browser: a new one made on the fly in the essay form's autocomplete, and
a rename in the admin whose old address a reader follows (301). No JavaScript error and no
CSP violation on the way (select2 runs from static files only)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from blog.models import Post, Topic

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_page(writer):
    """The writer's page; nothing on it may fail (scripts, requests)."""
    yield writer
    assert writer.js_errors == []


def choose_topic(page, typed: str, option: str) -> None:
    """Type in the topics autocomplete and pick `option` from what it offers."""
    page.locator(".field-topics .select2-selection").click()
    page.locator(".select2-search__field").fill(typed)
    options = page.locator("li.select2-results__option")
    options.filter(has_text=re.compile(rf"^{re.escape(option)}$")).click()
    expect(
        page.locator(".field-topics .select2-selection__choice", has_text=option)
    ).to_be_visible()


def test_a_new_topic_is_made_on_the_fly_in_the_essay_form(admin_page):
    page = admin_page
    remote = Topic.objects.create(name="Remote work")
    page.goto("/admin/blog/post/add/")
    page.get_by_label("Title").fill("On hiring")
    page.locator("#id_body").fill("Hire slowly.")
    choose_topic(page, "remote", "Remote work")  # found by the server, whatever the case
    choose_topic(page, "Hiring", "Hiring")  # offered as typed: a new topic
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    post = Post.objects.get(slug="on-hiring")
    assert {topic.name for topic in post.topics.all()} == {"Remote work", "Hiring"}
    assert Topic.objects.count() == 2
    assert post.topics.get(name="Remote work") == remote
    page.goto(post.get_absolute_url())
    page.get_by_role("link", name="Hiring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Essays on Hiring")


def test_a_renamed_topics_old_address_leads_to_its_new_one(admin_page, reader_page):
    page = admin_page
    topic = Topic.objects.create(name="Remote")
    post = Post.objects.create(
        slug="away", title="Away", date=dt.date(2024, 1, 1), status=Post.Status.PUBLISHED
    )
    post.topics.add(topic)
    # (Asked outside the browser: its page would stay in the browser's cache for max-age.)
    assert reader_page.request.get("/words/topics/remote/").status == 200

    page.goto(f"/admin/blog/topic/{topic.pk}/change/")
    page.get_by_label("Name").fill("Remote work")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    response = reader_page.goto("/words/topics/remote/")
    assert response.status == 200
    assert response.request.redirected_from.url.endswith("/words/topics/remote/")
    assert reader_page.url.endswith("/words/topics/remote-work/")
    expect(reader_page.get_by_role("heading", level=1)).to_have_text("Essays on Remote work")
    first = reader_page.request.get("/words/topics/remote/", max_redirects=0)
    assert first.status == 301


@pytest.fixture
def reader_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    yield context.new_page()
    context.close()
