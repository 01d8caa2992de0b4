import pytest
from django.core.management import call_command

from blog.models import Post
from tests.conftest import SEED

pytestmark = pytest.mark.django_db


def test_home_leads_to_the_list(client):
    response = client.get("/")
    assert response.status_code in (301, 302)
    assert response["Location"] == "/words/"


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


def test_link_post_links_off_site_and_shows_its_domain(client, make_post):
    make_post(title="Elsewhere", external_link="https://www.posthog.com/blog/x")
    text = client.get("/words/").text
    assert 'href="https://www.posthog.com/blog/x"' in text
    assert "(posthog.com)" in text


def test_seed_essay_is_reachable_with_its_text(client):
    call_command("loaddata", SEED, verbosity=0)
    response = client.get("/words/autonomy/")
    assert response.status_code == 200
    assert "<h1>Autonomy</h1>" in response.text
    assert "Autonomy is the buzzword these days." in response.text


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


def test_unknown_slug_is_404(client):
    assert client.get("/words/nothing-here/").status_code == 404
