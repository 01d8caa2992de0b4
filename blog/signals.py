"""Signals of writes that bypass save() (bulk writes send no post_save): caches listen."""

from django.dispatch import Signal

# Sent (sender=Post, using=alias, created=n, updated=n) inside the import's transaction when
# it changed essays or pages.
essays_imported = Signal()

# Sent (sender=Post or Page, using=alias) after `manage.py rerender` replaced stored HTML.
essays_rerendered = Signal()
