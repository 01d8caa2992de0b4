"""The editor's endpoints: markdownx's views, routed for the writer only.

markdownx checks no user at all. `editor_endpoint` puts a view behind the admin's login
(admin_view: staff only, CSRF, never cached) and the permission to change essays or pages. The
editor's own requests (X-Requested-With) get a short 403 instead of the login page, which
markdownx would otherwise paste into the preview when a session has ended.

The views (blog/editor_views.py) are imported by the first request to them: markdownx's
views module loads Pillow and Python-Markdown (9 MB), which workers that only serve readers
never need.
"""

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import import_string

from blog import notes, rendering

CHANGE_PERMISSION = "blog.change_post"
# The editor writes essays and pages: either permission opens it.
EDITOR_PERMISSIONS = (CHANGE_PERMISSION, "blog.change_page")

SIGNED_OUT = "Your session has ended: sign in again in another tab. Your text here is kept."
NOT_ALLOWED = "Your account may not change essays."

type View = Callable[..., HttpResponse]


def preview_html(markdown: str) -> str:
    """The live preview (MARKDOWNX_MARKDOWNIFY_FUNCTION): the body as the essay page shows it,
    notes placed as there, under the renderer's messages about what will not show as
    written (rendering.check)."""
    messages = rendering.check(markdown)
    notice = (
        format_html(
            '<ul class="editor-notice" role="status">{}</ul>',
            format_html_join("", "<li>{}</li>", ((message,) for message in messages)),
        )
        if messages
        else ""
    )
    return notice + notes.for_page(rendering.render(markdown))


def html_notice(message: str) -> HttpResponse:
    # markdownx shows any answer to the preview in the preview pane: a paragraph.
    return HttpResponse(format_html('<p class="editor-notice">{}</p>', message), status=403)


def json_notice(message: str) -> JsonResponse:
    # The shape of the upload form's errors, which the editor shows beside the text.
    return JsonResponse({"image": [message]}, status=403)


def editor_endpoint(view_path: str, notice: Callable[[str], HttpResponse]) -> View:
    """The view at `view_path` for staff who may change essays or pages.

    A browser navigating here signed out goes to the admin login; the editor's background
    requests get `notice(message)` (403) when signed out or not allowed.
    """

    def permitted(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not any(request.user.has_perm(permission) for permission in EDITOR_PERMISSIONS):
            if _background(request):
                return notice(NOT_ALLOWED)
            return HttpResponseForbidden(NOT_ALLOWED)
        return import_string(view_path)(request, *args, **kwargs)

    staff_only = admin.site.admin_view(permitted)

    def endpoint(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _background(request) and not admin.site.has_permission(request):
            return notice(SIGNED_OUT)
        return staff_only(request, *args, **kwargs)

    return endpoint


def _background(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"
