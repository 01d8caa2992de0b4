import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.utils import timezone

from blog.models import Post

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "2023-09-09_autonomy.md"

_numbers = itertools.count()


@pytest.fixture
def make_post(db):
    """Create a post; published and dated today unless told otherwise."""

    def make(**fields) -> Post:
        n = next(_numbers)
        fields.setdefault("slug", f"essay-{n}")
        fields.setdefault("title", f"Essay {n}")
        fields.setdefault("body", f"Body of essay {n}.")
        fields.setdefault("date", timezone.localdate())
        fields.setdefault("status", Post.Status.PUBLISHED)
        return Post.objects.create(**fields)

    return make


@pytest.fixture
def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture(scope="session", autouse=True)
def _static_files(tmp_path_factory):
    """Collect static files once, as a deployment does: the manifest storage needs them."""
    from django.conf import settings
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached pages (the file cache outlives a test's database)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


# The shared corpus generator, beside the repository (<repo>/../shared/bench/make_corpus.py).
CORPUS_SCRIPT = ROOT.parent / "shared" / "bench" / "make_corpus.py"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """corpus(n): a folder of n essays as make_corpus.py writes them (the site's format)."""
    import subprocess
    import sys

    made: dict[int, Path] = {}

    def make(posts: int) -> Path:
        if posts not in made:
            if not CORPUS_SCRIPT.exists():
                pytest.skip(f"{CORPUS_SCRIPT} is missing (the shared folder beside the repo)")
            folder = tmp_path_factory.mktemp(f"corpus-{posts}")
            command = [sys.executable, CORPUS_SCRIPT, folder, "--posts", str(posts)]
            subprocess.run(command, check=True, capture_output=True)
            made[posts] = folder
        return made[posts]

    return make
