"""code.css: generated from the Pygments styles, readable in light and dark schemes."""

import re
from pathlib import Path

import pytest

from blog import rendering
from blog.rendering.highlight import TOKEN_CLASSES, stylesheet

CODE_CSS = Path(__file__).resolve().parents[1] / "blog" / "static" / "blog" / "code.css"


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def schemes() -> dict[str, str]:
    css = CODE_CSS.read_text()
    light, dark = css.split("@media (prefers-color-scheme: dark) {")
    return {"light": light, "dark": dark}


def test_code_css_is_the_generated_stylesheet():
    assert CODE_CSS.read_text() == stylesheet(), (
        "regenerate: .venv/bin/python -m blog.rendering > blog/static/blog/code.css"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_token_colour_passes_wcag_aa_on_its_background(scheme):
    css = schemes()[scheme]
    background, text = re.search(
        r"\.highlight, \.highlight pre \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}",
        css,
    ).groups()
    colours = re.findall(r"\bcolor: (#[0-9a-f]{6})", css)
    assert text in colours
    assert len(colours) > 40
    for colour in colours:
        assert contrast(colour, background) >= 4.5, (scheme, colour)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_scheme_styles_every_token_class(scheme):
    """Both schemes set every class, so no light colour leaks into the dark scheme."""
    styled = set(re.findall(r"\.highlight \.([\w-]+) \{", schemes()[scheme]))
    assert styled == TOKEN_CLASSES


def test_highlighted_code_uses_only_classes_the_stylesheet_knows():
    html = rendering.render("```js\n// hi\nconst x = `a${1}` + /re/g;\n```")
    used = set(re.findall(r'<span class="([^"]+)"', html))
    assert used
    assert used <= TOKEN_CLASSES
    assert "style" not in html
