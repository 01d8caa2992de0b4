import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models
from django.test.utils import CaptureQueriesContext

from blog.models import OldSlug, Post

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


# The rules on the fields: the admin, the importer and loaddata all run these ------------


def field_errors(**fields) -> dict[str, list[str]]:
    """The model's own messages for a post with these fields (the rest valid)."""
    post = Post(**{"slug": "an-essay", "title": "An essay", "body": "Text.", **fields})
    try:
        post.full_clean(validate_unique=False)
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("/MyEssay", "Leave out the leading slash: “myessay”, not “/MyEssay”."),
        ("MyEssay", "Use lowercase: “myessay”, not “MyEssay”."),
        ("my essay", "Use only lowercase letters, digits, hyphens, underscores: “my-essay”."),
        ("../etc", "Use only lowercase letters, digits, hyphens, underscores: “etc”."),
        ("blog/x", "Use only lowercase letters, digits, hyphens, underscores: “blogx”."),
        ("café", "Use only lowercase letters, digits, hyphens, underscores: “cafe”."),
    ],
)
def test_a_slug_is_lowercase_letters_digits_hyphens_underscores(slug, message):
    assert field_errors(slug=slug) == {"slug": [message]}


@pytest.mark.parametrize("slug", ["autonomy", "a-b_c-2", "old--style", "2024"])
def test_good_slugs_pass(slug):
    assert field_errors(slug=slug) == {}


@pytest.mark.parametrize(
    ("link", "says"),
    [
        ("https://evil.example\\@good.example/", "backslash"),
        ("https://evil.example\\.good.example/", "backslash"),
        ("https://good.example@evil.example/", "before the host name"),
        ("https://user:password@example.com/", "before the host name"),
        ("ftp://example.com/file", "starting with https:// or http://"),
        ("javascript:alert(1)", "starting with https:// or http://"),
        ("mailto:me@example.com", "starting with https:// or http://"),
        ("//example.com/x", "starting with https:// or http://"),
        ("https://exa mple.com/", "starting with https:// or http://"),
        ("https://example.com/\nx", "starting with https:// or http://"),
    ],
)
def test_an_external_link_goes_where_it_shows(link, says):
    (message,) = field_errors(external_link=link)["external_link"]
    assert says in message


@pytest.mark.parametrize(
    "link", ["https://posthog.com/handbook", "http://example.com/a?b=c&d=e#f", "https://[::1]/"]
)
def test_web_links_pass(link):
    assert field_errors(external_link=link) == {}


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\x0b", "a vertical tab"),
        ("\x1b", "an escape character"),
        ("\x00", "a NUL character"),
        ("\x0c", "a form feed"),
        ("\x01", "a control character"),
    ],
)
def test_control_characters_are_refused_naming_the_character_and_line(char, name):
    errors = field_errors(title=f"A{char}title", body=f"One.\n\nTwo{char}and{char}.")
    assert errors["title"][0].startswith(f"line 1: {name} (U+{ord(char):04X}")
    assert errors["title"][0].endswith("): delete it, or type a space or a line break instead")
    assert errors["body"][0].startswith(f"line 3: {name} (U+{ord(char):04X}")
    assert ") and 1 more: delete it" in errors["body"][0]


def test_tabs_and_line_breaks_of_either_kind_are_text():
    assert field_errors(title="A\ttitle", body="Tab\there.\r\n\r\nWindows lines.\n") == {}


def test_a_body_nested_deeper_than_the_renderer_shows_is_refused_with_its_line():
    (message,) = field_errors(body="Fine.\n\n" + "> " * 1000 + "deep")["body"]
    assert message.startswith("line 3: ")


def test_what_the_renderer_shows_as_text_is_not_refused():
    assert field_errors(body="Use a <textarea> for input.") == {}


def test_a_raw_save_of_another_slug_keeps_the_old_address(make_post):
    """Saves that bypass Post.save (loaddata, reverting a revision) record old slugs too."""
    post = make_post(slug="first")
    post.slug = "second"
    models.Model.save_base(post, raw=True)
    assert OldSlug.objects.get().slug == "first"
    assert OldSlug.objects.get().post == post


def test_saving_only_other_fields_does_not_look_for_a_rename(make_post):
    post = make_post()
    post.status = Post.Status.DRAFT
    with CaptureQueriesContext(connection) as queries:
        post.save(update_fields=["status"])
    assert [query["sql"].split()[0] for query in queries if "SAVEPOINT" not in query["sql"]] == [
        "UPDATE"
    ]
