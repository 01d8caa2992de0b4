"""Markdown to safe HTML: the one renderer for pages, the admin preview and feeds.

Pure functions on text; nothing here knows about models or requests.
"""

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

# Bump when the output changes, so `manage.py rerender` refreshes stored HTML.
VERSION = "1"

_OPTIONS = Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_UNSAFE

_TAGS = nh3.ALLOWED_TAGS | {"section", "sup", "sub", "abbr", "kbd", "details", "summary"}
_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "a": {"href", "title", "id", "class", "aria-label"},
    "abbr": {"title"},
    "li": {"id"},
    "sup": {"class"},
    "section": {"class"},
}


def render(markdown: str) -> str:
    """Render an essay body to sanitised HTML."""
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=_OPTIONS)
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, link_rel=None)
