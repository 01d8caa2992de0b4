"""The essay form's beta-reader parts: share links, and readers' notes beside their paragraphs.

Both are inlines of the essay, open to those who may change essays (not to staff who may
only look), and neither is part of the essay's revision history.
"""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html

from blog.models import Post, ReaderNote, ShareLink
from blog.sharing import Paragraph, by_paragraph

CHANGE_POST = "blog.change_post"

if TYPE_CHECKING:
    from reversion.admin import VersionAdmin

    class _PostAdmin(VersionAdmin, admin.ModelAdmin[Post]): ...  # what the mixin extends

else:
    _PostAdmin = object


class EssayPermissions:
    """An inline of the essay: whoever may change essays may manage it."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(CHANGE_POST)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission
    has_delete_permission = has_view_permission


class ShareLinkInline(EssayPermissions, admin.TabularInline):
    model = ShareLink
    fields = ["reader", "expires", "revoked", "address"]
    readonly_fields = ["address"]
    extra = 0
    verbose_name = "share link for a beta reader"
    verbose_name_plural = "Beta readers: private share links"

    def get_formset(self, request, obj=None, **kwargs):
        self.request = request  # an inline instance serves one request
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description="address")
    def address(self, link: ShareLink) -> str:
        if not link.pk:
            return "Made when you save."
        url = self.request.build_absolute_uri(link.get_absolute_url())
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


class ReaderNoteFormSet(BaseInlineFormSet):
    def paragraphs(self) -> list[Paragraph]:
        """The forms of the notes, grouped under their paragraphs (blog.sharing)."""
        return by_paragraph(self.instance, self.forms, lambda form: form.instance)


class ReaderNoteInline(EssayPermissions, admin.TabularInline):
    """Notes are the readers': the writer marks them resolved, or deletes them."""

    model = ReaderNote
    formset = ReaderNoteFormSet
    fields = ["resolved"]
    extra = 0
    template = "admin/blog/post/reader_notes.html"
    verbose_name_plural = "Notes from beta readers"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("link")


class BetaReadersAdminMixin(_PostAdmin):
    """The essay admin's share links and notes."""

    inlines = [ShareLinkInline, ReaderNoteInline]

    def reversion_register(self, model, **kwargs) -> None:
        # An essay's history holds the essay alone: VersionAdmin would register the inlines'
        # models and follow them, and restoring a version would then revive revoked links
        # and delete newer notes.
        if model is Post:
            super().reversion_register(model)

    def get_formsets_with_inlines(self, request: HttpRequest, obj=None):
        # A save that doesn't carry an inline's forms (a script, not the admin's page)
        # leaves its links or notes as they are, instead of failing for want of them.
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            prefix = formset.get_default_prefix()
            if request.method != "POST" or f"{prefix}-TOTAL_FORMS" in request.POST:
                yield formset, inline
