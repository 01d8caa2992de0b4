"""The editor's image upload: real bytes checked, metadata stripped, scaled, randomly named.

Routed behind `blog.editor.editor_endpoint` at settings.MARKDOWNX_UPLOAD_URLS_PATH. Answers
in markdownx's shape: `{"image_code": "![](url)"}`, or 400 with `{"image": ["message"]}`.
The client's file name and content type are never trusted: the format comes from the bytes
(Pillow, limited to JPEG/PNG/WebP decoders: blog/images.py) and decides the stored extension.
"""

import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

# A multipart body is the file plus a few hundred bytes of headers and the CSRF token.
MULTIPART_SLACK = 64 * 1024


class UploadError(Exception):
    """An upload the editor should refuse, with the message the writer sees."""


@dataclass(frozen=True)
class StoredImage:
    name: str
    url: str
    width: int
    height: int


def rejected(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"image": [message]}, status=status)


@csrf_exempt  # checked in _checked_upload, after the size check, so a huge body is never read
@require_POST
def upload_image(request: HttpRequest) -> JsonResponse:
    # The CSRF middleware would parse (and spool to disk) the whole body before any view
    # ran; refusing an oversized request by its Content-Length first avoids that.
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.BLOG_UPLOAD_MAX_BYTES + MULTIPART_SLACK:
        return rejected(_too_large())
    return _checked_upload(request)


@csrf_protect
def _checked_upload(request: HttpRequest) -> JsonResponse:
    upload = request.FILES.get("image")
    if upload is None:
        return rejected("No image was sent.")
    if upload.size > settings.BLOG_UPLOAD_MAX_BYTES:
        return rejected(_too_large())
    try:
        stored = store_image(upload)
    except UploadError as error:
        return rejected(str(error))
    return JsonResponse({"image_code": f"![]({stored.url})"})


def _too_large() -> str:
    return f"The image is larger than {filesizeformat(settings.BLOG_UPLOAD_MAX_BYTES)}."


def store_image(file: io.IOBase) -> StoredImage:
    """Check, clean and store an uploaded image; raise UploadError with the reason."""
    # Pillow is loaded by the first upload, not into every worker at start (about 9 MB).
    from blog.images import clean_image

    data, extension, size = clean_image(file)
    name = f"images/{timezone.now():%Y}/{secrets.token_urlsafe(16)}.{extension}"
    name = default_storage.save(name, ContentFile(data))
    return StoredImage(name=name, url=default_storage.url(name), width=size[0], height=size[1])
