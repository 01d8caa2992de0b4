"""Pages are files too: import_essays reads Jekyll's `layout: page` and Hugo's `type: page`,
export_essays writes them to pages/, and export -> import -> export changes no byte."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog import frontmatter
from blog.models import Page, Post

pytestmark = pytest.mark.django_db

PAGE_FIELDS = ["slug", "title", "body", "body_html", "status", "in_navigation", "navigation_order"]


def run(command: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *map(str, args), stdout=out, stderr=out, **options)
    return out.getvalue()


def pages() -> list[dict]:
    return list(Page.objects.order_by("slug").values(*PAGE_FIELDS))


def test_jekyll_and_hugo_pages_import_published_and_in_the_navigation(tmp_path):
    (tmp_path / "about.md").write_text(
        "---\nlayout: page\ntitle: About\npermalink: /about/\n---\nAbout *me*.\n"
    )
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "contact.md").write_text(
        '+++\ntitle = "Contact"\ntype = "page"\nweight = 3\ndate = 2020-01-01\n+++\nWrite.\n'
    )
    (tmp_path / "content" / "now.md").write_text(
        "---\ntitle: Now\ntype: page\nweight: -1\nnav: false\nmenu: main\n---\nThis month.\n"
    )
    (tmp_path / "content" / "colophon.md").write_text(
        "---\ntitle: Colophon\nlayout: page\ndraft: true\n---\nMade with care.\n"
    )
    (tmp_path / "2024-01-31-an-essay.md").write_text("---\nlayout: post\ntitle: Essay\n---\nE.\n")

    out = run("import_essays", tmp_path)

    assert "Imported: 5 created" in out
    assert "Front matter keys ignored: layout (1 files), date (1 files), menu (1 files)." in out
    got = {
        p.slug: (p.title, p.status, p.in_navigation, p.navigation_order) for p in Page.objects.all()
    }
    assert got == {
        "about": ("About", "published", True, 0),
        "contact": ("Contact", "published", True, 3),
        "now": ("Now", "published", False, -1),
        "colophon": ("Colophon", "draft", True, 0),
    }
    assert Page.objects.get(slug="about").body_html == "<p>About <em>me</em>.</p>\n"
    assert list(Post.objects.values_list("slug", flat=True)) == ["an-essay"]


def test_a_page_and_an_essay_may_share_a_slug_but_two_pages_may_not(tmp_path):
    (tmp_path / "about-page.md").write_text("---\ntype: page\nslug: about\ntitle: A\n---\n")
    (tmp_path / "2024-01-01_about.md").write_text("---\ntitle: Essay about\n---\nText.\n")
    run("import_essays", tmp_path)
    assert Page.objects.get().slug == Post.objects.get().slug == "about"

    (tmp_path / "about-again.md").write_text("---\ntype: page\nslug: about\ntitle: B\n---\n")
    with pytest.raises(CommandError) as refused:
        run("import_essays", tmp_path)
    assert 'slug "/about" is also the slug of' in str(refused.value)
    assert "give each page its own slug" in str(refused.value)


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ('slug: "/words"', 3, "slug '/words': /words/ is one of the site's own addresses"),
        ('permalink: "/admin/"', 3, "slug '/admin': /admin/ is one of the site's own"),
        ("slug: healthz", 3, "slug '/healthz': /healthz/ is one of the site's own addresses"),
        ("weight: first", 3, "weight 'first': write a whole number, like weight: 2"),
        ("nav: maybe", 3, "nav must be true or false"),
    ],
)
def test_a_bad_page_file_is_refused_naming_its_line(tmp_path, front, line, message):
    path = tmp_path / "page.md"
    path.write_text(f"---\ntype: page\n{front}\ntitle: Mine\n---\nText.\n")
    with pytest.raises(CommandError) as refused:
        run("import_essays", path)
    assert f"{path}:{line}: {message}" in str(refused.value)
    assert not Page.objects.exists()


def test_loaddata_loads_a_page_file(tmp_path):
    path = tmp_path / "about.md"
    path.write_text('---\ntype: "page"\nslug: "/about"\ntitle: "About"\nweight: 1\n---\n\nHi.\n')
    call_command("loaddata", str(path), verbosity=0)
    call_command("loaddata", str(path), verbosity=0)  # matched on the slug: no duplicate
    page = Page.objects.get()
    assert (page.slug, page.navigation_order, page.body_html) == ("about", 1, "<p>Hi.</p>\n")


def test_export_writes_pages_in_the_sites_dialect(make_page, tmp_path):
    make_page(slug="about", title="About", body="Me.", navigation_order=1)
    make_page(slug="colophon", title="Colophon", body="", in_navigation=False)
    make_page(slug="now", title="Now", body="Soon.", status=Page.Status.DRAFT)

    out = run("export_essays", tmp_path)

    assert f"Exported 0 essays and 3 pages to {tmp_path}: 3 written, 0 unchanged" in out
    assert (tmp_path / "pages" / "about.md").read_text() == (
        '---\ntype: "page"\nslug: "/about"\ntitle: "About"\nweight: 1\n---\n\nMe.\n'
    )
    assert (tmp_path / "pages" / "colophon.md").read_text() == (
        '---\ntype: "page"\nslug: "/colophon"\ntitle: "Colophon"\nweight: 0\nnav: false\n---\n'
    )
    assert (tmp_path / "pages" / "now.md").read_text() == (
        '---\ntype: "page"\nslug: "/now"\ntitle: "Now"\nweight: 0\ndraft: true\n---\n\nSoon.\n'
    )
    published = run("export_essays", tmp_path, status="published")
    assert "Exported 0 essays and 2 pages" in published
    # --since keeps essays dated from that day: pages have no date.
    since = run("export_essays", tmp_path / "since", since="2000-01-01")
    assert "Exported 0 essays to" in since
    assert not (tmp_path / "since" / "pages").exists()


def test_export_import_export_changes_no_byte(make_page, make_post, tmp_path):
    make_page(slug="about", title="About “me”", body="Line one\n\n- a list[^1]\n\n[^1]: Note.")
    make_page(slug="contact", title="Contact", body="Write: <x@example.com>", navigation_order=-2)
    make_page(slug="hidden", title="Hidden", in_navigation=False, status=Page.Status.DRAFT)
    essay = make_post(slug="essay", title="An essay", body="Essay body.")
    first, second = tmp_path / "first", tmp_path / "second"
    run("export_essays", first)
    before = pages()

    Page.objects.all().delete()
    Post.objects.all().delete()
    assert "Imported: 4 created" in run("import_essays", first)  # three pages, an essay
    assert pages() == before
    run("export_essays", second)

    files = sorted(p.relative_to(first) for p in first.rglob("*.md"))
    assert [str(f) for f in files] == [
        f"{essay.date.isoformat()}_essay.md",
        "pages/about.md",
        "pages/contact.md",
        "pages/hidden.md",
    ]
    for name in files:
        assert (second / name).read_bytes() == (first / name).read_bytes(), name
    # And a third export leaves every file alone.
    assert "0 written, 4 unchanged" in run("export_essays", second)


def test_a_page_file_reads_back_as_written():
    text = '---\ntype: "page"\nslug: "/now"\ntitle: "Now"\nweight: 2\nnav: false\n---\n\nText.\n'
    page = frontmatter.parse(text)
    assert (page.page, page.slug, page.weight, page.nav, page.date) == (True, "now", 2, False, None)
    assert frontmatter.dump(page) == text
