"""What leaves render() passes the allowlist: XSS vectors die, harmless HTML survives.

Vectors after OWASP's XSS filter-evasion cheat sheet, written as a writer could type them
into an essay (raw HTML and markdown links, images, autolinks, footnotes, headings).
"""

import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog import rendering
from blog.rendering import guard, parser, sanitise
from tests.html_tools import normalise

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<<script>alert(1);//<</script>",
    "<script\nsrc=//xss.example/x.js>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;"
    "&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<IMG LOWSRC="javascript:alert(1)">',
    '<img """><script>alert(1)</script>">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="java&#0000115;cript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="#" onclick="alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x](x "title" onerror="alert(1)")',
    "[click][x]\n\n[x]: javascript:alert(1)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<DIV STYLE="width: expression(alert(1));">x</DIV>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button>',
    '<input autofocus onfocus="alert(1)">',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<TABLE BACKGROUND="javascript:alert(1)"><tr><td>x</td></tr></TABLE>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<template><script>alert(1)</script></template>",
    '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
    '<span class="x" id="y" data-x="1" aria-hidden="true">x</span>',
    '## "><script>alert(1)</script>',
    'x[^a"onmouseover="alert(1)]\n\n[^a"onmouseover="alert(1)]: n',
    '```"><script>alert(1)</script>\ncode\n```',
    '<sup class="footnote-ref" onclick="alert(1)"><a href="javascript:alert(1)">1</a></sup>',
]

_URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "background", "lowsrc"}
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


class _Audit(HTMLParser):
    """Problems in rendered HTML: tags outside the allowlist, handlers, bad URLs, styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in sanitise.TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "target"}:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in _URL_ATTRIBUTES and value:
                scheme = _SCHEME.match(_CONTROL_AND_SPACE.sub("", value).lower())
                if scheme and scheme.group(1) not in sanitise.URL_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r}")


def problems(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    if re.search(r"<\s*script", html, re.IGNORECASE):
        audit.problems.append("<script")
    return audit.problems


class _Depth(HTMLParser):
    VOID = {"br", "hr", "img", "wbr", "col", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = self.deepest = 0

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth -= 1


def max_depth(html: str) -> int:
    """How deep the elements of well-nested HTML go."""
    parser = _Depth()
    parser.feed(html)
    parser.close()
    assert parser.depth == 0, "every element is closed"
    return parser.deepest


def test_there_are_at_least_30_vectors():
    assert len(set(VECTORS)) >= 30


@pytest.mark.parametrize("vector", VECTORS)
def test_vector_is_neutralised(vector):
    html = rendering.render(vector)
    assert problems(html) == []
    assert "alert(1)</script" not in html


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if "<script" in v.lower() or "<style" in v.lower()]
)
def test_script_and_style_contents_are_dropped_not_shown(vector):
    html = rendering.render(vector)
    assert "background:url" not in html
    assert "xss.example" not in html


def test_the_audit_catches_what_it_should():
    """The checker above must be able to fail, or the vectors prove nothing."""
    assert problems('<img src=x onerror="alert(1)">')
    assert problems('<a href=" JaVa\tscript:alert(1)">x</a>')
    assert problems('<a href="data:text/html,x">x</a>')
    assert problems("<iframe></iframe>")
    assert problems('<p style="color:red">x</p>')
    assert problems("<SCRIPT>")
    assert problems('<a href="https://ok.example/#javascript:x">x</a>') == []


@pytest.mark.parametrize(
    "html",
    [
        '<p><abbr title="as far as I know">AFAIK</abbr>, H<sub>2</sub>O, E=mc<sup>2</sup>.</p>',
        "<p>Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, <mark>marked</mark>, <q>quoted</q>.</p>",
        "<details><summary>More</summary><p>Hidden text.</p></details>",
        '<figure><img src="/media/a.png" alt="A cat" width="640" height="480" loading="lazy">'
        "<figcaption>A cat.</figcaption></figure>",
        '<p><img src="https://images.example/a.jpg" alt="Remote" title="T"></p>',
        "<dl><dt>Term</dt><dd>Definition</dd></dl>",
        '<p><a href="mailto:me@example.org">mail</a> <a href="/words/x/">here</a> '
        '<a href="https://example.org/a?b=c#d">there</a> <a href="#notes">down</a></p>',
        '<p><time datetime="2023-09-09">today</time>, <del>old</del> <ins>new</ins></p>',
        '<ol start="3"><li>three</li></ol>',
        '<p lang="fr" title="en français">Bonjour</p>',
    ],
)
def test_harmless_html_survives(html):
    assert normalise(rendering.render(html)) == normalise(html)


def test_markdown_links_get_no_rel_or_target():
    assert rendering.render("[x](https://example.org)") == (
        '<p><a href="https://example.org">x</a></p>\n'
    )


def test_an_email_autolink_stays_a_mailto_link():
    assert 'href="mailto:me@example.org"' in rendering.render("<me@example.org>")


# Pieces of markdown and HTML, glued at random: more likely to hit parser corners than
# arbitrary text, which is tried as well.
_PIECES = [
    *string.ascii_letters[:6],
    *string.digits[:3],
    *" \n\t()[]<>!*_`~#-=:;/\\\"'&|.^é",
    *["javascript:", "onerror=", "<script>", "<img ", "<a href=", "(1)", "\n--\n", "\n(1) "],
    *["[^1]", "```python\n", "    ", "&#106;", "<svg ", "style=", "<!--"],
]
_MARKDOWNISH = st.lists(st.sampled_from(_PIECES), max_size=80).map("".join)


@settings(max_examples=200, deadline=None)
@given(_MARKDOWNISH | st.text(max_size=200))
def test_render_never_raises_and_never_lets_code_through(text):
    html = rendering.render(text)
    assert problems(html) == []
    assert not re.search(r"<[^>]*\bon\w+\s*=", html, re.IGNORECASE)
    assert not re.search(r"<[^>]*javascript:", html, re.IGNORECASE)


# The fast path: without raw HTML, markup_only() writes exactly what nh3 would -----------

_MARKDOWN_ONLY = [
    *["word", " ", "\n", "\n\n", "> ", "- ", "1. ", "7) ", "    ", "*", "**", "_", "~~", "`"],
    *["[a](/b)", "[", "](", ")", '![i](/j.png "t")', "[^1]", "\n\n[^1]: n", "# ", "---"],
    *["| a |", "\n|:-|", "```python\n", "```nope\n", "\n```\n", "&amp;", "&nbsp;", "\\"],
    *['"', "'", "&", "\u00a0", "é", "<https://x.y/?a=1&b='2'>", "<me@x.y>", "javascript:"],
    *["https://", "mailto:", "data:", "(1)", "\n--\n", "\n(1) ", "a\x0bb", "\x1b", "  \n"],
]


def assert_fast_path_is_nh3(text: str) -> bool:
    """markup_only() equals nh3 wherever render() would take it; whether it was taken."""
    html, raw = rendering.unsanitised(text)
    fast = None if raw else sanitise.markup_only(html)
    if fast is not None:
        assert fast == sanitise.clean(html)
    return fast is not None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_MARKDOWN_ONLY), max_size=80).map("".join) | _MARKDOWNISH)
def test_the_fast_path_is_exactly_the_sanitisers_output(text):
    assert_fast_path_is_nh3(text)


def test_every_fixture_takes_the_fast_path_and_gets_nh3s_output():
    for path in sorted((Path(__file__).resolve().parents[1] / "fixtures").glob("*.md")):
        assert assert_fast_path_is_nh3(path.read_text(encoding="utf-8")), path.name


@pytest.mark.parametrize(
    "body", ["[x](javascript:alert(1))", "![x](data:text/html,x)", "[x](made-up:y)"]
)
def test_a_url_the_allowlist_refuses_sends_the_essay_through_nh3(body):
    html, raw = rendering.unsanitised(body)
    assert not raw
    assert sanitise.markup_only(html) is None
    assert not re.search(r'(?:href|src)="[a-z-]+:', rendering.render(body))


# The fast path with the writer's simplest raw HTML: `<abbr title="...">IMO</abbr>` ---------

_NAMES = ["abbr", "kbd", "b", "i", "s", "sub", "mark", "q"]
# Text around and inside the elements: what can cut an element (emphasis, a code span, a
# table cell, a link, an escape, a line), odd characters, and raw HTML of other kinds.
_AROUND = [
    *["IMO", "x", " ", "\n", "\n\n", "*", "**", "_", "`", "|", "\n|-|-|\n", "~~", "\\"],
    *["[a](/b)", "[", "](/u)", "[^1]", "\n\n[^1]: n", "# ", "> ", "- ", "    ", "```\n"],
    *["&amp;", "&eacute;", "&#11;", "&", '"', "'", "<", ">", "\u00a0", "\x0b", "é", "(1)"],
    *["<span>", "</b>", "<abbr>", "<!-- c -->", "<ABBR>x</ABBR>", '<b title="x" >y</b>'],
]
_TITLES = st.sampled_from(["", ' title="in my opinion"', " title=\"it's \u00a0'so'\"", ' title=""'])
_SIMPLE = st.builds(
    "<{0}{1}>{2}</{0}>".format,
    st.sampled_from(_NAMES),
    _TITLES,
    st.lists(st.sampled_from(_AROUND), max_size=4).map("".join),
)
_WITH_SIMPLE = st.lists(_SIMPLE | st.sampled_from(_AROUND), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(_WITH_SIMPLE)
def test_simple_raw_html_skips_the_guard_only_where_it_changes_nothing(text):
    html = parser.to_html(text)
    if not guard.needed(text, html):
        assert guard.balance(html) == html
    assert_fast_path_is_nh3(text)


@pytest.mark.parametrize(
    "body",
    [
        'Say <abbr title="in my opinion">IMO</abbr>, [twice](https://x.example/y).',
        "Press <kbd>Ctrl</kbd> and <kbd>C</kbd>: H<sub>2</sub>O, **<mark>this</mark>**.",
        '- <abbr title="a">A</abbr>\n\n> <q>x &amp; y</q>\n\n| <b>a</b> | b |\n|-|-|',
    ],
)
def test_simple_raw_html_takes_the_fast_path(body):
    assert assert_fast_path_is_nh3(body)


@pytest.mark.parametrize(
    "body",
    [
        "*a <kbd>b* c</kbd>",  # emphasis cuts it
        "| <kbd>a | b</kbd> |\n|-|-|",  # so does a table cell
        '<abbr title="x">\nIMO</abbr> a < b',  # a raw HTML block: passed through as written
        "<abbr>a</abbr> <span>b</span>",  # other raw HTML
        '<abbr title="x" lang="en">a</abbr>',  # another attribute
        "\\<abbr>a</abbr>",  # a lone end tag
    ],
)
def test_raw_html_that_is_not_that_simple_goes_through_the_guard(body):
    assert not assert_fast_path_is_nh3(body)


# URLs markup_only() knows nh3 keeps, without asking it: http(s) with a plain host, paths.
_HREF_CHARACTER = st.sampled_from([*string.ascii_letters, *string.digits, *"-._~!$'()*+,;=:@/?#%"])
_HREF_TAIL = st.lists(_HREF_CHARACTER | st.just("&amp;"), max_size=12).map("".join)
_LABEL = st.from_regex(r"[a-zA-Z0-9-]{1,8}", fullmatch=True)
_HOST = st.builds(
    "{}{}".format,
    st.lists(_LABEL.map("{}.".format), max_size=3).map("".join),
    st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,8}", fullmatch=True),
)
_WEB = st.builds(
    "{}://{}{}{}{}".format,
    st.sampled_from(["http", "https", "HTTPS"]),
    _HOST,
    st.sampled_from(["", ":8", ":443", ":9999"]),
    st.sampled_from(["", "/", "?", "#"]),
    _HREF_TAIL,
)


@settings(max_examples=500, deadline=None)
@given(_WEB | _HREF_TAIL.map("/{}".format))
def test_a_url_markup_only_keeps_unasked_is_one_nh3_keeps(url):
    if sanitise._KEPT_URL.fullmatch(url):
        link = f'<a href="{url}">x</a>'
        assert sanitise.clean(link) == link


def test_urls_of_other_shapes_are_asked_about():
    for url in ["https://xn--a.example/", "https://1.2.3.999/", "https://a.b.", "mailto:a@b"]:
        assert not sanitise._KEPT_URL.fullmatch(url)
    assert sanitise._KEPT_URL.fullmatch("https://example.org/a?b=1&amp;c=(2)#d")


# Refused tags are shown as text: they never swallow what follows ------------------------

# Tags an HTML parser reads the rest of the page into (raw text, RCDATA, foreign content,
# plaintext), and others the allowlist refuses.
SWALLOWERS = [
    *["textarea", "title", "noscript", "select", "iframe", "xmp", "noembed", "noframes"],
    *["plaintext", "template", "object", "svg", "math", "option", "button", "form", "input"],
]


@pytest.mark.parametrize("tag", SWALLOWERS)
@pytest.mark.parametrize(
    "shape",
    [
        "Use a <{tag}> for input[^1]. After.",
        "<{tag}>\n\nAfter[^1].",
        "Say <{tag} x='1'> then After[^1].",
    ],
    ids=["inline", "block", "attributes"],
)
def test_a_refused_tag_is_shown_as_text_and_what_follows_stays(tag, shape):
    body = shape.format(tag=tag) + "\n\n[^1]: The note.\n\nLast paragraph."
    html = rendering.render(body)
    assert problems(html) == []
    assert f"&lt;{tag}" in html
    assert "After" in html
    assert "The note." in html
    assert "Last paragraph." in html
    assert 'role="doc-noteref"' in html


def test_a_refused_end_tag_and_a_lone_less_than_sign_are_text():
    html = rendering.render('a </textarea> b <3 c <a b"c> d')
    assert html == '<p>a &lt;/textarea&gt; b &lt;3 c &lt;a b"c&gt; d</p>\n'


@pytest.mark.parametrize(
    "body",
    [
        "x <script>alert(1)</script> After.",
        "<script>\nalert(1)\n</script>\n\nAfter.",
        "<style>\nbody{background:url(x)}\n</style>\n\nAfter.",
        "x <SCRIPT src=//xss.example/x.js> After.",
        "x <style> After.\n\nMore </style> text.",
    ],
    ids=["inline", "block", "style-block", "unclosed", "across-blocks"],
)
def test_scripts_and_styles_are_removed_and_never_swallow(body):
    html = rendering.render(body)
    assert problems(html) == []
    assert "alert" not in html
    assert "xss.example" not in html
    assert "background" not in html
    assert "After." in html


def test_comments_are_removed_and_an_unclosed_one_is_text():
    assert rendering.render("a <!-- hidden --> b") == "<p>a  b</p>\n"
    assert (
        rendering.render("a <!-- never closed\n\nb") == "<p>a &lt;!-- never closed</p>\n<p>b</p>\n"
    )


@pytest.mark.parametrize(
    "body",
    [
        "<p><b>" + "".join(f'<b title="{i}">' for i in range(300)) + "</p>\n\n" + "x\n\n" * 300,
        "<ul><li>" + "<i>" * 300 + "<li>x" * 300,
        "<a href='/a'>" * 300 + "x",
        "<div><span>" * 300 + "x" + "</div>" * 300,
    ],
    ids=["formatting-across-paragraphs", "list-items", "nested-links", "misnested"],
)
def test_unclosed_and_misnested_raw_html_is_balanced_and_bounded(body):
    """No element is re-opened by the HTML parser: the output stays about the input's size."""
    html = rendering.render(body)
    assert problems(html) == []
    assert len(html) < 3 * len(body)
    assert max_depth(html) <= 40
