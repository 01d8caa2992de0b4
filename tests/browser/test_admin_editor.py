"""The writer's desk in a real browser: write, preview, draft, publish, restore, upload."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"

ESSAY = """An essay needs a claim[^note] and the writer's own convention(1).

> A quote, to see how it looks.

```python
def answer():
    return 42
```

[^note]: A note in the GitHub syntax.

--

(1) A note in the writer's syntax.
"""


@pytest.fixture
def writer(page):
    get_user_model().objects.create_superuser("writer", "writer@example.com", PASSWORD)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page


def test_editor_screenshots(writer, artifacts):
    page = writer
    page.goto("/admin/blog/post/add/")
    page.get_by_label("Title").fill("Footnotes, both ways")
    page.locator("#id_body").fill(ESSAY)
    page.locator(".markdownx-preview section.footnotes").wait_for()
    page.screenshot(path=artifacts / "editor-1280.png", full_page=True)
    page.set_viewport_size({"width": 800, "height": 900})
    page.screenshot(path=artifacts / "editor-800.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=artifacts / "editor-1280-dark.png", full_page=True)
    assert page.js_errors == []
