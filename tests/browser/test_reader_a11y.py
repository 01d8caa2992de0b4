"""axe-core (npm, see package.json) finds no accessibility violations, light or dark."""

import pytest

from tests.browser.conftest import PAGES, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


# Both colour schemes, each at one of the two widths (the layouts differ little for axe).
@pytest.mark.slow
@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 375)])
def test_no_axe_violations(axe_page, site, scheme, width):
    axe_page.emulate_media(color_scheme=scheme)
    axe_page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for name, url in PAGES.items():
        axe_page.goto(url)
        violations = axe_violations(axe_page)
        if violations != "[]":
            found[name] = violations
    assert found == {}, found
