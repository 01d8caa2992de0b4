"""The markdown parser: GitHub's cmark-gfm, CommonMark plus footnotes, tables and ~~strike~~.

Raw HTML is passed through here and removed or kept by the sanitiser afterwards, so one
allowlist decides what leaves the renderer. The GitHub extensions that would change plain
CommonMark are left out: `tagfilter` (the sanitiser does that job), `autolink` (bare
www./URL linking breaks five spec examples) and `tasklist` (checkboxes aren't essay markup).
Fenced code keeps CommonMark's `<pre><code class="language-x">` (no GITHUB_PRE_LANG).
"""

import cmarkgfm
from cmarkgfm.cmark import Options

OPTIONS = (
    Options.CMARK_OPT_FOOTNOTES
    | Options.CMARK_OPT_UNSAFE
    # `~one~` stays literal ("~5 to ~10 minutes"); `~~two~~` strikes through.
    | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
)
EXTENSIONS = ("table", "strikethrough")


def to_html(markdown: str) -> str:
    """cmark-gfm's HTML for the text, unsanitised: only the renderer should call this."""
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=OPTIONS, extensions=EXTENSIONS
    )
