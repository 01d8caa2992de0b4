"""`manage.py import_essays`: every dialect, all or nothing, dry runs, idempotent."""

import contextlib
import datetime as dt
import io
import os
import signal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError

from blog.models import Post
from blog.signals import essays_imported
from tests.conftest import SEED

pytestmark = pytest.mark.django_db

CONTENT = ["slug", "date", "title", "external_link", "body", "body_html", "status"]


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command("import_essays", *map(str, args), stdout=out, stderr=out, **options)
    return out.getvalue()


def essay_text(slug="essay", title="An essay", date="2024-01-31", body="Body.", extra=""):
    return (
        f'---\nslug: "/{slug}"\ndate: "{date}"\ntitle: "{title}"\nexternalLink: ""\n{extra}'
        f"---\n\n{body}\n"
    )


def rows() -> list[dict]:
    return list(Post.objects.order_by("slug").values())


def test_seed_and_corpus_import_then_a_second_run_changes_nothing(corpus):
    folder = corpus(200)
    out = run(folder, SEED)
    assert "Imported: 201 created, 0 updated, 0 unchanged, 0 skipped" in out
    post = Post.objects.get(slug="autonomy")
    assert post.title == "Autonomy"
    assert post.status == Post.Status.PUBLISHED
    assert "<p>Autonomy is the buzzword these days." in post.body_html
    before = rows()

    out = run(folder, SEED)
    assert "Nothing changed: 0 created, 0 updated, 201 unchanged, 0 skipped" in out
    assert rows() == before


def test_each_dialect_imports(tmp_path):
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-03-04-jekyll-post.md").write_text(
        "---\nlayout: post\ntitle: Jekyll post\n---\nFrom Jekyll.\n"
    )
    (tmp_path / "hugo").mkdir()
    (tmp_path / "hugo" / "toml-post.md").write_text(
        '+++\ntitle = "Hugo TOML"\ndate = 2022-02-02T10:00:00Z\ndraft = true\n+++\nFrom Hugo.\n'
    )
    (tmp_path / "hugo" / "yaml-post.md").write_text(
        "---\ntitle: Hugo YAML\ndate: 2022-02-03\nslug: hugo-yaml\n---\nAlso Hugo.\n"
    )
    (tmp_path / "gatsby" / "hello-gatsby").mkdir(parents=True)
    (tmp_path / "gatsby" / "hello-gatsby" / "index.md").write_text(
        '---\ntitle: "Hello Gatsby"\ndate: "2015-05-01T22:12:03.284Z"\ndescription: x\n---\n'
        "From Gatsby.\n"
    )
    (tmp_path / "eleventy.md").write_text(
        "---\ntitle: Eleventy\ndate: 2020-01-01\npermalink: /posts/eleventy-post/\n---\nHi.\n"
    )

    out = run(tmp_path)

    assert "5 created" in out
    assert "Front matter keys ignored: layout (1 files), description (1 files)." in out
    got = {p.slug: (p.date, p.title, p.status) for p in Post.objects.all()}
    assert got == {
        "jekyll-post": (dt.date(2021, 3, 4), "Jekyll post", "published"),
        "toml-post": (dt.date(2022, 2, 2), "Hugo TOML", "draft"),
        "hugo-yaml": (dt.date(2022, 2, 3), "Hugo YAML", "published"),
        "hello-gatsby": (dt.date(2015, 5, 1), "Hello Gatsby", "published"),
        "eleventy-post": (dt.date(2020, 1, 1), "Eleventy", "published"),
    }


def test_dates_with_a_time_are_read_in_the_sites_time_zone(tmp_path, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    (tmp_path / "late.md").write_text("---\ntitle: Late\ndate: 2015-05-01T22:12:03Z\n---\nBody\n")
    run(tmp_path)
    assert Post.objects.get(slug="late").date == dt.date(2015, 5, 2)


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("no-close.md", '---\nslug: "/x"\ntitle: "X"\n\nBody\n', 1, "is not closed"),
        ("bad-date.md", essay_text(date="2024-02-30"), 3, "bad date '2024-02-30'"),
        ("no-title.md", essay_text(title=" "), 4, "empty title"),
        ("bad-slug.md", essay_text(slug="my essay"), 2, "slug '/my essay': Use only lowercase"),
        ("deep-slug.md", essay_text(slug="blog/x"), 2, "slug '/blog/x': Use only lowercase"),
        ("long-title.md", essay_text(title="T" * 301), 4, "at most 300 characters"),
        (
            "bad-link.md",
            essay_text().replace('externalLink: ""', 'externalLink: "mailto:a@b.c"'),
            5,
            "externalLink 'mailto:a@b.c': Enter a web address starting with https://",
        ),
        (
            "broken-link.md",
            essay_text().replace('externalLink: ""', 'externalLink: "https://exa mple.com"'),
            5,
            "Enter a web address starting with https://",
        ),
        ("yaml.md", '---\nslug: "/x"\ntitle: "X\n---\nBody\n', 3, "not valid YAML"),
        ("nul.md", essay_text(body="One\n\nTwo\x00"), 10, "NUL character"),
    ],
)
def test_a_bad_file_in_the_middle_leaves_the_database_unchanged(
    tmp_path, make_post, name, content, line, message
):
    existing = make_post(slug="a-first", title="Old title")
    (tmp_path / "a-first.md").write_text(essay_text(slug="a-first", title="New title"))
    (tmp_path / name).write_text(content)
    (tmp_path / "z-last.md").write_text(essay_text(slug="z-last"))
    before = rows()

    with pytest.raises(CommandError) as error:
        run(tmp_path)

    assert f"{tmp_path / name}:{line}: " in str(error.value)
    assert message in str(error.value)
    assert "nothing was" in str(error.value)
    assert "--skip-invalid" in str(error.value)
    assert rows() == before
    assert Post.objects.get(pk=existing.pk).title == "Old title"


def test_invalid_utf8_is_reported_with_its_line(tmp_path):
    (tmp_path / "latin1.md").write_bytes(essay_text(title="Caf\xe9").encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin1.md:4: not valid UTF-8"):
        run(tmp_path)
    assert not Post.objects.exists()


def test_every_bad_file_is_listed(tmp_path):
    (tmp_path / "one.md").write_text(essay_text(slug="one", date="2024-13-01"))
    (tmp_path / "two.md").write_text(essay_text(slug="two", title=""))
    (tmp_path / "three.md").write_text(essay_text(slug="three"))
    with pytest.raises(CommandError) as error:
        run(tmp_path)
    message = str(error.value)
    assert message.startswith("2 of 3 files can't be imported")
    assert f"{tmp_path / 'one.md'}:3: bad date" in message
    assert f"{tmp_path / 'two.md'}:4: empty title" in message


def test_duplicate_slugs_are_reported_on_every_file(tmp_path):
    (tmp_path / "a.md").write_text(essay_text(slug="same"))
    (tmp_path / "b.md").write_text(essay_text(slug="same", date="2024-02-01"))
    with pytest.raises(CommandError) as error:
        run(tmp_path)
    message = str(error.value)
    assert f'{tmp_path / "a.md"}:2: slug "/same" is also the slug of {tmp_path / "b.md"}' in message
    assert f'{tmp_path / "b.md"}:2: slug "/same" is also the slug of {tmp_path / "a.md"}' in message
    assert not Post.objects.exists()


def test_skip_invalid_imports_the_rest_and_reports_the_others(tmp_path):
    (tmp_path / "good.md").write_text(essay_text(slug="good"))
    (tmp_path / "bad.md").write_text(essay_text(slug="bad", date="someday"))
    (tmp_path / "dup1.md").write_text(essay_text(slug="dup"))
    (tmp_path / "dup2.md").write_text(essay_text(slug="dup"))

    out = run(tmp_path, skip_invalid=True)

    assert list(Post.objects.values_list("slug", flat=True)) == ["good"]
    assert f"Skipped {tmp_path / 'bad.md'}:3: bad date 'someday'" in out
    assert f"Skipped {tmp_path / 'dup1.md'}:2: slug" in out
    assert "1 created, 0 updated, 0 unchanged, 3 skipped" in out


def test_a_changed_file_updates_its_post_and_keeps_the_others(tmp_path):
    (tmp_path / "a.md").write_text(essay_text(slug="a", body="First.\n\nSecond."))
    (tmp_path / "b.md").write_text(essay_text(slug="b"))
    run(tmp_path)
    a, b = Post.objects.order_by("slug")

    edited = essay_text(
        slug="a", title="Renamed", body="First.\n\nSecond, edited.", extra="draft: true\n"
    )
    (tmp_path / "a.md").write_text(edited)
    out = run(tmp_path)

    assert "Imported: 0 created, 1 updated, 1 unchanged, 0 skipped" in out
    a2, b2 = Post.objects.order_by("slug")
    assert (a2.pk, a2.title, a2.status) == (a.pk, "Renamed", Post.Status.DRAFT)
    assert "Second, edited." in a2.body_html
    assert a2.created == a.created
    assert a2.updated > a.updated
    assert b2.updated == b.updated


def test_dry_run_says_what_would_change_and_writes_nothing(tmp_path, make_post):
    make_post(slug="kept", title="Kept", body="Same.", date=dt.date(2024, 1, 31))
    make_post(slug="edited", title="Old", body="Line one.\n\nLine two.", date=dt.date(2024, 1, 31))
    (tmp_path / "kept.md").write_text(essay_text(slug="kept", title="Kept", body="Same."))
    (tmp_path / "edited.md").write_text(
        essay_text(slug="edited", title="New", body="Line one.\n\nLine 2.")
    )
    (tmp_path / "new.md").write_text(essay_text(slug="new"))
    before = rows()

    out = run(tmp_path, dry_run=True)

    assert rows() == before
    assert f"create    /new  ({tmp_path / 'new.md'})" in out
    assert f"update    /edited  ({tmp_path / 'edited.md'})" in out
    assert "title: Old -> New" in out
    assert "    -Line two.\n" in out
    assert "    +Line 2.\n" in out
    assert "/kept" not in out
    assert "Dry run, nothing written: 1 created, 1 updated, 1 unchanged, 0 skipped" in out


def test_verbosity_2_lists_every_file(tmp_path):
    (tmp_path / "a.md").write_text(essay_text(slug="a"))
    run(tmp_path)
    assert f"unchanged /a  ({tmp_path / 'a.md'})" in run(tmp_path, verbosity=2)


def test_progress_is_shown_on_a_terminal_only(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    (tmp_path / "a.md").write_text(essay_text(slug="a"))
    terminal = Terminal()
    call_command("import_essays", str(tmp_path), stdout=terminal)
    assert "\rimport 1/1" in terminal.getvalue()  # one pass: checked as imported
    terminal = Terminal()
    call_command("import_essays", str(tmp_path), "--dry-run", stdout=terminal)
    assert "\rcheck 1/1" in terminal.getvalue()  # checked first: shown once all are valid
    assert "\rimport 1/1" in terminal.getvalue()
    assert "\r" not in run(tmp_path)


def test_no_files_or_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No essay files"):
        run(tmp_path)
    with pytest.raises(CommandError, match="no such file or directory"):
        run(tmp_path / "missing")


def test_hidden_folders_and_hugo_section_pages_are_left_out(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text("not an essay")
    (tmp_path / "_index.md").write_text("---\ntitle: Section\n---\n")
    (tmp_path / "notes.txt").write_text("not an essay")
    (tmp_path / "a.markdown").write_text(essay_text(slug="a"))
    assert "1 created" in run(tmp_path)


@pytest.mark.slow
def test_a_thousand_essays_import_in_one_go(corpus):
    out = run(corpus(1000))
    assert "Imported: 1000 created" in out
    assert Post.objects.count() == 1000
    assert not Post.objects.filter(body_html="").exists()


def test_loaddata_checks_files_as_the_importer_does(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text(essay_text(slug="../../etc"))
    with pytest.raises(DeserializationError, match=r"bad.md:2: slug '/../../etc': Use only lower"):
        call_command("loaddata", bad, verbosity=0)
    assert not Post.objects.exists()


def test_loaddata_and_import_give_the_same_row(tmp_path):
    call_command("loaddata", SEED, verbosity=0)
    by_loaddata = Post.objects.values(*CONTENT).get()
    Post.objects.all().delete()
    run(SEED)
    assert Post.objects.values(*CONTENT).get() == by_loaddata


def test_an_import_that_changes_posts_says_so_to_listeners(tmp_path):
    heard = []

    def listener(sender, **kwargs):
        heard.append((sender, kwargs["created"], kwargs["updated"]))

    essays_imported.connect(listener)
    try:
        (tmp_path / "a.md").write_text(essay_text(slug="a"))
        run(tmp_path)
        run(tmp_path, dry_run=True)
        run(tmp_path)  # unchanged
        (tmp_path / "a.md").write_text(essay_text(slug="a", title="New"))
        run(tmp_path, dry_run=True)
        run(tmp_path)
    finally:
        essays_imported.disconnect(listener)
    assert heard == [(Post, 1, 0), (Post, 0, 1)]


# One rule, one place: what the importer accepts, the admin accepts ---------------------


def test_a_slug_the_admin_refuses_is_refused_by_the_import(tmp_path):
    (tmp_path / "mine.md").write_text(essay_text(slug="MyEssay"))
    with pytest.raises(CommandError, match=r"mine.md:2: slug '/MyEssay': Use lowercase: “myessay”"):
        run(tmp_path)
    assert not Post.objects.exists()


def test_an_imported_essay_saves_unchanged_in_the_admin(tmp_path):
    from blog.forms import PostAdminForm

    link = 'externalLink: "https://example.com/a?b=c"'
    (tmp_path / "a.md").write_text(essay_text(slug="a_b-2").replace('externalLink: ""', link))
    run(tmp_path)
    post = Post.objects.get()
    data = {name: str(getattr(post, name)) for name in PostAdminForm._meta.fields}
    form = PostAdminForm(data=data, instance=post)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("https://evil.example\\\\@good.example/", "Take out the backslash"),
        ("https://good.example@evil.example/", "before the host name"),
    ],
)
def test_a_link_that_shows_one_host_and_goes_to_another_is_refused(tmp_path, link, message):
    text = essay_text().replace('externalLink: ""', f'externalLink: "{link}"')
    (tmp_path / "a.md").write_text(text)
    with pytest.raises(CommandError, match=rf"a.md:5: externalLink '.*': .*{message}"):
        run(tmp_path)


@pytest.mark.parametrize(("char", "name"), [("\x0b", "a vertical tab"), ("\x1b", "an escape")])
def test_control_characters_are_refused_at_their_line_in_the_file(tmp_path, char, name):
    (tmp_path / "body.md").write_text(essay_text(slug="body", body=f"One.\n\nTwo{char}three."))
    # In the front matter, written as YAML writes it: "\u000b"
    (tmp_path / "title.md").write_text(essay_text(slug="title", title=f"A\\u{ord(char):04x}B"))
    with pytest.raises(CommandError) as error:
        run(tmp_path)
    assert f"body.md:10: {name}" in str(error.value)
    assert f"title.md:4: {name}" in str(error.value)
    assert not Post.objects.exists()


def test_a_body_nested_too_deep_is_refused_at_its_line(tmp_path):
    (tmp_path / "deep.md").write_text(essay_text(body="Fine.\n\n" + "> " * 1000 + "deep"))
    with pytest.raises(CommandError, match=r"deep.md:10: more than 32 levels of nesting"):
        run(tmp_path)


def test_what_the_renderer_shows_as_text_is_imported_with_a_warning(tmp_path):
    (tmp_path / "tags.md").write_text(essay_text(body="Intro.\n\nUse a <textarea> for input."))
    out = run(tmp_path)
    assert "1 created" in out
    assert f"{tmp_path / 'tags.md'}:10: <textarea>" in out


# Hostile files: refused, located, fast; nothing written --------------------------------


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail, instead of hanging the suite, if the import blocks (a FIFO opened for reading)."""

    def expired(signum, frame):
        raise AssertionError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


ALIAS_BOMB = (
    '---\ntitle: "Bomb"\ndate: "2024-01-01"\n'
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    + "---\nBody.\n"
)


def hostile_folder(folder):
    """A folder with one good essay and one of each hostile kind of file."""
    folder.mkdir()
    (folder / "good.md").write_text(essay_text(slug="good"))
    (folder / "bomb.md").write_text(ALIAS_BOMB)
    os.mkfifo(folder / "fifo.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    secret = folder.parent / "secret.md"
    secret.write_text(essay_text(slug="secret", title="Private"))
    (folder / "secret.md").symlink_to(secret)
    (folder / "toml.md").write_text('+++\ntitle = "T"\na = ' + "[" * 1500 + "]" * 1500 + "\n+++\n")
    (folder / "year.md").write_text(essay_text(slug="year", date="9999-12-31T23:59:59-14:00"))
    (folder / "huge.md").write_text(essay_text(slug="huge", body="x" * 5000))
    return folder


HOSTILE = {
    "bomb.md": (4, "YAML anchors and aliases (&a, *a) are not accepted"),
    "fifo.md": (1, "not a regular file"),
    "zero.md": (1, "a link to /dev/zero, outside"),
    "secret.md": (1, "secret.md, outside"),
    "toml.md": (2, "nested too deeply"),
    "year.md": (3, "bad date '9999-12-31T23:59:59-14:00'"),
    "huge.md": (1, "larger than 4,000 bytes (BLOG_IMPORT_MAX_BYTES)"),
}


def test_hostile_files_are_each_refused_with_file_line_and_nothing_is_written(tmp_path, settings):
    settings.BLOG_IMPORT_MAX_BYTES = 4000
    folder = hostile_folder(tmp_path / "essays")
    with deadline(30), pytest.raises(CommandError) as error:
        run(folder)
    message = str(error.value)
    assert message.startswith(f"{len(HOSTILE)} of {len(HOSTILE) + 1} files can't be imported")
    lines = message.splitlines()[1:-1]
    assert len(lines) == len(HOSTILE)
    for name, (line, problem) in HOSTILE.items():
        (shown,) = [text for text in lines if text.startswith(f"  {folder / name}:")]
        assert shown.startswith(f"  {folder / name}:{line}: ")
        assert problem in shown
        assert len(shown) < 400
    assert not Post.objects.exists()


def test_skip_invalid_imports_the_good_file_beside_hostile_ones(tmp_path, settings):
    settings.BLOG_IMPORT_MAX_BYTES = 4000
    folder = hostile_folder(tmp_path / "essays")
    with deadline(30):
        out = run(folder, skip_invalid=True)
    assert list(Post.objects.values_list("slug", flat=True)) == ["good"]
    assert f"1 created, 0 updated, 0 unchanged, {len(HOSTILE)} skipped" in out


def test_a_symlink_inside_the_folder_is_followed(tmp_path):
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "a.txt").write_text(essay_text(slug="a"))
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "a.md").symlink_to("../drafts/a.txt")
    assert "1 created" in run(tmp_path)


# Worker processes (one per core for many files) check and render; the writes stay here.


def _import_with_workers(folder, **options):
    from blog import essays_io

    return essays_io.import_essays(essays_io.essay_files([folder]), workers=2, **options)


def test_worker_processes_import_what_one_process_does(corpus, tmp_path):
    from blog import rendering

    result = _import_with_workers(corpus(40))
    assert (result.created, result.updated, result.unchanged) == (40, 0, 0)
    for post in Post.objects.all():
        assert post.body_html == rendering.render(post.body)
        assert post.rendered_with == rendering.VERSION
    assert _import_with_workers(corpus(40)).unchanged == 40


def test_a_bad_file_a_worker_reads_is_reported_at_its_line_and_nothing_is_written(tmp_path):
    from blog import essays_io

    for n in range(5):
        (tmp_path / f"{n}.md").write_text(essay_text(slug=f"e{n}"))
    (tmp_path / "3.md").write_text(essay_text(slug="e3", date="someday"))
    with pytest.raises(essays_io.InvalidEssaysError) as error:
        _import_with_workers(tmp_path)
    assert [str(e) for e in error.value.errors] == [
        f"{tmp_path / '3.md'}:3: bad date 'someday': write it as YYYY-MM-DD"
    ]
    assert not Post.objects.exists()
    assert _import_with_workers(tmp_path, skip_invalid=True).created == 4


@pytest.mark.parametrize("valid", [True, False], ids=["still-valid", "now-invalid"])
def test_a_file_changed_after_its_check_is_checked_again(tmp_path, valid):
    """With --skip-invalid (as in a dry run, or with the changes shown), every file is
    checked before any is imported, then read again to be imported."""
    from blog import essays_io

    for n in range(5):
        (tmp_path / f"{n}.md").write_text(essay_text(slug=f"e{n}"))
    edited = essay_text(slug="e2", title="Edited") if valid else essay_text(slug="e2", title="")

    def edit_after_the_check(stage, done, total):
        if stage == "check" and done == total:
            (tmp_path / "2.md").write_text(edited)

    if valid:
        _import_with_workers(tmp_path, on_progress=edit_after_the_check, skip_invalid=True)
        assert Post.objects.get(slug="e2").title == "Edited"
    else:
        with pytest.raises(essays_io.InvalidEssaysError) as error:
            _import_with_workers(tmp_path, on_progress=edit_after_the_check, skip_invalid=True)
        assert str(error.value.errors[0]).startswith(f"{tmp_path / '2.md'}:4: empty title")
        assert not Post.objects.exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_problems_found_after_batches_were_written_leave_nothing_written(tmp_path, workers):
    """One pass writes each batch once checked: a problem in a later batch, or a slug
    repeated from an earlier one, rolls all of them back, and every problem is reported."""
    from blog import essays_io

    for n in range(9):
        (tmp_path / f"{n}.md").write_text(essay_text(slug=f"e{n}"))
    (tmp_path / "4.md").write_text(essay_text(slug="e4", date="someday"))
    (tmp_path / "8.md").write_text(essay_text(slug="e1"))
    with pytest.raises(essays_io.InvalidEssaysError) as error:
        essays_io.import_essays(essays_io.essay_files([tmp_path]), workers=workers, batch_size=2)
    assert [str(e) for e in error.value.errors] == [
        f'{tmp_path / "1.md"}:2: slug "/e1" is also the slug of {tmp_path / "8.md"}: '
        "give each essay its own slug",
        f"{tmp_path / '4.md'}:3: bad date 'someday': write it as YYYY-MM-DD",
        f'{tmp_path / "8.md"}:2: slug "/e1" is also the slug of {tmp_path / "1.md"}: '
        "give each essay its own slug",
    ]
    assert error.value.files == 3
    assert not Post.objects.exists()
