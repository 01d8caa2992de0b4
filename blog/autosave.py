"""Autosave: the essay editor keeps the writer's work on the server while she types.

blog/static/blog/admin/autosave.js posts the form's fields here a few seconds after she
pauses and when the page is hidden, to one Autosave per essay and writer (a new essay: one
per writer). It also keeps a copy in the browser's local storage. Opening the form offers
the newer of the two back when it differs from the saved essay. A real save clears the
server's copy, and the browser's copy of the page that saved (each page load's copy has an
id, posted with the form; the ids of saved copies are handed to the next form page).

The endpoints are admin views (staff only, CSRF-protected; signed out, they answer the
login redirect, which the script reports), for those who may change the essay (or add
one), size-limited and rate-limited per writer.
"""

import json
import uuid
from functools import partial
from typing import TYPE_CHECKING

from django.contrib.admin import ModelAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from blog import ratelimit
from blog.conflicts import version
from blog.models import Autosave, Post

# Larger requests are refused before they are read (Django's own cap is 2.5 MB).
MAX_BYTES = 1024 * 1024
# Per writer: the editor sends one every few seconds at most; this is for runaway scripts.
RATE = {"limit": 30, "seconds": 60}
# How many saved copies' ids a session remembers until a form page hands them over.
SAVED_COPIES_KEPT = 20
SESSION_KEY = "autosave:saved-copies"

if TYPE_CHECKING:
    _PostAdmin = ModelAdmin[Post]  # what the mixin extends, for the type checker
else:
    _PostAdmin = object


class AutosaveAdminMixin(_PostAdmin):
    """The essay admin's side: the endpoints, the form's panel, clearing on a real save."""

    def get_urls(self) -> list[URLPattern]:
        # Behind the admin login, like every admin view.
        view = self.admin_site.admin_view(partial(autosave, model_admin=self))
        return [
            path("autosave/", view, name="blog_post_autosave"),
            path("<int:pk>/autosave/", view, name="blog_post_autosave"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # For those who may save this form; not on the history's old versions.
        editing = (
            self.has_add_permission(request) if add else self.has_change_permission(request, obj)
        )
        if editing and not (context.get("revert") or context.get("recover")):
            context.update(form_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        clear(request, obj, created=not change)


def writer(request: HttpRequest) -> User:
    """Who is writing: every request here passed the admin's login (admin_view)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    return request.user


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_http_methods(["POST", "DELETE"])
def autosave(
    request: HttpRequest, model_admin: "ModelAdmin[Post]", pk: int | None = None
) -> HttpResponse:
    """POST: keep the form's fields; DELETE: discard the copy."""
    # Permission first: staff who may not change essays don't learn which ones exist.
    if pk is None:
        allowed = model_admin.has_add_permission(request)
    else:
        allowed = model_admin.has_change_permission(request)
    if not allowed:
        return _error("Your account may not change essays.", 403)
    post = get_object_or_404(Post, pk=pk) if pk is not None else None
    mine = Autosave.objects.filter(user=writer(request), post=post)
    if request.method == "DELETE":
        mine.delete()
        return HttpResponse(status=204)
    if int(request.headers.get("content-length") or 0) > MAX_BYTES:
        return _error(
            "Too long to autosave on the server: it is kept in this browser. Save the essay.", 413
        )
    if not ratelimit.allow("autosave", str(request.user.pk), **RATE):
        response = _error("Too many autosaves: the next one will go through.", 429)
        response["Retry-After"] = str(RATE["seconds"])
        return response
    fields = {name: request.POST.get(name, "").replace("\r\n", "\n") for name in Autosave.FIELDS}
    based_on = request.POST.get("based_on", "")[:64]
    copy, _ = Autosave.objects.update_or_create(
        user=writer(request), post=post, defaults={"fields": fields, "based_on": based_on}
    )
    return JsonResponse({"saved": copy.saved.isoformat()})


def form_context(request: HttpRequest, post: Post | None) -> dict:
    """What the essay form's autosave panel needs (templates/admin/blog/post/drafts.html)."""
    copy = Autosave.objects.filter(user=writer(request), post=post).first()
    saved_copies = request.session.pop(SESSION_KEY, [])
    kwargs = {"pk": post.pk} if post else {}
    return {
        "autosave": {
            "url": reverse("admin:blog_post_autosave", kwargs=kwargs),
            # One local copy per essay and writer in this browser, like the server's.
            "key": f"essay-draft:{request.user.pk}:{post.pk if post else 'new'}",
            "copy_id": uuid.uuid4().hex,
            "saved_copies": json.dumps(saved_copies),
            "version": version(post) if post else "",
            "server": {"fields": copy.fields, "saved": copy.saved.isoformat()} if copy else None,
        }
    }


def clear(request: HttpRequest, post: Post, *, created: bool) -> None:
    """After a real save: the writer's autosave of this essay is done with, and so is the
    browser copy of the page that saved (named by the form's `local_copy` id)."""
    Autosave.objects.filter(user=writer(request), post=None if created else post).delete()
    copy_id = request.POST.get("local_copy", "")
    if copy_id.isalnum() and len(copy_id) == 32:
        saved = request.session.get(SESSION_KEY, [])
        request.session[SESSION_KEY] = [*saved, copy_id][-SAVED_COPIES_KEPT:]
