"""The `md` serialization format: `manage.py loaddata essay.md` loads an essay file.

Registered in settings.SERIALIZATION_MODULES. Files are read and checked as
`import_essays` reads them, and posts are matched on their natural key (the slug), so
loading a file again updates the post instead of duplicating it. Fixture loading saves
raw (bypassing Post.save), so the HTML is rendered here.
"""

from collections.abc import Iterator
from pathlib import Path

from django.core.serializers import base
from django.db import DEFAULT_DB_ALIAS

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
        raw = stream if isinstance(stream, str | bytes) else stream.read()
        raw = raw.encode() if isinstance(raw, str) else raw
        try:
            essay = essays_io.load(raw, name or "<string>", Path(name) if name else None)
        except FrontMatterError as error:
            raise base.DeserializationError(str(error)) from None
        yield base.DeserializedObject(essays_io.to_post(essay, self.using))
