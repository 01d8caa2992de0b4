"""What every template may show of the site: its name, author, description, introduction."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name, author, description and introduction, for every template."""
    return {
        "site_name": settings.SITE_NAME,
        "site_author": settings.SITE_AUTHOR,
        "site_description": settings.SITE_DESCRIPTION,
        "site_intro": settings.SITE_INTRO,
    }
