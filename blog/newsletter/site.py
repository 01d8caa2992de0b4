"""The site as its emails name it: its name from the site's settings (edited in the admin),
its address from SITE_URL."""

from email.utils import formataddr
from urllib.parse import urlsplit

from django.conf import settings

from site_config.identity import site_settings


def name() -> str:
    return site_settings().name


def url(path: str = "/") -> str:
    """An absolute URL on the site (emails are read far from any request)."""
    return settings.SITE_URL + path


def domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def sender() -> str:
    """From: the site's name and DEFAULT_FROM_EMAIL."""
    return formataddr((name(), settings.DEFAULT_FROM_EMAIL))
