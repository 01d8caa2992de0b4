"""Two tabs on one essay: a save based on an older version is refused, with a way to
compare, and nothing is overwritten."""

import pytest

from blog.conflicts import version
from blog.models import Post
from tests.conftest import page_form, post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay(make_post):
    return make_post(status=Post.Status.DRAFT, slug="an-essay", title="An essay", body="One.\n")


def change_url(post: Post) -> str:
    return f"/admin/blog/post/{post.pk}/change/"


def opened_at(client, post: Post) -> str:
    """The version a tab opening the form now is based on."""
    return client.get(change_url(post)).context["adminform"].form.saved_version


def test_the_form_carries_the_version_it_was_opened_at(admin_client, essay):
    page = admin_client.get(change_url(essay))
    assert f'name="based_on" value="{version(essay)}"' in page.text


def test_a_save_from_the_current_version_goes_through(admin_client, essay):
    data = post_form(body="Two.\n", based_on=opened_at(admin_client, essay))
    assert admin_client.post(change_url(essay), data).status_code == 302
    essay.refresh_from_db()
    assert essay.body == "Two.\n"


def test_a_save_based_on_an_older_version_is_refused_and_compared(admin_client, essay):
    first_tab = opened_at(admin_client, essay)
    second_tab = opened_at(admin_client, essay)
    data = post_form(body="From the second tab.\n", based_on=second_tab)
    assert admin_client.post(change_url(essay), data).status_code == 302

    stale = post_form(body="From the first tab.\n", based_on=first_tab)
    refused = admin_client.post(change_url(essay), stale)
    assert refused.status_code == 200
    essay.refresh_from_db()
    assert essay.body == "From the second tab.\n"  # never silently overwritten
    assert "saved elsewhere" in refused.text
    # What differs: the other version's text and hers, line by line.
    assert '<span class="diff-del">-From the second tab.</span>' in refused.text
    assert '<span class="diff-add">+From the first tab.</span>' in refused.text
    # Her text is still in the form, which is now based on the version she compared with.
    assert "From the first tab." in refused.context["adminform"].form["body"].value()
    assert f'name="based_on" value="{version(essay)}"' in refused.text

    # Having compared, saving again replaces the other version (it stays in History).
    again = post_form(body="From the first tab.\n", based_on=version(essay))
    assert admin_client.post(change_url(essay), again).status_code == 302
    essay.refresh_from_db()
    assert essay.body == "From the first tab.\n"


def test_publishing_from_the_list_counts_as_a_new_version(admin_client, essay):
    opened = opened_at(admin_client, essay)
    admin_client.post("/admin/blog/post/", {"action": "publish", "_selected_action": [essay.pk]})
    data = post_form(body="Edited in a tab opened before publishing.\n", based_on=opened)
    assert admin_client.post(change_url(essay), data).status_code == 200
    essay.refresh_from_db()
    assert essay.status == Post.Status.PUBLISHED


def test_any_saved_field_changes_the_version(essay):
    before = version(essay)
    essay.title = "Another title"
    assert version(essay) != before


def test_a_page_is_never_silently_overwritten_either(admin_client, make_page):
    page = make_page(slug="about", body="One.\n")
    url = f"/admin/blog/page/{page.pk}/change/"
    first_tab = admin_client.get(url).context["adminform"].form.saved_version
    assert first_tab == version(page)
    assert admin_client.post(url, page_form(body="Two.\n", based_on=first_tab)).status_code == 302
    refused = admin_client.post(url, page_form(body="Three.\n", based_on=first_tab))
    assert refused.status_code == 200
    assert "saved elsewhere" in refused.text
    assert '<span class="diff-add">+Three.</span>' in refused.text
    page.refresh_from_db()
    assert page.body == "Two.\n"
