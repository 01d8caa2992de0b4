"""The admin's essay and page forms: the side-by-side editor and checks with messages a
writer can act on."""

from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from markdownx.widgets import AdminMarkdownxWidget

from blog import validators
from blog.conflicts import BasedOnVersionMixin
from blog.models import Page, Post

BODY_HELP = (
    "Markdown. Footnotes in either syntax: "
    "<code>a claim[^1]</code> with <code>[^1]: the note</code> anywhere below it; or "
    "<code>a claim(1)</code> with the notes at the end, after a line <code>--</code>, "
    "one paragraph per note starting <code>(1) </code>. "
    "Drop or paste JPEG, PNG or WebP images into the text, or use “Add image”."
)


class EssayEditorWidget(AdminMarkdownxWidget):
    """markdownx's editor in our own template: editor and preview side by side.

    The preview pane carries the public essay body's class and stylesheets, so it looks
    like the page. The editor script refuses a file over the upload limit before sending it.
    """

    template_name = "admin/blog/post/essay_editor.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = {"data-upload-max-bytes": settings.MARKDOWNX_UPLOAD_MAX_SIZE, "rows": 30}
        context["widget"]["attrs"].update(limit)
        return context

    class Media:
        # Not markdownx's admin stylesheet: it fixes widths and restyles the preview.
        extend = False
        # editor.css first: essay.css must win where both style the preview.
        css = {"all": ["blog/admin/editor.css", "blog/essay.css", "blog/code.css"]}
        js = ["markdownx/js/markdownx.min.js", "blog/admin/editor.js"]


class WrittenForm(forms.ModelForm):
    """The body of an essay or a page: in the editor, stored exactly as written."""

    # Our widget template lives in the project's templates/ (not an app's), which the
    # default form renderer doesn't search.
    default_renderer = TemplatesSetting

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (Fields are missing when shown read-only, to staff who may only view.)
        if isinstance(body := self.fields.get("body"), forms.CharField):
            body.strip = False  # stored exactly as written
        if "slug" in self.fields:
            # The model's rule, checked by the form too: a refused slug then never reaches
            # the instance, whose URLs (preview, view on site) the change page still builds.
            self.fields["slug"].validators.append(validators.validate_slug)

    def clean_body(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; the writer typed newlines.
        return self.cleaned_data["body"].replace("\r\n", "\n")


class PostAdminForm(BasedOnVersionMixin, WrittenForm):
    class Meta:
        model = Post
        fields = ["title", "slug", "date", "status", "external_link", "body"]
        # The model's validators check the link; the browser's URL input helps type one.
        widgets = {"body": EssayEditorWidget, "external_link": forms.URLInput}
        help_texts = {
            "body": BODY_HELP,
            "slug": "The address: /words/<em>slug</em>/. Lowercase letters, digits and hyphens.",
            "date": "Readers see the essay from this day on (future dates wait).",
            "external_link": "For a link post: the http(s) address it points to.",
        }
        error_messages = {
            "slug": {"unique": "Another essay already has this slug: choose a different one."}
        }


class PageAdminForm(BasedOnVersionMixin, WrittenForm):
    class Meta:
        model = Page
        fields = ["title", "slug", "status", "in_navigation", "navigation_order", "body"]
        widgets = {"body": EssayEditorWidget}
        help_texts = {"body": BODY_HELP}
        error_messages = {
            "slug": {"unique": "Another page already has this slug: choose a different one."}
        }
