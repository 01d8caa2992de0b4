"""The editor's endpoints, made safe to route: staff only, bad input is a 400.

markdownx checks no user at all; `editor_endpoint` lets through active staff who may change
essays. The editor's own requests (XMLHttpRequest) get a short 403 instead of the login page,
which markdownx would otherwise paste into the preview when a session has ended.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from blog import notes, rendering

CHANGE_PERMISSION = "blog.change_post"

SIGNED_OUT = "Your session has ended: sign in again in another tab. Your text here is kept."
NOT_ALLOWED = "Your account may not change essays."


def may_edit(request: HttpRequest) -> bool:
    """Active staff with permission to change essays: the writer's desk is theirs."""
    return admin.site.has_permission(request) and request.user.has_perm(CHANGE_PERMISSION)


def _html_notice(message: str, status: int) -> HttpResponse:
    # markdownx shows any response in the preview pane, so the notice is a paragraph.
    return HttpResponse(format_html('<p class="editor-notice">{}</p>', message), status=status)


def editor_endpoint(
    view: Callable[..., HttpResponse],
    denied: Callable[[str, int], HttpResponse] = _html_notice,
) -> Callable[..., HttpResponse]:
    """Route `view` for staff who may change essays.

    A browser navigating here while signed out goes to the admin login; the editor's
    background requests get `denied(message, 403)`; staff without the permission get 403.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        background = request.headers.get("x-requested-with") == "XMLHttpRequest"
        if not admin.site.has_permission(request):
            if background:
                return denied(SIGNED_OUT, 403)
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not request.user.has_perm(CHANGE_PERMISSION):
            return denied(NOT_ALLOWED, 403) if background else HttpResponseForbidden(NOT_ALLOWED)
        return view(request, *args, **kwargs)

    return never_cache(guarded)


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The markdownx preview: the editor's text through the site's one renderer, exactly
    the HTML the essay page will show, notes placed as there. (markdownx's own view is not
    used: it would also load its unsafe upload form and Pillow into every worker.)"""
    if "content" not in request.POST:
        return HttpResponseBadRequest("A preview needs the essay text in `content`.")
    return HttpResponse(notes.for_page(rendering.render(request.POST["content"])))
