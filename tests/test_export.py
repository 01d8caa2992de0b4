"""`manage.py export_essays`: the site's format, filters, atomic files, nothing lost."""

import datetime as dt
import io
import pathlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog.models import Post
from tests.conftest import SEED

pytestmark = pytest.mark.django_db

# Every field an essay file carries, plus the HTML rendered from it.
CONTENT = ["slug", "date", "title", "external_link", "body", "body_html", "status"]


def export(folder, **options) -> str:
    out = io.StringIO()
    call_command("export_essays", str(folder), stdout=out, stderr=out, **options)
    return out.getvalue()


def import_(folder) -> None:
    call_command("import_essays", str(folder), verbosity=0)


def contents() -> list[dict]:
    return list(Post.objects.order_by("slug").values(*CONTENT))


def test_writes_one_file_per_post_in_the_sites_dialect(make_post, tmp_path):
    make_post(slug="essay", title="An essay", date=dt.date(2024, 1, 31), body="Body.")
    make_post(
        slug="link",
        title="A link",
        date=dt.date(2024, 2, 1),
        body="See: https://posthog.com/x",
        external_link="https://posthog.com/x",
    )
    make_post(slug="draft", title="Draft", date=dt.date(2024, 2, 2), status=Post.Status.DRAFT)

    out = export(tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2024-01-31_essay.md",
        "2024-02-01_link.md",
        "2024-02-02_draft.md",
    ]
    assert (tmp_path / "2024-01-31_essay.md").read_text() == (
        '---\nslug: "/essay"\ndate: "2024-01-31"\ntitle: "An essay"\nexternalLink: ""\n---\n\n'
        "Body.\n"
    )
    link = (tmp_path / "2024-02-01_link.md").read_text()
    assert 'externalLink: "https://posthog.com/x"\n' in link
    assert "\ndraft: true\n---\n" in (tmp_path / "2024-02-02_draft.md").read_text()
    assert f"Exported 3 essays to {tmp_path}: 3 written, 0 unchanged" in out


def test_seed_and_corpus_come_back_byte_for_byte(corpus, tmp_path):
    folder = corpus(200)
    call_command("import_essays", str(folder), str(SEED), verbosity=0)

    export(tmp_path)

    written = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    originals = {path.name: path.read_bytes() for path in [*folder.iterdir(), SEED]}
    assert written == originals


def test_export_wipe_import_gives_the_same_rows(corpus, make_post, tmp_path):
    import_(corpus(200))
    # Posts as the admin makes them: a draft, a future post, Windows line breaks, odd spacing.
    make_post(slug="draft", title="Draft", status=Post.Status.DRAFT, body="Not yet.")
    make_post(slug="future", title="Future", date=dt.date(2099, 1, 1))
    make_post(slug="crlf", title='Quotes "and" colons: ok', body="One\r\n\r\nTwo\r\n")
    make_post(slug="spaces", title="Spaces", body="\n\nIndented start\n\n\n")
    make_post(slug="empty", title="Empty body", body="")
    before = contents()

    export(tmp_path)
    Post.objects.all().delete()
    import_(tmp_path)

    assert contents() == before


def test_status_and_since_filters(make_post, tmp_path):
    make_post(slug="old", date=dt.date(2020, 1, 1))
    make_post(slug="new", date=dt.date(2024, 1, 1))
    make_post(slug="draft", date=dt.date(2024, 6, 1), status=Post.Status.DRAFT)

    def exported(**options) -> list[str]:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        export(folder, **options)
        return sorted(path.name.split("_", 1)[1] for path in folder.iterdir())

    assert exported() == ["draft.md", "new.md", "old.md"]
    assert exported(status="all") == ["draft.md", "new.md", "old.md"]
    assert exported(status="published") == ["new.md", "old.md"]
    assert exported(status="draft") == ["draft.md"]
    assert exported(since=dt.date(2024, 1, 1)) == ["draft.md", "new.md"]
    assert exported(status="published", since=dt.date(2021, 1, 1)) == ["new.md"]


def test_since_from_the_command_line(make_post, tmp_path):
    make_post(slug="old", date=dt.date(2020, 1, 1))
    make_post(slug="new", date=dt.date(2024, 1, 1))
    call_command("export_essays", str(tmp_path), "--since", "2023-12-31", verbosity=0)
    assert [path.name for path in tmp_path.iterdir()] == ["2024-01-01_new.md"]
    with pytest.raises(CommandError, match="--since 'last week': write the date as YYYY-MM-DD"):
        call_command("export_essays", str(tmp_path), "--since", "last week")


def test_exporting_again_rewrites_only_changed_posts(make_post, tmp_path):
    kept = make_post(slug="kept", date=dt.date(2024, 1, 1))
    edited = make_post(slug="edited", date=dt.date(2024, 1, 1))
    export(tmp_path)
    kept_file = tmp_path / "2024-01-01_kept.md"
    kept_stamp = kept_file.stat().st_mtime_ns

    edited.body = "Edited."
    edited.save()
    out = export(tmp_path)

    assert "2 essays" in out
    assert "1 written, 1 unchanged" in out
    assert kept_file.stat().st_mtime_ns == kept_stamp
    assert (tmp_path / "2024-01-01_edited.md").read_text().endswith("\n\nEdited.\n")
    assert kept.slug in kept_file.name


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(
    make_post, tmp_path, monkeypatch
):
    post = make_post(slug="essay", date=dt.date(2024, 1, 1), body="Old body.")
    export(tmp_path)
    target = tmp_path / "2024-01-01_essay.md"
    old = target.read_bytes()
    post.body = "New body."
    post.save()

    def fail(self, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pathlib.Path, "replace", fail)
    with pytest.raises(CommandError, match="No space left on device"):
        export(tmp_path)

    assert target.read_bytes() == old
    assert [path.name for path in tmp_path.iterdir()] == [target.name]


def test_a_post_with_an_unusable_slug_is_reported_and_the_rest_exported(make_post, tmp_path):
    make_post(slug="fine", date=dt.date(2024, 1, 1))
    bad = make_post(slug="bad", date=dt.date(2024, 1, 1))
    Post.objects.filter(pk=bad.pk).update(slug="../escape")

    with pytest.raises(CommandError, match=r"(?s)1 posts were not exported.*slug '../escape'"):
        export(tmp_path)

    assert [path.name for path in tmp_path.iterdir()] == ["2024-01-01_fine.md"]
    assert not (tmp_path.parent / "escape.md").exists()


def test_a_post_that_would_not_import_back_is_warned_about(make_post, tmp_path):
    # A row saved without the model's validators (an old database, a raw save).
    make_post(slug="ftp", date=dt.date(2024, 1, 1), external_link="ftp://example.org/file")
    out = export(tmp_path)
    assert "Warning: " in out
    assert "2024-01-01_ftp.md:5: externalLink 'ftp://example.org/file': Enter a web" in out
    assert (tmp_path / "2024-01-01_ftp.md").exists()
