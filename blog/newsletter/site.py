"""The site as its emails name it: read here only, so moving the name into the admin
(issue 12) changes one line."""

from email.utils import formataddr
from urllib.parse import urlsplit

from django.conf import settings


def name() -> str:
    return settings.SITE_NAME


def url(path: str = "/") -> str:
    """An absolute URL on the site (emails are read far from any request)."""
    return settings.SITE_URL + path


def domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def sender() -> str:
    """From: the site's name and DEFAULT_FROM_EMAIL."""
    return formataddr((name(), settings.DEFAULT_FROM_EMAIL))
