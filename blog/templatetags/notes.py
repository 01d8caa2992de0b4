"""{{ post.body_html|notes_for_page }}: an essay body with the site's notes (blog.notes)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from blog import notes

register = template.Library()


@register.filter
def notes_for_page(body_html: str) -> SafeString:
    # body_html is rendered and sanitised by blog.rendering; notes only adds known markup.
    return mark_safe(notes.for_page(body_html))  # noqa: S308
