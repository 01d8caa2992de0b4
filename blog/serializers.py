"""The `md` serialization format: `manage.py loaddata essay.md` loads an essay file.

Registered in settings.SERIALIZATION_MODULES. Posts are matched on their natural key
(the slug), so loading a file again updates the post instead of duplicating it.
Fixture loading saves raw (bypassing Post.save), so the HTML is rendered here.
"""

from collections.abc import Iterator

from django.core.serializers import base
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from blog import frontmatter
from blog.models import Post


class Serializer(base.Serializer):
    def serialize(self, queryset, **options):
        raise base.SerializationError(
            "Essays are one markdown file each: use `manage.py export_essays DIR`."
        )


class Deserializer(base.Deserializer):
    def __init__(self, stream_or_string, **options) -> None:
        super().__init__(stream_or_string, **options)
        self.using = options.get("using", DEFAULT_DB_ALIAS)
        self._objects = self._deserialize()

    def __next__(self) -> base.DeserializedObject:
        return next(self._objects)

    def _deserialize(self) -> Iterator[base.DeserializedObject]:
        stream = self.stream
        source = getattr(stream, "name", "<string>")
        raw = stream if isinstance(stream, str | bytes) else stream.read()
        try:
            text = raw if isinstance(raw, str) else raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise base.DeserializationError(
                f"{source}:{line}: not valid UTF-8 (byte {error.start}): save the file as UTF-8"
            ) from None
        try:
            essay = frontmatter.parse(text, source)
        except frontmatter.FrontMatterError as error:
            raise base.DeserializationError(str(error)) from None
        yield base.DeserializedObject(to_post(essay, self.using))


def to_post(essay: frontmatter.Essay, using: str = DEFAULT_DB_ALIAS) -> Post:
    """The post for an essay: the existing one with the same slug, updated, or a new one.

    Timestamps are kept when nothing changed, so loading the same file again changes no data.
    """
    post = Post.objects.using(using).filter(slug=essay.slug).first() or Post(slug=essay.slug)
    before = {name: getattr(post, name) for name in _CONTENT}
    post.date = essay.date
    post.title = essay.title
    post.external_link = essay.external_link
    post.body = essay.body
    post.status = Post.Status.DRAFT if essay.draft else Post.Status.PUBLISHED
    post.render()
    now = timezone.now()
    post.created = post.created or now
    if post.pk is None or any(before[name] != getattr(post, name) for name in _CONTENT):
        post.updated = now
    return post


_CONTENT = ["date", "title", "external_link", "body", "body_html", "rendered_with", "status"]
