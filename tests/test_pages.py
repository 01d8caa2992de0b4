"""The writer's pages (About, Contact...): served at /<slug>/, in the navigation and the
sitemap, never in the essay list or feeds, and never at one of the site's own addresses."""

import pytest
from django.core.exceptions import ValidationError
from reversion.models import Version

from blog import rendering
from blog.models import Page
from tests.conftest import page_form

pytestmark = pytest.mark.django_db


def test_a_page_is_served_at_its_slug(client, make_page):
    make_page(slug="about", title="About me", body="I write *essays*.[^1]\n\n[^1]: A note.")
    response = client.get("/about/")
    assert response.status_code == 200
    assert "<h1>About me</h1>" in response.text
    assert "<em>essays</em>" in response.text
    assert "<title>About me · " in response.text
    assert '<link rel="canonical" href="http://testserver/about/">' in response.text
    assert '<meta name="description" content="I write essays.' in response.text
    assert response.has_header("Last-Modified")


def test_the_address_without_the_slash_answers_as_the_old_site_did(client, make_page):
    make_page(slug="about")
    response = client.get("/about")
    assert response.status_code == 301
    assert response["Location"] == "/about/"
    assert client.get("/about", follow=True).status_code == 200


def test_drafts_and_unknown_pages_are_404(client, make_page):
    make_page(slug="now", status=Page.Status.DRAFT)
    assert client.get("/now/").status_code == 404
    assert client.get("/nothing-here/").status_code == 404


def test_the_body_is_rendered_on_save_by_the_one_renderer(make_page):
    page = make_page(body="<script>alert(1)</script>Hello **there**")
    assert page.body_html == rendering.render(page.body)
    assert "<script" not in page.body_html
    assert page.rendered_with == rendering.VERSION


def test_the_navigation_is_essays_then_the_shown_pages_in_order_then_the_feed(client, make_page):
    make_page(slug="contact", title="Contact", navigation_order=2)
    make_page(slug="about", title="About", navigation_order=1)
    make_page(slug="colophon", title="Colophon", in_navigation=False)
    make_page(slug="now", title="Now", status=Page.Status.DRAFT)
    html = client.get("/").text
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert [label for label in ("Essays", "About", "Contact", "Feed") if label in nav] == [
        "Essays",
        "About",
        "Contact",
        "Feed",
    ]
    assert nav.index("Essays") < nav.index("About") < nav.index("Contact") < nav.index("Feed")
    assert "Colophon" not in nav
    assert "Now" not in nav
    # The page being read is marked as the current one.
    about = client.get("/about/").text
    assert '<a href="/about/" aria-current="page">About</a>' in about


def test_pages_are_in_the_sitemap_but_not_in_the_essay_list_feeds_or_archives(
    client, make_page, make_post
):
    # (Out of the navigation, which is on every page.)
    page = make_page(slug="about", title="About the writer", in_navigation=False)
    post = make_post(title="An essay")
    sitemap = client.get("/sitemap.xml").text
    assert "<loc>http://testserver/about/</loc>" in sitemap
    for url in ("/", "/words/", f"/words/{post.date:%Y}/", "/atom.xml", "/rss.xml", "/feed.json"):
        text = client.get(url).text
        assert "An essay" in text, url
        assert "About the writer" not in text, url
        assert "/about/" not in text, url
    assert "About the writer" not in client.get("/words/?q=about").text
    assert page.get_absolute_url() == "/about/"


def test_a_change_to_a_page_shows_on_the_next_request(client, make_page, make_post):
    page = make_page(slug="about", title="About")
    make_post(title="An essay")
    client.get("/about/"), client.get("/")  # both cached
    page.title = "About me"
    page.body = "New text."
    page.save()
    assert "New text." in client.get("/about/").text
    assert ">About me</a>" in client.get("/").text  # the navigation, on every page
    page.delete()
    assert client.get("/about/").status_code == 404
    assert ">About me</a>" not in client.get("/").text


def test_a_page_costs_the_same_few_queries_however_many_pages(
    client, make_page, django_assert_num_queries
):
    from site_config import identity

    for n in range(30):
        make_page(slug=f"page-{n}", in_navigation=n % 2 == 0)
    identity.current()  # read once per change (tests/test_site_settings.py)
    with django_assert_num_queries(1):
        assert client.get("/page-7/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/page-7/").status_code == 200  # cached


@pytest.mark.parametrize(
    "slug",
    [
        "words",
        "admin",
        "healthz",
        "media",
        "static",
        "p",  # share links: /p/<token>/
        "subscribe",  # the newsletter's, and its confirmation links under it
        "unsubscribe",  # only /unsubscribe/<token>/ exists: refused all the same
    ],
)
def test_a_page_cant_take_the_sites_own_addresses(slug):
    page = Page(slug=slug, title="Mine", body="x")
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert refused.value.message_dict["slug"] == [
        f"/{slug}/ is one of the site's own addresses: choose another slug."
    ]


@pytest.mark.parametrize("slug", ["atom.xml", "robots.txt", "sitemap.xml", "favicon.ico"])
def test_addresses_with_a_dot_are_no_slugs_at_all(slug):
    with pytest.raises(ValidationError):
        Page(slug=slug, title="Mine", body="x").full_clean()


def test_the_sites_own_addresses_are_read_from_the_urlconf():
    from blog import validators

    # /words/topics/... is under "words"; feed.json could never be a slug (the dot).
    assert {
        "words",
        "admin",
        "healthz",
        "media",
        "p",
        "subscribe",
        "unsubscribe",
        "atom.xml",
        "feed.json",
    } <= validators.site_addresses()
    for free in ("about", "contact", "now", "colophon", "wordsmith"):
        Page(slug=free, title="Mine", body="x").full_clean()


def test_the_admin_refuses_a_site_address_with_a_message(admin_client):
    response = admin_client.post("/admin/blog/page/add/", page_form(slug="words"))
    assert response.status_code == 200
    assert "/words/ is one of the site&#x27;s own addresses: choose another slug." in (
        response.text
    )
    assert not Page.objects.exists()


def test_the_admin_adds_a_page_with_the_essay_editor_and_keeps_revisions(client, admin_client):
    form = admin_client.get("/admin/blog/page/add/").text
    assert "markdownx-preview essay-body" in form  # the essay's editor and live preview
    response = admin_client.post("/admin/blog/page/add/", page_form(body="Version *one*."))
    assert response.status_code == 302
    page = Page.objects.get(slug="about")
    assert page.body_html == rendering.render("Version *one*.")
    response = admin_client.post(
        f"/admin/blog/page/{page.pk}/change/", page_form(body="Version two.")
    )
    assert response.status_code == 302
    assert Version.objects.get_for_object(page).count() == 2
    history = admin_client.get(f"/admin/blog/page/{page.pk}/history/").text
    assert history.count("/history/") >= 2
    assert "Version two." in client.get("/about/").text


def test_a_draft_page_is_previewed_by_the_writer_only(client, admin_client, make_page):
    make_page(slug="now", title="Now", status=Page.Status.DRAFT)
    preview = admin_client.get("/admin/blog/page/preview/now/")
    assert preview.status_code == 200
    assert "<h1>Now</h1>" in preview.text
    assert "no-store" in preview["Cache-Control"] or "no-cache" in preview["Cache-Control"]
    assert client.get("/admin/blog/page/preview/now/").status_code == 302  # to the login
    assert client.get("/now/").status_code == 404


def test_the_editor_endpoints_open_to_a_writer_of_pages(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("pages", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_page"))
    client.force_login(user)
    response = client.post("/admin/markdownx/markdownify/", {"content": "*Hi*"})
    assert response.status_code == 200
    assert "<em>Hi</em>" in response.text
