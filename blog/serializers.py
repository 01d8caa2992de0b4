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
            if isinstance(stream, str | bytes):
                raw = stream.encode() if isinstance(stream, str) else stream
            else:
                if name:
                    essays_io.check_inside(name)
                raw = essays_io.read_capped(stream, source)
            essay = essays_io.load(raw, source, Path(name) if name else None)
        except FrontMatterError as error:
            raise base.DeserializationError(str(error)) from None
        rows = essays_io.model_of(essay).objects.using(self.using)
        (change,) = essays_io.plan([(source, essay)], rows, timezone.now())
        yield base.DeserializedObject(change.post)
