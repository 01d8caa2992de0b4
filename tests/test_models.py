import pytest
from django.db import IntegrityError

from blog.models import Post

pytestmark = pytest.mark.django_db


def test_published_includes_a_published_post_dated_today(make_post):
    post = make_post()
    assert list(Post.objects.published()) == [post]


def test_published_includes_a_published_post_dated_in_the_past(make_post, yesterday):
    post = make_post(date=yesterday)
    assert list(Post.objects.published()) == [post]


def test_published_excludes_drafts(make_post):
    make_post(status=Post.Status.DRAFT)
    assert not Post.objects.published().exists()


def test_published_excludes_future_posts(make_post, tomorrow):
    make_post(date=tomorrow)
    assert not Post.objects.published().exists()


def test_objects_stays_unfiltered(make_post, tomorrow):
    make_post(status=Post.Status.DRAFT)
    make_post(date=tomorrow)
    assert Post.objects.count() == 2


def test_slugs_are_unique(make_post):
    make_post(slug="same")
    with pytest.raises(IntegrityError):
        make_post(slug="same")


def test_newest_first(make_post, yesterday):
    old = make_post(date=yesterday)
    new = make_post()
    assert list(Post.objects.all()) == [new, old]


def test_absolute_url_is_under_words(make_post):
    assert make_post(slug="autonomy").get_absolute_url() == "/words/autonomy/"


def test_natural_key_is_the_slug(make_post):
    post = make_post(slug="autonomy")
    assert post.natural_key() == ("autonomy",)
    assert Post.objects.get_by_natural_key("autonomy") == post


def test_save_renders_the_body(make_post):
    post = make_post(body="Hello *world*")
    assert post.body_html == "<p>Hello <em>world</em></p>\n"


@pytest.mark.parametrize(
    ("link", "domain"),
    [
        ("https://www.posthog.com/blog/x", "posthog.com"),
        ("https://news.ycombinator.com/item?id=1", "news.ycombinator.com"),
        ("", ""),
    ],
)
def test_link_domain(link, domain):
    assert Post(external_link=link).link_domain == domain
