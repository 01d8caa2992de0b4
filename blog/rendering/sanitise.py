"""The allowlist every rendered essay passes through last (nh3, i.e. ammonia).

Essay markup, tables, the footnote and highlighting markup the renderer emits, and the
harmless HTML a writer types (<abbr>, <sup>, <kbd>, <details>, <figure>, <img>...).
Everything else is dropped: scripts, styles, event handlers, forms, frames (no embeds at
all: an iframe allowlist is not worth its risk for essays), and any URL whose scheme is
not http, https or mailto (relative URLs are fine).

No `rel` is added to links: essays link out without target="_blank", so there is no
opener to protect, and the site's Referrer-Policy already limits what is sent.

A fast path for essays without raw HTML, or with only simple inline elements of it
(`<abbr title="...">IMO</abbr>`; render() knows: guard.needed() is false). Then every tag
is cmark-gfm's own, the renderer's finishing touch or such an element, and each of those tags,
attributes and classes is in the allowlist below: nh3 could only drop a URL and
re-serialise. So markup_only() writes nh3's serialisation itself (`<br>` for `<br />`,
`"` for `&quot;` in text, `'`, `<` and `>` unescaped in attributes, `&nbsp;`, and the
class of code in a language Pygments doesn't know dropped) and asks nh3 about the URLs
alone (but those of a shape it always keeps), in one small document; any URL it would
change sends the whole essay through nh3.
nh3 costs 3x the parse on an ordinary essay and 5 ms/KB on tag-dense ones.
tests/test_sanitiser.py proves, on generated markdown, on every fixture and on each
construct, that this is exactly nh3's output.
"""

import re

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


# Raw `"` only delimits attribute values: cmark-gfm and Pygments write it as &quot; in text.
_VALUE_WITH_ENTITY = re.compile(r'="([^"&]*&[^"]*)"')
# So does `>` a tag: an `&` followed by a `"` before any `<`, `>` is in a value (the last `&`
# of the value: a search that stops at each `&` stays linear).
_ENTITY_IN_VALUE = re.compile(r'&[^"<>&]*"')
# `="` first, then the look behind it for the attribute's name: the search skips to each.
_URL = re.compile(r'="(?:(?<= href=")|(?<= src="))([^"#][^"]*)"')
# A URL nh3 keeps as written, known without asking it: http(s) with a host name of ASCII
# letters, digits and hyphens, no punycode, ending in a letter (the URL parser can refuse
# neither), or a path on this site (no scheme: relative, kept); then the characters
# cmark-gfm leaves in an href, `&` escaped. tests/test_sanitiser.py asks nh3 about
# random ones. A URL of any other shape is asked about.
_KEPT_URL = re.compile(
    r"(?:https?://(?:(?!xn--)[a-z0-9-]+\.)*(?!xn--)[a-z][a-z0-9-]*(?::[0-9]{1,4})?(?=[/?#]|$)|/)"
    r"(?:[a-z0-9\-._~!$'()*+,;=:@/?#%]|&amp;)*",
    re.IGNORECASE,
)
_UNKNOWN_LANGUAGE = re.compile(r'<code class="language-[^"]*">')
# NUL: cmark-gfm writes U+FFFD for it, so it can stand for a quote kept in an attribute.
_KEPT_QUOTE = "\0"


def _value(match: re.Match) -> str:
    value = match.group(1).replace("&quot;", _KEPT_QUOTE).replace("&#x27;", "'")
    return f'="{value.replace("&lt;", "<").replace("&gt;", ">")}"'


def markup_only(html: str) -> str | None:
    """nh3's output for HTML of cmark-gfm's and the renderer's own markup (raw HTML: only
    guard's simple elements);
    None if a URL in it is one nh3 would drop (then clean() decides)."""
    if 'class="language-' in html:
        html = _UNKNOWN_LANGUAGE.sub("<code>", html)
    # ` />` ends cmark-gfm's void tags only: in text, `>` is &gt;.
    html = html.replace(" />", ">")
    kept_quotes = _ENTITY_IN_VALUE.search(html) is not None
    if kept_quotes:  # a pass over every attribute, rarely needed
        html = _VALUE_WITH_ENTITY.sub(_value, html)
    html = html.replace("&quot;", '"').replace("&#39;", "'").replace("\xa0", "&nbsp;")
    if kept_quotes:
        html = html.replace(_KEPT_QUOTE, "&quot;")
    # Now in nh3's own spelling: a URL it keeps, it writes back unchanged.
    urls = "".join(
        f'<a href="{url}"></a>' for url in set(_URL.findall(html)) if not _KEPT_URL.fullmatch(url)
    )
    return None if urls and clean(urls) != urls else html
