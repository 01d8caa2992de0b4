"""The markdown parser: GitHub's cmark-gfm, CommonMark plus footnotes, tables and ~~strike~~.

Raw HTML is passed through here and removed or kept by the sanitiser afterwards, so one
allowlist decides what leaves the renderer. The GitHub extensions that would change plain
CommonMark are left out: `tagfilter` (the sanitiser does that job), `autolink` (bare
www./URL linking breaks five spec examples) and `tasklist` (checkboxes aren't essay markup).
Fenced code keeps CommonMark's `<pre><code class="language-x">` (no GITHUB_PRE_LANG).

We call cmark-gfm ourselves, through cffi, in the library cmarkgfm compiled and ships:
cmarkgfm's own `markdown_to_html_with_extensions` never frees the document tree nor the
HTML string (~40 KB lost per 5 KB essay, its issue #53), which a long-lived worker
rendering every preview can't afford. Same library, same calls, same HTML: only the
frees are added. `cffi` is cmarkgfm's own dependency (its compiled module needs it).
"""

import cffi
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

from blog.rendering.guard import LINE_MARK

OPTIONS = (
    Options.CMARK_OPT_FOOTNOTES
    | Options.CMARK_OPT_UNSAFE
    # `~one~` stays literal ("~5 to ~10 minutes"); `~~two~~` strikes through.
    | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
)
EXTENSIONS = ("table", "strikethrough")

# The prototypes of cmark-gfm.h and cmark-gfm-extension_api.h that we use.
_ffi = cffi.FFI()
_ffi.cdef(
    """
    typedef struct cmark_node cmark_node;
    typedef struct cmark_parser cmark_parser;
    typedef struct cmark_syntax_extension cmark_syntax_extension;
    typedef struct _cmark_llist cmark_llist;
    typedef struct cmark_mem {
        void *(*calloc)(size_t, size_t);
        void *(*realloc)(void *, size_t);
        void (*free)(void *);
    } cmark_mem;

    cmark_mem *cmark_get_default_mem_allocator(void);
    void cmark_gfm_core_extensions_ensure_registered(void);
    cmark_syntax_extension *cmark_find_syntax_extension(const char *name);

    cmark_parser *cmark_parser_new(int options);
    int cmark_parser_attach_syntax_extension(cmark_parser *parser,
                                             cmark_syntax_extension *extension);
    void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
    cmark_node *cmark_parser_finish(cmark_parser *parser);
    cmark_llist *cmark_parser_get_syntax_extensions(cmark_parser *parser);
    void cmark_parser_free(cmark_parser *parser);

    char *cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
    void cmark_node_free(cmark_node *node);

    typedef struct cmark_iter cmark_iter;
    cmark_iter *cmark_iter_new(cmark_node *root);
    int cmark_iter_next(cmark_iter *iter);
    cmark_node *cmark_iter_get_node(cmark_iter *iter);
    void cmark_iter_free(cmark_iter *iter);
    const char *cmark_node_get_type_string(cmark_node *node);
    int cmark_node_get_start_line(cmark_node *node);
    const char *cmark_node_get_literal(cmark_node *node);
    int cmark_node_set_literal(cmark_node *node, const char *content);
    """
)
# Already loaded by the import above: this only looks its exported symbols up, all of
# them now, so a cmarkgfm build that stopped exporting one fails at import, not mid-save.
_lib = _ffi.dlopen(_cmark.__file__)
for _function in dir(_lib):
    getattr(_lib, _function)

# Once, at import: registration is not thread-safe, and the extensions it registers live
# in a process-wide registry until exit, so their pointers can be kept.
_lib.cmark_gfm_core_extensions_ensure_registered()
_EXTENSIONS = [_lib.cmark_find_syntax_extension(name.encode()) for name in EXTENSIONS]
if _ffi.NULL in _EXTENSIONS:
    raise ImportError(f"cmark-gfm lacks one of the extensions {EXTENSIONS}")
# The parser allocates the tree and the HTML with the default allocator (parser_new).
_free = _lib.cmark_get_default_mem_allocator().free


def to_html(markdown: str) -> str:
    """cmark-gfm's HTML for the text, unsanitised: only the renderer should call this."""
    return _render(markdown, OPTIONS, lines=False)


def to_html_with_lines(markdown: str) -> str:
    """The same HTML with the source line of every block, for messages to the writer.

    Block elements carry cmark's `data-sourcepos`; raw HTML blocks, which cmark writes
    without one, start with a LINE_MARK comment. Slower (it walks the whole tree).
    """
    return _render(markdown, OPTIONS | Options.CMARK_OPT_SOURCEPOS, lines=True)


def _mark_raw_blocks(root) -> None:
    iterator = _lib.cmark_iter_new(root)
    try:
        while _lib.cmark_iter_next(iterator) != 1:  # 1 is CMARK_EVENT_DONE
            node = _lib.cmark_iter_get_node(iterator)
            if _ffi.string(_lib.cmark_node_get_type_string(node)) == b"html_block":
                line = _lib.cmark_node_get_start_line(node)
                literal = _ffi.string(_lib.cmark_node_get_literal(node))
                # Each raw block is entered once (it has no children): no double marks.
                _lib.cmark_node_set_literal(node, LINE_MARK.format(line).encode() + literal)
    finally:
        _lib.cmark_iter_free(iterator)


def _render(markdown: str, options: int, lines: bool) -> str:
    data = markdown.encode("utf-8")
    parser = _lib.cmark_parser_new(options)
    try:
        for extension in _EXTENSIONS:
            _lib.cmark_parser_attach_syntax_extension(parser, extension)
        _lib.cmark_parser_feed(parser, data, len(data))
        root = _lib.cmark_parser_finish(parser)  # the tree is ours to free
        try:
            if lines:
                _mark_raw_blocks(root)
            # The extension list belongs to the parser: render while it is alive.
            extensions = _lib.cmark_parser_get_syntax_extensions(parser)
            html = _lib.cmark_render_html(root, options, extensions)
        finally:
            _lib.cmark_node_free(root)
    finally:
        _lib.cmark_parser_free(parser)
    try:
        return _ffi.string(html).decode("utf-8")
    finally:
        _free(html)
