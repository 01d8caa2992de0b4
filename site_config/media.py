"""Uploaded images, served by Django in production (WhiteNoise serves only static files).

django.views.static.serve is documented as unfit for production; this view is deliberately
narrow: files inside MEDIA_ROOT only, image types only, with a type taken from the stored
extension (which blog.uploads forced from the real bytes), `nosniff`, and a year of caching
since stored names are random and never reused.
"""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import condition, require_safe

CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def media_file(path: str) -> Path | None:
    """The image file `path` names inside MEDIA_ROOT, or None (never anything outside it)."""
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        candidate = (root / path).resolve()
        if not candidate.is_relative_to(root) or candidate.suffix.lower() not in CONTENT_TYPES:
            return None
        return candidate if candidate.is_file() else None
    except (OSError, ValueError):  # a name too long, a NUL byte, a symlink loop
        return None


def _last_modified(request: HttpRequest, path: str) -> dt.datetime | None:
    file = media_file(path)
    if file is None:
        return None
    return dt.datetime.fromtimestamp(file.stat().st_mtime, tz=dt.UTC)


@require_safe
@condition(last_modified_func=_last_modified)
def serve_media(request: HttpRequest, path: str) -> FileResponse:
    file = media_file(path)
    if file is None:
        raise Http404("No such image.")
    response = FileResponse(file.open("rb"), content_type=CONTENT_TYPES[file.suffix.lower()])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
