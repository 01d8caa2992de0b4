"""Footnotes and highlighted code as a reader's browser sees them (CSP on, static files
served as in production)."""

import pytest
from django.core.management import call_command

from blog.models import Post
from tests.conftest import SEED

pytestmark = pytest.mark.django_db(transaction=True)


def test_footnote_links_and_back_links_move_the_reader(page, artifacts):
    call_command("loaddata", SEED, verbosity=0)
    page.goto("/words/autonomy/")
    page.get_by_role("link", name="1", exact=True).click()
    page.wait_for_url("**/words/autonomy/#fn-1")
    note = page.locator("#fn-1")
    assert note.is_visible()
    assert "IMO autonomy is not meant for all" in note.inner_text()
    page.screenshot(path=artifacts / "footnote-target.png")

    note.get_by_role("link", name="Back to reference 1").click()
    page.wait_for_url("**/words/autonomy/#fnref-1")
    assert page.locator("#fnref-1").is_visible()
    assert page.js_errors == []


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlighted_code_is_coloured_by_code_css(page, artifacts, scheme):
    Post.objects.create(
        slug="code",
        title="Code",
        status=Post.Status.PUBLISHED,
        body='Some code:\n\n```python\ndef f():\n    return "text"  # comment\n```',
    )
    page.emulate_media(color_scheme=scheme)
    page.goto("/words/code/")
    block = page.locator(".highlight pre")
    colours = {
        name: page.locator(f".highlight .{name}").first.evaluate("e => getComputedStyle(e).color")
        for name in ("k", "s2", "c1")
    }
    background = block.evaluate("e => getComputedStyle(e).backgroundColor")
    assert len(set(colours.values())) == 3, colours
    assert background == {"light": "rgb(248, 248, 248)", "dark": "rgb(13, 17, 23)"}[scheme]
    block.screenshot(path=artifacts / f"code-{scheme}.png")
    assert page.js_errors == []
