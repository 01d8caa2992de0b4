"""Figures for the reader's site with a large archive: page sizes and response times.

    DJANGO_SECRET_KEY=x DJANGO_HTTPS=0 [DATABASE_URL=postgresql://...] \\
        .venv/bin/python bench/reader.py [ESSAYS]

Creates a throwaway test database, fills it with ESSAYS essays (default 3,000) of about
1,500 words each, and prints the size and median time of the list, an essay page, a
search and the feeds, as the test client sees them (no network, no static files).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

WORDS = [
    "autonomy",
    "team",
    "customer",
    "product",
    "pricing",
    "hiring",
    "engineer",
    "decision",
    "handbook",
    "meeting",
    "startup",
    "growth",
    "feedback",
    "manager",
    "writing",
    "process",
    "deploy",
    "billing",
    "data",
    "pipeline",
]


def fill(count: int) -> None:
    from blog import rendering
    from blog.models import Post

    body_html = rendering.render(" ".join(WORDS[i % len(WORDS)] for i in range(1500)))
    posts = []
    for n in range(count):
        body = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(1500))
        posts.append(
            Post(
                slug=f"essay-{n}",
                title=f"Essay {n} on {WORDS[n % len(WORDS)]}",
                date=f"{2000 + n % 25}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                body=body,
                body_html=body_html,
                status=Post.Status.PUBLISHED,
            )
        )
    Post.objects.bulk_create(posts, batch_size=500)


def measure(client: Client, url: str, runs: int = 15) -> tuple[int, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return len(response.content), statistics.median(times) * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    # Plain static URLs: no collected manifest needed for a benchmark.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        fill(count)
        client = Client()
        print(f"{connection.vendor}, {count} essays of 1,500 words")
        for url in [
            "/",
            "/words/",
            "/words/?page=2",
            "/words/2010/",
            "/words/essay-42/",
            "/words/?q=pricing",
            "/words/?q=pricing+hiring",
            "/atom.xml",
            "/rss.xml",
            "/sitemap.xml",
        ]:
            size, ms = measure(client, url)
            print(f"{url:28} {size / 1024:8.1f} KiB {ms:8.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
