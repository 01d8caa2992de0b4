"""The `md` serialization format: `manage.py loaddata essay.md` loads an essay (or page) file.

Registered in settings.SERIALIZATION_MODULES. Files go the one way `import_essays` takes
them (essays_io: the same size cap and symlink rule, the same checks, the same match on
the slug), so loading a file again updates the post instead of duplicating it. Fixture
loading saves raw (bypassing Post.save), so the HTML is rendered here (essays_io.plan).
"""

from collections.abc import Iterator
from pathlib import Path

from django.core.serializers import base
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from blog import essays_io
from blog.frontmatter import FrontMatterError
from blog.models import Page, Post, Topic


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
        name = getattr(stream, "name", None)
        source = name or "<string>"
        try:
            # Bytes come as given; a str comes wrapped in a StringIO (base.Deserializer).
            if isinstance(stream, bytes):
                raw = stream
            else:
                if name:
                    essays_io.check_inside(name)
                raw = essays_io.read_capped(stream, source)
            essay = essays_io.load(raw, source, Path(name) if name else None)
        except FrontMatterError as error:
            raise base.DeserializationError(str(error)) from None
        rows = (
            Page.objects.using(self.using)
            if essay.page
            else Post.objects.using(self.using).prefetch_related("topics")
        )
        (change,) = essays_io.plan([(source, essay)], rows, timezone.now())
        assert change.post is not None  # plan() builds the row unless told not to
        if essay.page:
            yield base.DeserializedObject(change.post)
            return
        # The topics as the file names them (made if new), set once the post is saved.
        topics = Topic.objects.using(self.using).for_names(essay.topics)
        yield base.DeserializedObject(change.post, m2m_data={"topics": list(topics.values())})
