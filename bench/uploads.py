"""Memory of an image upload: the peak RSS of a process serving real upload requests.

    .venv/bin/python bench/uploads.py [--max-growth-mb 40]

Writes test images (8-bit and 16-bit PNG, a large JPEG, WebP, small and huge), then, in one
fresh process with its own SQLite database, signs in as staff and posts each image to the
editor's upload URL through Django's whole request stack. Before each request the process's
peak RSS is reset (/proc/self/clear_refs), so each line shows that request's own peak, the
RSS before it and after it. The baseline is a 40x20 PNG's upload, in the same process; the
ratio column is each peak over it. With --max-growth-mb, exits 1 if any request's peak
exceeds the RSS before it by more than that.
"""

import argparse
import json
import os
import secrets
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def streamed_png(width: int, height: int, bit_depth: int, colour_type: int) -> bytes:
    """A complete, valid PNG of one colour, compressed row by row (no image in memory)."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\x00" + b"\x7f" * (width * channels * bit_depth // 8)
    packer = zlib.compressobj(1)  # fast; files still tiny next to their pixels
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def pillow_image(fmt: str, size: tuple[int, int], **save) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).ellipse((0, 0, *size), fill="teal")  # something to compress
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


CASES = {
    "baseline: PNG 40x20": lambda: pillow_image("PNG", (40, 20)),
    "PNG 8-bit RGB 7000x7000": lambda: streamed_png(7000, 7000, 8, 2),
    "PNG 16-bit RGB 7000x7000": lambda: streamed_png(7000, 7000, 16, 2),
    "PNG 16-bit grey 7000x7000": lambda: streamed_png(7000, 7000, 16, 0),
    "PNG 8-bit RGB 2600x1500": lambda: streamed_png(2600, 1500, 8, 2),
    "PNG 8-bit RGBA 2000x1300": lambda: streamed_png(2000, 1300, 8, 6),
    "PNG 16-bit RGB 2600x1500": lambda: streamed_png(2600, 1500, 16, 2),
    "PNG 16-bit grey 4000x2000": lambda: streamed_png(4000, 2000, 16, 0),
    "JPEG 8000x6000": lambda: pillow_image("JPEG", (8000, 6000), quality=80),
    "WebP 1900x1000": lambda: pillow_image("WEBP", (1900, 1000), quality=80),
    "WebP 3000x3000": lambda: pillow_image("WEBP", (3000, 3000), quality=80),
}


def child(folder: Path) -> None:
    """Serve each image's upload in this process; print one JSON line per request."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("writer"))

    def kb(field: str) -> int:
        status = Path("/proc/self/status").read_text()
        return int(status.split(f"{field}:")[1].split()[0])

    for index, name in enumerate(CASES):
        path = folder / f"{index}.bin"
        with path.open("rb") as file:
            Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM)
            before = kb("VmRSS")
            response = client.post(
                "/admin/markdownx/upload/",
                {"image": file},
                headers={"x-requested-with": "XMLHttpRequest"},
            )
        row = {"name": name, "size": path.stat().st_size, "status": response.status_code}
        row |= {"before": before, "peak": kb("VmHWM"), "after": kb("VmRSS")}
        row["answer"] = response.json()
        print(json.dumps(row), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-growth-mb", type=float, help="exit 1 if a request grows more")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for index, make in enumerate(CASES.values()):
            (folder / f"{index}.bin").write_bytes(make())
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "site_config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_HTTPS": "0",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
            "DJANGO_CACHE_DIR": str(folder / "cache"),
            "DJANGO_LOG_LEVEL": "ERROR",
        }
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(folder)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    baseline = rows[0]["peak"]
    columns = ("file", "status", "before", "peak", "after", "peak/base")
    print(f"{'image':28}", *(f"{name:>9}" for name in columns))
    worst = 0.0
    for row in rows:
        peak_mb = row["peak"] / 1024
        worst = max(worst, (row["peak"] - row["before"]) / 1024)
        print(
            f"{row['name']:28} {row['size'] / 1024:8.0f}K {row['status']:9} "
            f"{row['before'] / 1024:8.1f}M {peak_mb:8.1f}M {row['after'] / 1024:8.1f}M "
            f"{row['peak'] / baseline:9.2f}"
        )
        if row["status"] != 200:
            print(f"{'':28} {row['answer']['image'][0]}")
    print(f"most a request grew: {worst:.1f} MB")
    return 1 if args.max_growth_mb and worst > args.max_growth_mb else 0


if __name__ == "__main__":
    sys.exit(main())
