"""The editor's image upload checks the real bytes, strips metadata, and stores safely;
uploaded images are served from MEDIA_URL with DEBUG off."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from tests.conftest import ROOT
from tests.images import (
    HTML,
    SVG_WITH_SCRIPT,
    animated_png,
    image_bytes,
    jpeg_with_gps_and_rotation,
    png_header_only,
    solid_png,
)

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/markdownx/upload/"
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def upload(client, data: bytes, name: str = "image.png", content_type: str = "image/png"):
    file = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(UPLOAD, {"image": file}, **XHR)


def accepted(response, media: Path) -> tuple[Path, Image.Image]:
    """The stored file and its image, after checking the response markdownx expects."""
    assert response.status_code == 200, response.content
    code = response.json()["image_code"]
    assert code.startswith("![](/media/images/")
    assert code.endswith(")")
    url = code[len("![](") : -1]
    path = media / url.removeprefix("/media/")
    assert stored(media) == [path]
    return path, Image.open(path)


def refused(response, media: Path, message: str) -> None:
    assert response.status_code == 400
    errors = response.json()["image"]
    assert len(errors) == 1
    assert message in errors[0]
    assert stored(media) == []


def test_a_png_is_stored_under_a_random_name_and_answered_as_markdown(admin_client, media):
    path, image = accepted(upload(admin_client, image_bytes("PNG")), media)
    assert image.format == "PNG"
    assert image.size == (40, 20)
    assert path.suffix == ".png"
    assert len(path.stem) >= 20  # random, not the client's "image"


def test_two_uploads_of_the_same_file_get_different_names(admin_client, media):
    first = upload(admin_client, image_bytes("PNG")).json()["image_code"]
    second = upload(admin_client, image_bytes("PNG")).json()["image_code"]
    assert first != second


def test_webp_is_accepted(admin_client, media):
    path, image = accepted(upload(admin_client, image_bytes("WEBP"), "x.webp", "image/webp"), media)
    assert (image.format, path.suffix) == ("WEBP", ".webp")


def test_the_extension_comes_from_the_bytes_not_the_name(admin_client, media):
    response = upload(admin_client, image_bytes("JPEG"), "photo.html", "text/html")
    path, image = accepted(response, media)
    assert (image.format, path.suffix) == ("JPEG", ".jpg")


def test_an_svg_with_a_script_is_refused(admin_client, media):
    response = upload(admin_client, SVG_WITH_SCRIPT, "logo.svg", "image/svg+xml")
    refused(response, media, "not a JPEG, PNG or WebP image")


def test_html_claiming_to_be_a_gif_is_refused(admin_client, media):
    refused(upload(admin_client, HTML, "cat.gif", "image/gif"), media, "not a JPEG, PNG or WebP")


def test_a_real_gif_is_refused(admin_client, media):
    response = upload(admin_client, image_bytes("GIF"), "cat.gif", "image/gif")
    refused(response, media, "GIF")


def test_garbage_claiming_to_be_a_png_is_refused(admin_client, media):
    response = upload(admin_client, b"\x00garbage" * 100, "x.png", "image/png")
    refused(response, media, "not a JPEG, PNG or WebP")


def test_a_truncated_png_is_refused(admin_client, media):
    data = image_bytes("PNG", size=(300, 300), color=None)
    refused(upload(admin_client, data[: len(data) // 2]), media, "damaged or incomplete")


def test_an_animated_png_is_refused(admin_client, media):
    refused(upload(admin_client, animated_png()), media, "Animated images are not accepted")


def test_an_image_over_the_size_cap_is_refused(admin_client, media, settings):
    data = image_bytes("PNG", size=(200, 200), color=None)
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = len(data) - 1
    refused(upload(admin_client, data), media, "larger than")


def test_too_many_pixels_are_refused_before_decoding(admin_client, media):
    # Only a header: decoding would find it damaged, so the refusal comes from the header.
    refused(upload(admin_client, png_header_only(8000, 8000)), media, "8000x8000 pixels")


@pytest.mark.parametrize(
    ("bit_depth", "colour_type"),
    [(8, 2), (16, 2), (16, 0), (8, 6)],
    ids=["8-bit RGB", "16-bit RGB", "16-bit grey", "8-bit RGBA"],
)
def test_a_small_file_of_many_pixels_is_refused(
    admin_client, media, settings, bit_depth, colour_type
):
    """Like the 190 KB 7000x7000 PNG that took a worker to 563 MB (bench/uploads.py sends
    that one), in every depth and colour, against a smaller limit."""
    settings.BLOG_IMAGE_MAX_MEMORY = 4 * 1024 * 1024
    data = solid_png(1500, 1500, bit_depth, colour_type)
    assert len(data) < 50_000
    refused(upload(admin_client, data), media, "1500x1500 pixels, too many to process here")


def test_the_memory_limit_counts_bytes_per_pixel(admin_client, media, settings):
    """Grey takes a quarter of RGB's memory: the same size passes in grey, not in colour."""
    settings.BLOG_IMAGE_MAX_MEMORY = 3000 * 2000 * 2 * 2  # two 16-bit grey copies
    colour = upload(admin_client, solid_png(3000, 2000, 8, 2))
    refused(colour, media, "3000x2000 pixels")
    _, image = accepted(upload(admin_client, solid_png(3000, 2000, 8, 0)), media)
    assert (image.mode, image.width) == ("L", 1600)


@pytest.mark.parametrize(
    ("bit_depth", "colour_type", "mode"),
    [(8, 2, "RGB"), (16, 2, "RGB"), (16, 0, "I;16"), (8, 6, "RGBA")],
    ids=["8-bit RGB", "16-bit RGB", "16-bit grey", "8-bit RGBA"],
)
def test_a_wide_png_in_any_depth_is_scaled(admin_client, media, bit_depth, colour_type, mode):
    _, image = accepted(upload(admin_client, solid_png(2400, 600, bit_depth, colour_type)), media)
    assert (image.format, image.size, image.mode) == ("PNG", (1600, 400), mode)
    # Still the same mid grey; 16-bit grey stays 16-bit, not clipped to white.
    pixel = image.getpixel((800, 200))
    value = pixel[0] if isinstance(pixel, tuple) else pixel
    assert abs(value - (0x7F7F if mode == "I;16" else 0x7F)) <= 2


def test_a_large_photo_is_decoded_reduced_and_scaled(admin_client, media):
    """A 48-megapixel JPEG (192 MB decoded whole) is read at a quarter of its size."""
    data = image_bytes("JPEG", size=(8000, 6000), color="teal", quality=70)
    _, image = accepted(upload(admin_client, data, "photo.jpg", "image/jpeg"), media)
    assert (image.format, image.size) == ("JPEG", (1600, 1200))


def test_a_sideways_photo_is_scaled_to_the_width_it_is_shown_at(admin_client, media):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored 4000x1000, shown 1000x4000
    data = image_bytes("JPEG", size=(4000, 1000), exif=exif)
    _, image = accepted(upload(admin_client, data, "tall.jpg", "image/jpeg"), media)
    assert image.size == (1000, 4000)


def test_a_wide_webp_is_scaled(admin_client, media):
    data = image_bytes("WEBP", size=(1800, 900))
    _, image = accepted(upload(admin_client, data, "x.webp", "image/webp"), media)
    assert (image.format, image.size) == ("WEBP", (1600, 800))


@pytest.mark.parametrize(
    ("fmt", "claimed_name", "claimed_type", "extension"),
    [
        ("PNG", "photo.jpg", "image/jpeg", ".png"),
        ("JPEG", "shot.png", "image/png", ".jpg"),
        ("WEBP", "anim.gif", "image/gif", ".webp"),
        ("PNG", "page.html", "text/html", ".png"),
    ],
)
def test_a_real_image_that_lies_about_its_type_is_stored_as_what_it_is(
    admin_client, media, fmt, claimed_name, claimed_type, extension
):
    response = upload(admin_client, image_bytes(fmt), claimed_name, claimed_type)
    path, image = accepted(response, media)
    assert (image.format, path.suffix) == (fmt, extension)


@pytest.mark.parametrize(
    ("data", "claimed_name", "claimed_type"),
    [
        (HTML, "photo.jpg", "image/jpeg"),
        (SVG_WITH_SCRIPT, "logo.png", "image/png"),
        (b"GIF89a" + b"\x00" * 100, "x.webp", "image/webp"),
    ],
    ids=["html-as-jpeg", "svg-as-png", "gif-bytes-as-webp"],
)
def test_what_is_not_an_image_is_refused_whatever_it_claims(
    admin_client, media, data, claimed_name, claimed_type
):
    refused(upload(admin_client, data, claimed_name, claimed_type), media, "not a JPEG, PNG")


def test_an_upload_request_grows_a_worker_by_at_most_40_mb():
    """bench/uploads.py: real upload requests in a fresh process, each one's peak RSS."""
    result = subprocess.run(
        [sys.executable, ROOT / "bench" / "uploads.py", "--max-growth-mb", "40"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PNG 16-bit RGB 7000x7000" in result.stdout


def test_a_decompression_bomb_is_refused(admin_client, media):
    refused(upload(admin_client, png_header_only(30000, 30000)), media, "too many pixels")


def test_gps_and_other_metadata_are_stripped_and_the_orientation_applied(admin_client, media):
    original = Image.open(io.BytesIO(jpeg_with_gps_and_rotation()))
    assert original.getexif().get_ifd(0x8825)  # the fixture does carry GPS
    _, image = accepted(upload(admin_client, jpeg_with_gps_and_rotation(), "me.jpg"), media)
    assert image.size == (20, 40)  # turned as the EXIF said
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert "comment" not in image.info


def test_png_text_chunks_are_stripped(admin_client, media):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Someone private")
    _, image = accepted(upload(admin_client, image_bytes("PNG", pnginfo=info)), media)
    assert "Author" not in image.info


def test_a_wide_image_is_scaled_to_the_maximum_width(admin_client, media, settings):
    settings.MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 0), "quality": 85}
    data = image_bytes("JPEG", size=(4000, 1000))
    _, image = accepted(upload(admin_client, data, "wide.jpg"), media)
    assert image.size == (1600, 400)


def test_a_palette_png_with_transparency_scales_without_losing_it(admin_client, media, settings):
    settings.MARKDOWNX_IMAGE_MAX_SIZE = {"size": (50, 0), "quality": 85}
    source = Image.new("P", (100, 100), 0)
    out = io.BytesIO()
    source.save(out, "PNG", transparency=0)
    _, image = accepted(upload(admin_client, out.getvalue()), media)
    assert image.size == (50, 50)
    assert image.convert("RGBA").getpixel((10, 10))[3] == 0


def test_a_small_image_is_not_enlarged(admin_client, media):
    _, image = accepted(upload(admin_client, image_bytes("PNG", size=(30, 10))), media)
    assert image.size == (30, 10)


def test_a_cmyk_jpeg_is_stored_as_rgb(admin_client, media):
    data = image_bytes("JPEG", mode="CMYK", color=(0, 255, 255, 0))
    _, image = accepted(upload(admin_client, data, "print.jpg"), media)
    assert image.mode == "RGB"


def test_a_request_without_an_image_is_refused(admin_client, media):
    response = admin_client.post(UPLOAD, {}, **XHR)
    refused(response, media, "No image")


def test_only_post_is_allowed(admin_client):
    assert admin_client.get(UPLOAD).status_code == 405


def test_the_csrf_token_is_required(django_user_model, media):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_superuser("boss"))
    assert upload(client, image_bytes("PNG")).status_code == 403
    assert stored(media) == []


# Serving what was uploaded (tests run with DEBUG off, as production).


def test_an_uploaded_image_is_served_with_nosniff_and_long_caching(admin_client, client, media):
    path, _ = accepted(upload(admin_client, image_bytes("PNG")), media)
    response = client.get("/media/" + path.relative_to(media).as_posix())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == path.read_bytes()


def test_a_revisit_gets_not_modified(admin_client, client, media):
    path, _ = accepted(upload(admin_client, image_bytes("PNG")), media)
    url = "/media/" + path.relative_to(media).as_posix()
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, headers={"if-modified-since": last_modified}).status_code == 304


@pytest.mark.parametrize(
    "name",
    [
        "notes.html",
        "script.js",
        "logo.svg",
        "images/.png",
        "images/missing.png",
        "a" * 5000 + ".png",
        "nul%00.png",
    ],
)
def test_only_existing_images_are_served(client, media, name):
    (media / "notes.html").write_text("<script>alert(1)</script>")
    (media / "script.js").write_text("alert(1)")
    (media / "logo.svg").write_bytes(SVG_WITH_SCRIPT)
    assert client.get(f"/media/{name}").status_code == 404


def test_nothing_outside_the_media_folder_is_served(client, media, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes(image_bytes("PNG"))
    (media / "link.png").symlink_to(outside)
    relative = Path("..") / outside.parent.name / outside.name
    for url in (f"/media/{relative.as_posix()}", f"/media/{outside}", "/media/link.png"):
        assert client.get(url).status_code == 404, url


def test_media_answers_only_get_and_head(client, media):
    (media / "x.png").write_bytes(image_bytes("PNG"))
    assert client.head("/media/x.png").status_code == 200
    assert client.post("/media/x.png").status_code == 405
