"""Essay files load with `manage.py loaddata`, idempotently, and bad files name the problem."""

import os

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError

from blog.models import Post
from tests.conftest import SEED

pytestmark = pytest.mark.django_db


def test_seed_loads_as_a_published_essay():
    call_command("loaddata", SEED, verbosity=0)
    post = Post.objects.get()
    assert post.slug == "autonomy"
    assert post.title == "Autonomy"
    assert post.date.isoformat() == "2023-09-09"
    assert post.external_link == ""
    assert post.status == Post.Status.PUBLISHED
    assert post.body.startswith("Autonomy is the buzzword these days.")
    assert post.body.endswith("but don't approve work.")
    assert "<p>Autonomy is the buzzword these days." in post.body_html


def test_loading_twice_updates_and_changes_nothing():
    call_command("loaddata", SEED, verbosity=0)
    first = Post.objects.values().get()
    call_command("loaddata", SEED, verbosity=0)
    assert Post.objects.count() == 1
    assert Post.objects.values().get() == first


def test_loading_a_changed_file_updates_the_same_post(tmp_path):
    call_command("loaddata", SEED, verbosity=0)
    before = Post.objects.get()
    changed = tmp_path / "autonomy.md"
    changed.write_text(SEED.read_text().replace('title: "Autonomy"', 'title: "Autonomy, again"'))
    call_command("loaddata", changed, verbosity=0)
    after = Post.objects.get()
    assert (after.pk, after.title) == (before.pk, "Autonomy, again")
    assert after.created == before.created
    assert after.updated > before.updated


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "X"\n\nBody\n',
            ":1: front matter opened here is not closed",
        ),
        ('---\nslug: "/x"\ndate: "2024-13-45"\ntitle: "X"\n---\nBody\n', ":3: bad date"),
        ('---\nslug: "/x"\ndate: "2024-01-01"\ntitle: ""\n---\nBody\n', ":4: empty title"),
        ('---\nslug: "/x"\ntitle: [unclosed\n---\nBody\n', "front matter is not valid YAML"),
        ("No front matter\n", ":1: no front matter"),
    ],
)
def test_a_bad_file_names_file_line_and_problem(tmp_path, text, message):
    bad = tmp_path / "bad.md"
    bad.write_text(text)
    with pytest.raises(DeserializationError, match=message) as error:
        call_command("loaddata", bad, verbosity=0)
    assert str(bad) in str(error.value)
    assert not Post.objects.exists()


def test_invalid_utf8_is_reported_with_its_line(tmp_path):
    bad = tmp_path / "latin1.md"
    bad.write_bytes(b'---\nslug: "/x"\ndate: "2024-01-01"\ntitle: "Caf\xe9"\n---\n')
    with pytest.raises(DeserializationError, match=r"latin1.md:4: not valid UTF-8"):
        call_command("loaddata", bad, verbosity=0)


def test_dumpdata_points_to_the_exporter(make_post):
    make_post()
    with pytest.raises(CommandError, match="export_essays"):
        call_command("dumpdata", "blog", format="md")


@pytest.mark.parametrize("given", [str, bytes], ids=["text", "bytes"])
def test_the_format_deserializes_text_and_bytes(given):
    # Django wraps a str in a StringIO: it is read like any stream, as UTF-8.
    text = SEED.read_text(encoding="utf-8")
    content = text if given is str else text.encode()
    (loaded,) = serializers.deserialize("md", content)
    loaded.save()
    assert Post.objects.get().title == "Autonomy"


def test_a_string_over_the_size_cap_is_refused(settings):
    settings.BLOG_IMPORT_MAX_BYTES = 1000
    with pytest.raises(DeserializationError, match=r"<string>:1: larger than 1,000 bytes"):
        list(serializers.deserialize("md", SEED.read_text(encoding="utf-8")))


# loaddata applies the importer's checks to hostile files ---------------------------------


def test_a_fifo_is_refused_before_it_is_opened(tmp_path):
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    with pytest.raises(CommandError, match=rf"{fifo}:1: not a regular file"):
        call_command("loaddata", fifo, verbosity=0)


def test_a_device_is_refused_unread():
    with (
        open("/dev/zero", "rb") as zero,
        pytest.raises(DeserializationError, match=r"^/dev/zero:1: not a regular file"),
    ):
        list(serializers.deserialize("md", zero))


def test_a_symlink_out_of_its_folder_is_refused(tmp_path):
    (tmp_path / "essays").mkdir()
    (tmp_path / "private.md").write_text(SEED.read_text())
    (tmp_path / "essays" / "private.md").symlink_to(tmp_path / "private.md")
    with pytest.raises(DeserializationError, match=r"private.md:1: a link to .*, outside"):
        call_command("loaddata", tmp_path / "essays" / "private.md", verbosity=0)
    (tmp_path / "essays" / "zero.md").symlink_to("/dev/zero")
    with pytest.raises(CommandError, match=r"zero.md:1: not a regular file"):
        call_command("loaddata", tmp_path / "essays" / "zero.md", verbosity=0)
    assert not Post.objects.exists()


def test_a_file_over_the_size_cap_is_refused(tmp_path, settings):
    settings.BLOG_IMPORT_MAX_BYTES = 1000
    big = tmp_path / "big.md"
    big.write_text(SEED.read_text())
    with pytest.raises(DeserializationError, match=r"big.md:1: larger than 1,000 bytes"):
        call_command("loaddata", big, verbosity=0)
    assert not Post.objects.exists()


def test_yaml_aliases_are_refused(tmp_path):
    bomb = tmp_path / "bomb.md"
    bomb.write_text('---\ntitle: &t "X"\nslug: *t\ndate: "2024-01-01"\n---\nBody\n')
    with pytest.raises(DeserializationError, match=r"bomb.md:2: YAML anchors and aliases"):
        call_command("loaddata", bomb, verbosity=0)
