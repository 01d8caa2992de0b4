"""Uploaded images made safe to publish, in bounded memory.

Only Pillow's JPEG, PNG and WebP decoders see the bytes, and the format they find decides
the stored extension. Nothing is decoded before the memory its pixels need is known and
allowed: a 200 KB PNG can claim 7000x7000 pixels (196 MB decoded). A JPEG is decoded at
1/2, 1/4 or 1/8 scale straight from the DCT when that is still wide enough; PNG and WebP
can only be decoded whole, and are then reduced by a whole factor (Image.reduce) before
being resampled. The EXIF orientation is applied to the small result, then
every piece of metadata (EXIF with GPS, XMP, comments, text chunks) is dropped. The colour
profile is kept when the colours are: it is not personal, and without it wide-gamut photos
change colour.
"""

import io
import warnings
from typing import IO

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

# Only these decoders ever see the bytes; the format found decides the stored extension.
DECODERS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# EXIF orientations that turn the picture a quarter: its width is shown as its height.
SIDEWAYS = {5, 6, 7, 8}
# Bytes per pixel Pillow holds by mode (most modes take 4, grey 1, 16-bit grey 2); palette
# and bilevel images add the RGB(A) or grey copy they are resampled in.
PIXEL_BYTES = {"1": 2, "L": 1, "P": 5, "PA": 8, "I;16": 2, "I;16B": 2, "I;16L": 2}


class ImageError(Exception):
    """An image that cannot be published, with the reason the writer sees."""


def clean_image(
    file: IO[bytes], *, max_width: int, quality: int, max_memory: int
) -> tuple[bytes, str]:
    """The image re-encoded without metadata, at most `max_width` wide: (bytes, extension).

    Raises ImageError when it is not a still JPEG, PNG or WebP, is damaged, or its
    pixels would take more than `max_memory` bytes to decode.
    """
    try:
        # Pillow warns, then refuses, far above any size allowed here: both mean "too big".
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=DECODERS) as probe:
                _check_frames(probe)
                probe.verify()  # structure and checksums; the image is unusable afterwards
            file.seek(0)
            opened = Image.open(file, formats=DECODERS)
        with opened:
            kind = "JPEG" if opened.format == "MPO" else opened.format
            assert kind in EXTENSIONS  # an opened image names its decoder, one of DECODERS
            if kind == "JPEG":
                # The smallest DCT scale still at least max_width wide as shown (a JPEG's
                # EXIF comes with its header).
                wide = (1, max_width) if _sideways(opened) else (max_width, 1)
                opened.draft("RGB", wide)
            _check_memory(opened, kind, max_memory)
            # Only now: a PNG's EXIF may follow its pixels, and reading it decodes them.
            image = _scaled(opened, max_width, _sideways(opened))
            ImageOps.exif_transpose(image, in_place=True)
            icc_profile = opened.info.get("icc_profile")
            return _encoded(image, kind, quality, icc_profile, opened.mode), EXTENSIONS[kind]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(
            "The image has far too many pixels to process: scale it down before uploading it."
        ) from error
    except UnidentifiedImageError as error:
        raise ImageError(
            "This is not a JPEG, PNG or WebP image: other formats (GIF, SVG, HTML...) are "
            "not accepted."
        ) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError("The image is damaged or incomplete and could not be read.") from error


def _check_frames(image: Image.Image) -> None:
    # MPO (a JPEG with extra pictures, from some cameras) keeps its first picture.
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise ImageError("Animated images are not accepted: upload a still JPEG, PNG or WebP.")


def _sideways(image: Image.Image) -> bool:
    return image.getexif().get(ExifTags.Base.Orientation) in SIDEWAYS


def _check_memory(image: Image.Image, kind: str, max_memory: int) -> None:
    """Refuse, from the header alone, an image whose pixels would take over max_memory.

    Copies of the pixels alive at once, as measured (bench/uploads.py): the decoded image
    and the resampling passes (2); Pillow resamples alpha through a premultiplied copy (+1);
    libwebp decodes into a canvas of its own, which Pillow then copies (+2).
    """
    has_alpha = "A" in image.mode or "transparency" in image.info
    copies = 2 + has_alpha + 2 * (kind == "WEBP")
    pixel_memory = PIXEL_BYTES.get(image.mode, 4) * copies
    if image.width * image.height * pixel_memory > max_memory:
        megapixels = max_memory / pixel_memory / 1_000_000
        raise ImageError(
            f"The image has {image.width}x{image.height} pixels, too many to process here "
            f"(at most {megapixels:.1f} megapixels): scale it down before uploading it."
        )


def _scaled(image: Image.Image, max_width: int, sideways: bool) -> Image.Image:
    """The image no wider than max_width as shown (never enlarged), in a mode that resizes."""
    if image.mode in ("1", "P", "PA"):
        has_alpha = "A" in image.mode or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    shown_width = image.height if sideways else image.width
    if shown_width <= max_width:
        return image
    scale = max_width / shown_width
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # reducing_gap: first Image.reduce by a whole factor (cheap), then resample the rest.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encoded(
    image: Image.Image, kind: str, quality: int, icc_profile: bytes | None, source_mode: str
) -> bytes:
    if kind == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    # Drop every piece of metadata; keep what the pixels need.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    options = {}
    if icc_profile and _colour_space(image.mode) == _colour_space(source_mode):
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=True, **options)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True, **options)
    else:
        image.save(out, "WEBP", quality=quality, **options)
    return out.getvalue()


def _colour_space(mode: str) -> str:
    return {"1": "L", "L": "L", "LA": "L", "I": "L", "I;16": "L", "CMYK": "CMYK"}.get(mode, "RGB")
