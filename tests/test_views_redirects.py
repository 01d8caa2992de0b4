"""Slug history: an essay's old addresses answer 301 to where it lives now."""

import pytest

from blog.models import OldSlug, Post

pytestmark = pytest.mark.django_db


def rename(post: Post, slug: str) -> Post:
    post.slug = slug
    post.save()
    return post


def test_a_renamed_essay_is_found_at_its_old_address(client, make_post):
    rename(make_post(slug="first-title"), "better-title")
    response = client.get("/words/first-title/")
    assert response.status_code == 301
    assert response["Location"] == "/words/better-title/"
    assert client.get("/words/better-title/").status_code == 200


def test_old_address_without_slash_ends_at_the_essay(client, make_post):
    rename(make_post(slug="first-title"), "better-title")
    response = client.get("/words/first-title", follow=True)
    assert response.redirect_chain == [
        ("/words/first-title/", 301),
        ("/words/better-title/", 301),
    ]
    assert response.status_code == 200


def test_a_chain_of_renames_goes_straight_to_the_current_address(client, make_post):
    post = rename(rename(make_post(slug="a"), "b"), "c")
    for old in ("a", "b"):
        response = client.get(f"/words/{old}/")
        assert (response.status_code, response["Location"]) == (301, "/words/c/")
    assert set(post.old_slugs.values_list("slug", flat=True)) == {"a", "b"}


def test_renaming_back_makes_the_slug_live_again(client, make_post):
    rename(rename(make_post(slug="a"), "b"), "a")
    assert client.get("/words/a/").status_code == 200
    assert client.get("/words/b/")["Location"] == "/words/a/"
    assert not OldSlug.objects.filter(slug="a").exists()


def test_a_live_essay_wins_over_an_old_slug(client, make_post):
    rename(make_post(slug="shared", title="Renamed"), "renamed")
    make_post(slug="shared", title="New owner")
    response = client.get("/words/shared/")
    assert response.status_code == 200
    assert "New owner" in response.text


def test_the_last_essay_to_leave_a_slug_owns_the_redirect(client, make_post):
    rename(make_post(slug="shared"), "first")
    rename(make_post(slug="shared"), "second")
    assert client.get("/words/shared/")["Location"] == "/words/second/"


def test_saving_without_a_rename_records_nothing(make_post):
    post = make_post(slug="same")
    post.title = "New title"
    post.save()
    assert not OldSlug.objects.exists()


@pytest.mark.parametrize("status", [Post.Status.DRAFT, "future"])
def test_an_old_slug_of_an_unpublished_essay_is_404(client, make_post, tomorrow, status):
    fields = {"date": tomorrow} if status == "future" else {"status": status}
    rename(make_post(slug="old", **fields), "new")
    assert client.get("/words/old/").status_code == 404


def test_deleting_an_essay_forgets_its_old_slugs(client, make_post):
    post = rename(make_post(slug="old"), "new")
    post.delete()
    assert client.get("/words/old/").status_code == 404
    assert not OldSlug.objects.exists()
