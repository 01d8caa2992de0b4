"""Topics in essay files: front matter `tags` in, `tags` out, by import, export and loaddata."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog import frontmatter
from blog.frontmatter import FrontMatterError
from blog.models import Post, Topic
from tests.conftest import SEED

pytestmark = pytest.mark.django_db

HEAD = '---\nslug: "/essay"\ndate: "2024-01-31"\ntitle: "An essay"\nexternalLink: ""\n'


def essay_file(folder, front: str = "", name: str = "2024-01-31_essay.md"):
    path = folder / name
    path.write_text(f"{HEAD}{front}---\n\nBody.\n", encoding="utf-8")
    return path


def import_(*paths, **options) -> str:
    out = io.StringIO()
    call_command("import_essays", *map(str, paths), stdout=out, stderr=out, **options)
    return out.getvalue()


def topics_of(slug: str = "essay") -> list[str]:
    return [topic.name for topic in Post.objects.get(slug=slug).topics.all()]


@pytest.mark.parametrize(
    ("front", "topics"),
    [
        ('tags: ["remote work", "Hiring"]\n', ("remote work", "Hiring")),
        ("tags:\n  - remote work\n  - Hiring\n", ("remote work", "Hiring")),
        ('tags: "remote work, Hiring,"\n', ("remote work", "Hiring")),
        ("tags: [2024, writing]\n", ("2024", "writing")),
        ("tags: []\n", ()),
        ("", ()),
    ],
)
def test_tags_are_read_as_a_list_or_text_separated_by_commas(front, topics):
    essay = frontmatter.parse(f"{HEAD}{front}---\n\nBody.\n")
    assert essay.topics == topics
    assert "tags" not in essay.ignored


@pytest.mark.parametrize("tags", ["{a: 1}", "[[a, b]]", "true", "[true]"])
def test_tags_that_are_no_list_of_names_are_refused_at_their_line(tags):
    with pytest.raises(FrontMatterError, match=r"essay.md:6: tags must be a list of names"):
        frontmatter.parse(f"{HEAD}tags: {tags}\n---\n\nBody.\n", "essay.md")


def test_dump_writes_tags_only_when_there_are_some():
    essay = frontmatter.parse(f'{HEAD}tags: ["a \\"quoted\\" one", "b"]\n---\n\nBody.\n')
    text = frontmatter.dump(essay)
    assert 'tags: ["a \\"quoted\\" one", "b"]\n' in text
    assert frontmatter.parse(text) == essay
    assert "tags" not in frontmatter.dump(frontmatter.parse(f"{HEAD}---\n\nBody.\n"))


def test_import_makes_the_topics_and_matches_existing_ones_whatever_the_case(tmp_path):
    remote = Topic.objects.create(name="Remote work")
    essay_file(tmp_path, 'tags: ["remote WORK", "Hiring", "hiring"]\n')
    import_(tmp_path)
    assert topics_of() == ["Hiring", "Remote work"]
    assert Topic.objects.count() == 2
    assert Post.objects.get().topics.get(key="remote work") == remote
    # Again: nothing changes.
    assert "Nothing changed: 0 created, 0 updated, 1 unchanged" in import_(tmp_path)


def test_a_changed_tag_list_updates_the_essay_and_a_dry_run_shows_it(tmp_path):
    essay_file(tmp_path, 'tags: ["a", "b"]\n')
    import_(tmp_path)
    essay_file(tmp_path, 'tags: ["b", "c"]\n')
    out = import_(tmp_path, dry_run=True)
    assert "topics: a, b -> b, c" in out
    assert topics_of() == ["a", "b"]
    import_(tmp_path)
    assert topics_of() == ["b", "c"]
    essay_file(tmp_path)  # no tags: the file says the essay has no topics
    import_(tmp_path)
    assert topics_of() == []


def test_a_bad_topic_name_is_refused_with_its_line_and_nothing_is_imported(tmp_path):
    essay_file(tmp_path, f'tags: ["fine", "{"x" * 101}"]\n', name="2024-01-31_bad.md")
    essay_file(tmp_path, 'tags: ["fine"]\n', name="2024-01-30_good.md")
    with pytest.raises(CommandError):
        import_(tmp_path)
    assert not Post.objects.exists()
    assert not Topic.objects.exists()
    out = import_(tmp_path, skip_invalid=True)
    assert "2024-01-31_bad.md:6: tags: Ensure this value has at most 100 characters" in out


def test_export_writes_tags_back_and_import_export_changes_nothing(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    essay_file(source, 'tags: ["Hiring", "remote work"]\n')
    import_(source)
    call_command("export_essays", str(tmp_path / "out"), verbosity=0)
    written = (tmp_path / "out" / "2024-01-31_essay.md").read_bytes()
    assert written == (source / "2024-01-31_essay.md").read_bytes()
    Post.objects.all().delete()
    import_(tmp_path / "out")
    call_command("export_essays", str(tmp_path / "again"), verbosity=0)
    assert (tmp_path / "again" / "2024-01-31_essay.md").read_bytes() == written


def test_a_file_without_tags_keeps_its_bytes(tmp_path):
    import_(SEED)
    call_command("export_essays", str(tmp_path), verbosity=0)
    assert (tmp_path / SEED.name).read_bytes() == SEED.read_bytes()


def test_loaddata_reads_tags_as_topics_too(tmp_path):
    Topic.objects.create(name="Remote work")
    path = essay_file(tmp_path, 'tags: "remote work, Writing"\n')
    call_command("loaddata", str(path), verbosity=0)
    assert topics_of() == ["Remote work", "Writing"]
    essay_file(tmp_path, 'tags: ["Writing"]\n')
    call_command("loaddata", str(path), verbosity=0)
    assert topics_of() == ["Writing"]
