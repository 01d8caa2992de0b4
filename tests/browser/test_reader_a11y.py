"""axe-core (npm, see package.json) finds no accessibility violations, light or dark."""

import json
import os
from pathlib import Path

import pytest

from tests.browser.conftest import PAGES

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Every WCAG 2.0-2.2 A/AA rule and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose CSP lets Playwright add axe's script (the site's own CSP allows 'self')."""
    if not AXE.exists():
        message = "node_modules/axe-core is missing: run `npm ci`"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


# Both colour schemes, each at one of the two widths (the layouts differ little for axe).
@pytest.mark.slow
@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 375)])
def test_no_axe_violations(axe_page, site, scheme, width):
    axe_page.emulate_media(color_scheme=scheme)
    axe_page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for name, url in PAGES.items():
        axe_page.goto(url)
        axe_page.add_script_tag(path=str(AXE))
        violations = axe_page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))
                }));
            }""",
            TAGS,
        )
        if violations:
            found[name] = violations
    assert found == {}, json.dumps(found, indent=1)
