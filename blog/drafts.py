"""The writer's preview of any essay (draft, future-dated or published) as readers will see it.

It is the public essay view with every post in its queryset: same template, same context.
Routed in the admin (PostAdmin.get_urls), so only signed-in staff reach it; they also need
the change permission. Never cached, never indexed.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

from blog.editor import CHANGE_PERMISSION
from blog.models import Post
from blog.views import PostDetailView


class DraftPreviewView(PostDetailView):
    def get_queryset(self):
        return Post.objects.all()

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
