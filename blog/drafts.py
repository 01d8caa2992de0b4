"""The writer's preview of any essay or page (draft, future-dated or published) as readers
will see it.

It is the public view with every row in its queryset: same template, same context.
Routed in the admin (PostAdmin.get_urls, PageAdmin.get_urls), so only signed-in staff
reach it; they also need the change permission. Never cached, never indexed.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.views import View

from blog.editor import CHANGE_PERMISSION
from blog.models import Page, Post
from blog.views import PageView, PostDetailView


class DraftPreviewMixin(View):
    """Before the public view in the bases: staff with `permission` only, never cached."""

    permission: str

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class DraftPreviewView(DraftPreviewMixin, PostDetailView):
    permission = CHANGE_PERMISSION

    def get_queryset(self):
        return Post.objects.all()


class PageDraftPreviewView(DraftPreviewMixin, PageView):
    permission = "blog.change_page"

    def get_queryset(self):
        return Page.objects.all()
