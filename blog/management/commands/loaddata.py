"""Django's loaddata, refusing a fixture that isn't a regular file before it is opened:
loaddata opens what it finds, and opening a FIFO waits for a writer for ever (the `md`
format checks the rest: blog/serializers.py)."""

import os
import stat

from django.core.management.base import CommandError
from django.core.management.commands import loaddata

from blog.essays_io import NOT_REGULAR


class Command(loaddata.Command):
    def find_fixtures(self, fixture_label: str) -> list[tuple[str, str | None, str | None]]:
        found = super().find_fixtures(fixture_label)
        for path, _, _ in found:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise CommandError(f"{path}:1: {NOT_REGULAR}")
        return found
