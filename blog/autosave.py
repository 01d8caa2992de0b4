"""Autosave: the editor keeps the writer's work on the server while she types, in an
essay or a page.

blog/static/blog/admin/autosave.js posts the form's fields here a few seconds after she
pauses and when the page is hidden, to one Autosave per essay (or page) and writer (a new
essay, a new page: one per writer). It also keeps a copy in the browser's local storage.
Opening the form offers the newer of the two back when it differs from what is saved. A
real save clears the server's copy, and the browser's copy of the page that saved (each
page load's copy has an id, posted with the form; the ids of saved copies are handed to
the next form page).

The endpoints are admin views (staff only, CSRF-protected; signed out, they answer the
login redirect, which the script reports), for those who may change the essay or page (or
add one), size-limited and rate-limited per writer.
"""

import json
import uuid
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.admin import ModelAdmin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from blog import ratelimit
from blog.conflicts import version
from blog.models import Autosave, Post, Written

# Larger requests are refused before they are read (Django's own cap is 2.5 MB).
MAX_BYTES = 1024 * 1024
# Per writer: the editor sends one every few seconds at most; this is for runaway scripts.
RATE = {"limit": 30, "seconds": 60}
# How many saved copies' ids a session remembers until a form page hands them over.
SAVED_COPIES_KEPT = 20
SESSION_KEY = "autosave:saved-copies"

if TYPE_CHECKING:
    _WrittenAdmin = ModelAdmin[Any]  # what the mixin extends (an essay's or a page's admin)
else:
    _WrittenAdmin = object


class AutosaveAdminMixin(_WrittenAdmin):
    """The essay or page admin's side: the endpoints, the form's panel, clearing on a real
    save."""

    def get_urls(self) -> list[URLPattern]:
        # Behind the admin login, like every admin view.
        view = self.admin_site.admin_view(partial(autosave, model_admin=self))
        name = url_name(self.model)
        return [
            path("autosave/", view, name=name),
            path("<int:pk>/autosave/", view, name=name),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # For those who may save this form; not on the history's old versions.
        editing = (
            self.has_add_permission(request) if add else self.has_change_permission(request, obj)
        )
        if editing and not (context.get("revert") or context.get("recover")):
            context.update(form_context(request, self.model, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        clear(request, obj, created=not change)


def url_name(model: type[Written]) -> str:
    return f"blog_{model._meta.model_name}_autosave"


def whose(request: HttpRequest, model: type[Written], written: Written | None) -> dict:
    """What names the writer's one copy of `written` (None: of a new essay or page)."""
    return {
        "user": writer(request),
        "content_type": ContentType.objects.get_for_model(model),  # cached: no query
        "object_id": written.pk if written else None,
    }


def writer(request: HttpRequest) -> User:
    """Who is writing: every request here passed the admin's login (admin_view)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    return request.user


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_http_methods(["POST", "DELETE"])
def autosave(
    request: HttpRequest, model_admin: "ModelAdmin[Any]", pk: int | None = None
) -> HttpResponse:
    """POST: keep the form's fields; DELETE: discard the copy."""
    # Permission first: staff who may not change essays don't learn which ones exist.
    model, kinds = model_admin.model, model_admin.model._meta.verbose_name_plural
    if pk is None:
        allowed = model_admin.has_add_permission(request)
    else:
        allowed = model_admin.has_change_permission(request)
    if not allowed:
        return _error(f"Your account may not change {kinds}.", 403)
    written = get_object_or_404(model, pk=pk) if pk is not None else None
    mine = whose(request, model, written)
    if request.method == "DELETE":
        Autosave.objects.filter(**mine).delete()
        return HttpResponse(status=204)
    if int(request.headers.get("content-length") or 0) > MAX_BYTES:
        return _error(
            "Too long to autosave on the server: it is kept in this browser. Save it.", 413
        )
    if not ratelimit.allow("autosave", str(request.user.pk), **RATE):
        response = _error("Too many autosaves: the next one will go through.", 429)
        response["Retry-After"] = str(RATE["seconds"])
        return response
    fields = {name: request.POST.get(name, "").replace("\r\n", "\n") for name in Autosave.FIELDS}
    based_on = request.POST.get("based_on", "")[:64]
    copy, _ = Autosave.objects.update_or_create(
        **mine, defaults={"fields": fields, "based_on": based_on}
    )
    return JsonResponse({"saved": copy.saved.isoformat()})


def form_context(request: HttpRequest, model: type[Written], written: Written | None) -> dict:
    """What the form's autosave panel needs (templates/admin/blog/post/drafts.html)."""
    copy = Autosave.objects.filter(**whose(request, model, written)).first()
    saved_copies = request.session.pop(SESSION_KEY, [])
    kwargs = {"pk": written.pk} if written else {}
    # One local copy per essay (or page) and writer in this browser, like the server's;
    # an essay's keeps the key it had before there were pages.
    kind = "" if model is Post else f"{model._meta.model_name}:"
    return {
        "autosave": {
            "url": reverse(f"admin:{url_name(model)}", kwargs=kwargs),
            "key": f"essay-draft:{kind}{request.user.pk}:{written.pk if written else 'new'}",
            "copy_id": uuid.uuid4().hex,
            "saved_copies": json.dumps(saved_copies),
            "version": version(written) if written else "",
            "server": {"fields": copy.fields, "saved": copy.saved.isoformat()} if copy else None,
        }
    }


def clear(request: HttpRequest, written: Written, *, created: bool) -> None:
    """After a real save: the writer's autosave of this essay or page is done with, and so
    is the browser copy of the page that saved (named by the form's `local_copy` id)."""
    Autosave.objects.filter(**whose(request, type(written), None if created else written)).delete()
    copy_id = request.POST.get("local_copy", "")
    if copy_id.isalnum() and len(copy_id) == 32:
        saved = request.session.get(SESSION_KEY, [])
        request.session[SESSION_KEY] = [*saved, copy_id][-SAVED_COPIES_KEPT:]
