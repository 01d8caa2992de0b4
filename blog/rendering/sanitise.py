"""The allowlist every rendered essay passes through last (nh3, i.e. ammonia).

Essay markup, tables, the footnote and highlighting markup the renderer emits, and the
harmless HTML a writer types (<abbr>, <sup>, <kbd>, <details>, <figure>, <img>...).
Everything else is dropped: scripts, styles, event handlers, forms, frames (no embeds at
all: an iframe allowlist is not worth its risk for essays), and any URL whose scheme is
not http, https or mailto (relative URLs are fine).

No `rel` is added to links: essays link out without target="_blank", so there is no
opener to protect, and the site's Referrer-Policy already limits what is sent.
"""

import nh3

from blog.rendering.highlight import TOKEN_CLASSES

TAGS = frozenset(
    {
        *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "section"),
        *("ul", "ol", "li", "dl", "dt", "dd", "pre", "code", "kbd", "samp", "var"),
        *("a", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "q", "cite"),
        *("sup", "sub", "abbr", "dfn", "time", "bdi", "bdo", "span", "wbr"),
        *("ruby", "rp", "rt", "details", "summary", "figure", "figcaption", "img"),
        *("table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"),
    }
)
# Dropped with their content, not just their tags (the rest keep their text, escaped).
CONTENT_DROPPED = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"}
    | {"textarea", "select", "title", "xmp", "noembed", "noframes", "frameset", "applet"}
)
ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "id", "aria-label"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "li": {"id"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "del": {"datetime", "cite"},
    "ins": {"datetime", "cite"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "details": {"open"},
}
ATTRIBUTE_VALUES = {
    "a": {"role": {"doc-noteref", "doc-backlink"}},
    "section": {"role": {"doc-endnotes"}},
    "img": {"loading": {"lazy", "eager"}},
}
CLASSES = {
    "sup": {"footnote-ref"},
    "a": {"footnote-backref"},
    "section": {"footnotes"},
    "div": {"highlight"},
    "span": set(TOKEN_CLASSES),
    "th": {"align-left", "align-center", "align-right"},
    "td": {"align-left", "align-center", "align-right"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(CONTENT_DROPPED),
    attributes=ATTRIBUTES,
    tag_attribute_values=ATTRIBUTE_VALUES,
    allowed_classes=CLASSES,
    url_schemes=set(URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
)


def clean(html: str) -> str:
    """Keep only what the allowlist allows."""
    return _CLEANER.clean(html)
