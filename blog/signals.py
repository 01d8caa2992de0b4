"""Signals of writes that bypass save() (bulk updates send no post_save): caches listen."""

from django.dispatch import Signal

# Sent (sender=Post or Page, using=alias) after `manage.py rerender` replaced stored HTML.
essays_rerendered = Signal()
