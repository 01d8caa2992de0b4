"""Uploaded images made safe to publish: decoded by Pillow's JPEG, PNG and WebP decoders
only, checked, stripped of metadata and scaled down (blog.uploads stores them)."""

import io

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from blog.uploads import UploadError

# Only these decoders ever see the bytes; the format found decides the stored extension.
DECODERS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def clean_image(file: io.IOBase) -> tuple[bytes, str, tuple[int, int]]:
    """Re-encode an image without metadata: (bytes, extension, (width, height)).

    Only JPEG, PNG and WebP decoders are tried; the pixel count is checked from the header
    before anything is decoded; the orientation recorded in EXIF is applied, then every
    piece of metadata (EXIF with GPS, XMP, comments, text chunks) is dropped. The colour
    profile is kept when the colours are: it is not personal, and without it wide-gamut
    photos change colour.
    """
    max_width = settings.BLOG_IMAGE_MAX_WIDTH
    try:
        with Image.open(file, formats=DECODERS) as probe:
            _check_header(probe)
            probe.verify()  # structure and checksums; the image is unusable afterwards
        file.seek(0)
        with Image.open(file, formats=DECODERS) as opened:
            _check_header(opened)
            kind = "JPEG" if opened.format == "MPO" else opened.format
            source_mode = opened.mode
            icc_profile = opened.info.get("icc_profile")
            if kind == "JPEG":
                # Decode big photos at a reduced scale straight from the DCT: less memory.
                opened.draft("RGB", (max_width, max_width))
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except Image.DecompressionBombError as error:
        raise UploadError(_too_many_pixels()) from error
    except UnidentifiedImageError as error:
        raise UploadError(
            "This is not a JPEG, PNG or WebP image: other formats (GIF, SVG, HTML...) are "
            "not accepted."
        ) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise UploadError("The image is damaged or incomplete and could not be read.") from error

    image = _scaled(image, max_width)
    if kind == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    # Drop every piece of metadata; keep what the pixels need.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    options = {}
    if icc_profile and _colour_space(image.mode) == _colour_space(source_mode):
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True, **options)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True, **options)
    else:
        image.save(out, "WEBP", quality=85, **options)
    return out.getvalue(), EXTENSIONS[kind], image.size


def _too_many_pixels() -> str:
    megapixels = settings.BLOG_IMAGE_MAX_PIXELS / 1_000_000
    return f"The image has more than {megapixels:g} megapixels: scale it down first."


def _check_header(image: Image.Image) -> None:
    width, height = image.size
    if width * height > settings.BLOG_IMAGE_MAX_PIXELS:
        raise UploadError(_too_many_pixels())
    # MPO (a JPEG with extra pictures, from some cameras) keeps its first picture.
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise UploadError("Animated images are not accepted: upload a still JPEG, PNG or WebP.")


def _colour_space(mode: str) -> str:
    return {"1": "L", "L": "L", "LA": "L", "I": "L", "I;16": "L", "CMYK": "CMYK"}.get(mode, "RGB")


def _scaled(image: Image.Image, max_width: int) -> Image.Image:
    """The image no wider than max_width (never enlarged), in a mode that resizes well."""
    if image.width <= max_width:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA"):
        has_alpha = "A" in image.mode or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    height = max(1, round(image.height * max_width / image.width))
    return image.resize((max_width, height), Image.Resampling.LANCZOS)
