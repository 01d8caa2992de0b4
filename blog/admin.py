"""The writer's desk: the essays and pages, the side-by-side editor, drafts, revisions."""

from typing import TYPE_CHECKING, TypedDict

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from blog.autosave import AutosaveAdminMixin
from blog.drafts import DraftPreviewView, PageDraftPreviewView
from blog.forms import PageAdminForm, PostAdminForm
from blog.models import Page, Post
from blog.sharing_admin import BetaReadersAdminMixin
from blog.topics_admin import TopicsAdminMixin


class Public(TypedDict):
    is_public: bool  # whether readers can see the essay (PostAdmin.get_queryset)


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    ListedPost = WithAnnotations[Post, Public]


class WrittenAdmin(AutosaveAdminMixin, VersionAdmin):
    """What the essay's and the page's admin share: the editor over the whole width,
    autosave and refused conflicting saves, a revision of the state before the first change
    here, and history for those who may change (not view-only staff). Nothing the writer
    types or had is lost."""

    prepopulated_fields = {"slug": ["title"]}
    history_latest_first = True

    class Media:
        js = ["blog/admin/unsaved.js", "blog/admin/autosave.js"]
        css = {"all": ["blog/admin/drafts.css"]}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        written = self.get_object(request, unquote(object_id))
        if request.method == "POST" and self.has_change_permission(request, written):
            self._keep_unrevised_state(written)
        return super().change_view(request, object_id, form_url, extra_context)

    def _keep_unrevised_state(self, written: Post | Page | None) -> None:
        """An essay or page loaded from a file or made elsewhere has no revision yet: keep
        the state it is in as one before the admin first changes it, so that is never lost."""
        if written is None or Version.objects.get_for_object(written).exists():
            return
        with reversion.create_revision():
            reversion.set_comment("As it was before its first change here (imported).")
            reversion.add_to_revision(written)

    def render_change_form(self, request, context, *args, **kwargs):
        # The form uses the whole width: no app list beside the editor.
        context["is_nav_sidebar_enabled"] = False
        return super().render_change_form(request, context, *args, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        self._require_change_permission(request)
        return super().history_view(request, object_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        self._require_change_permission(request)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        self._require_change_permission(request)
        return super().recover_view(request, version_id, extra_context)

    def _require_change_permission(self, request: HttpRequest) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied


@admin.register(Post)
class PostAdmin(BetaReadersAdminMixin, TopicsAdminMixin, WrittenAdmin):
    form = PostAdminForm
    fieldsets = [
        (None, {"fields": ["title", ("slug", "date", "status"), "external_link", "topics"]}),
        (None, {"fields": ["body"], "classes": ["essay-body-fieldset"]}),
    ]
    list_display = ["title", "date", "state", "link_to", "on_site"]
    list_filter = ["status"]
    date_hierarchy = "date"  # the years, then months, there are essays in
    search_fields = ["title", "body"]
    list_per_page = 50
    empty_value_display = "—"
    actions = ["publish", "revert_to_draft"]

    def get_queryset(self, request: HttpRequest) -> "QuerySet[ListedPost]":
        # Whether readers can see each essay, decided by the one rule (published()),
        # in the same query as the list: no query per row.
        public = Post.objects.published().filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_public=Exists(public))

    def get_urls(self):
        preview = self.admin_site.admin_view(DraftPreviewView.as_view())
        return [
            path("preview/<slug:slug>/", preview, name="blog_post_preview"),
            *super().get_urls(),
        ]

    # The change list.

    @admin.display(description="status", ordering="status")
    def state(self, post: "ListedPost") -> str:
        if post.status == Post.Status.PUBLISHED and not post.is_public:
            return f"Scheduled for {date_format(post.date)}"
        return post.get_status_display()

    @admin.display(description="link to", ordering="external_link")
    def link_to(self, post: Post) -> str:
        return post.link_domain

    @admin.display(description="on the site")
    def on_site(self, post: "ListedPost") -> str:
        if post.is_public:
            return format_html('<a href="{}">View on site</a>', post.get_absolute_url())
        return format_html('<a href="{}">Preview</a>', preview_url(post))

    def view_on_site(self, post: Post) -> str | None:
        """The change form's "View on site" button, for essays readers can see."""
        return post.get_absolute_url() if getattr(post, "is_public", False) else None

    # Actions: each essay is saved through the model (so `updated`, rendering and whatever
    # Post.save does stay true) in a revision of its own, logged in the admin history.
    # queryset.update() would skip all of that.

    @admin.action(description="Publish selected essays", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        changed = self._set_status(request, queryset, Post.Status.PUBLISHED)
        today = timezone.localdate()
        waiting = [post for post in changed if post.date > today]
        self.message_user(request, f"Published {_essays(len(changed))}.", messages.SUCCESS)
        if waiting:
            self.message_user(
                request,
                f"{_essays(len(waiting))} dated in the future will appear on their date.",
                messages.INFO,
            )

    @admin.action(description="Revert selected essays to draft", permissions=["change"])
    def revert_to_draft(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        changed = self._set_status(request, queryset, Post.Status.DRAFT)
        self.message_user(request, f"Reverted {_essays(len(changed))} to draft.", messages.SUCCESS)

    def _set_status(self, request, queryset, status: Post.Status) -> list[Post]:
        changed = []
        for post in queryset.exclude(status=status):
            self._keep_unrevised_state(post)
            with reversion.create_revision():
                reversion.set_user(request.user)
                post.status = status
                post.save(update_fields=["status", "updated"])
                self.log_change(request, post, [{"changed": {"fields": ["Status"]}}])
            changed.append(post)
        return changed

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # VersionAdmin wraps the whole change list in one revision: an action on ten essays
        # would make one revision holding all ten, and restoring one essay from it would
        # restore the other nine too. The actions make a revision per essay instead.
        context = {"has_change_permission": self.has_change_permission(request)}
        context.update(extra_context or {})
        return admin.ModelAdmin.changelist_view(self, request, context)


@admin.register(Page)
class PageAdmin(WrittenAdmin):
    """About, Contact, Now...: the essay's editor, autosave, drafts and revisions, and a
    place in the navigation."""

    form = PageAdminForm
    fieldsets = [
        (None, {"fields": ["title", ("slug", "status"), ("in_navigation", "navigation_order")]}),
        (None, {"fields": ["body"], "classes": ["essay-body-fieldset"]}),
    ]
    list_display = ["title", "address", "status", "in_navigation", "navigation_order"]
    list_editable = ["navigation_order"]
    list_filter = ["status", "in_navigation"]
    search_fields = ["title", "body"]

    def get_urls(self):
        preview = self.admin_site.admin_view(PageDraftPreviewView.as_view())
        return [
            path("preview/<slug:slug>/", preview, name="blog_page_preview"),
            *super().get_urls(),
        ]

    @admin.display(description="address", ordering="slug")
    def address(self, page: Page) -> str:
        return page.get_absolute_url()

    def view_on_site(self, page: Page) -> str | None:
        return page.get_absolute_url() if page.status == Page.Status.PUBLISHED else None


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """The admin's "View on site" redirect, for staff who may view that kind of object here.

    Django lets every staff account follow /<admin>/r/<content type>/<id>/, and the address
    it redirects to names the object: a draft's slug. Routed in front of the admin's own
    (site_config/urls.py), behind admin_view.
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError) as error:
        raise Http404("No such kind of object.") from error
    if model is None or not admin.site.is_registered(model):
        raise Http404("No such kind of object in the admin.")
    if not admin.site.get_model_admin(model).has_view_permission(request):
        raise PermissionDenied
    return shortcut(request, content_type_id, object_id)


def preview_url(post: Post) -> str:
    return reverse("admin:blog_post_preview", kwargs={"slug": post.slug})


def _essays(count: int) -> str:
    return f"{count} essay" if count == 1 else f"{count} essays"
