"""Markdown to safe HTML: the one renderer for pages, the admin preview and feeds.

    render(markdown) -> html
        legacy footnotes → `[^n]` (legacy.py), cmark-gfm (parser.py), finishing touches:
        footnote roles, heading ids, highlighted code (markup.py), then the allowlist
        (sanitise.py), last, so everything that leaves render() has passed it.

Pure functions on text; nothing here knows about models or requests. Post.render()
stores the result with VERSION; `manage.py rerender` refreshes posts after a bump.
Helpers for other places that show an essay: absolutize_footnotes (feeds), plain_text
and description (excerpts, meta descriptions).
"""

from blog.rendering.text import absolutize_footnotes, description, plain_text

__all__ = ["VERSION", "absolutize_footnotes", "check", "description", "plain_text", "render"]

# Bump when the output changes, so `manage.py rerender` refreshes stored HTML.
VERSION = "3"


def render(markdown: str) -> str:
    """Render an essay body to sanitised HTML."""
    # Loaded on first use: a worker that only serves stored pages never renders, and these
    # (cmark-gfm through cffi, nh3, Pygments) would cost it about 5 MB.
    from blog.rendering import legacy, markup, parser, sanitise

    # Browsers send textarea text with CRLF: the same essay must give the same HTML.
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    text = legacy.translate(text, parser.to_html)
    return sanitise.clean(markup.finish(parser.to_html(text)))


def check(markdown: str) -> list[str]:
    """Messages about what render() won't show as written, each starting `line N: `.

    A placeholder (branch `rules`) until the renderer's own: a few refused tags, and block
    quotes nested too deep.
    """
    import re

    deep = re.compile(r"^(?: {0,3}>){101}", re.MULTILINE)
    refused = re.compile(r"<(textarea|title|style|iframe|select)\b", re.IGNORECASE)
    too_deep = "block quotes nested more than 100 deep show as text"
    found = [(m.start(), too_deep) for m in deep.finditer(markdown)]
    found += [(m.start(), f"<{m[1]}> is shown as text") for m in refused.finditer(markdown)]
    return [f"line {markdown.count(chr(10), 0, at) + 1}: {text}" for at, text in sorted(found)]
