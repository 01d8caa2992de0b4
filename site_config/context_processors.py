"""What every template may show of the site (site_config.identity)."""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from site_config import identity


def site(request: HttpRequest) -> dict[str, object]:
    """The site's settings (`site`), the header's pages (`navigation`), and the names
    templates use most. Read when a template first shows one: the admin's never do."""
    return _context(identity.current)


def offline_site(request: HttpRequest) -> dict[str, object]:
    """The same for the error pages, without the database (identity.offline)."""
    return _context(identity.offline)


def _context(read: Callable[[], identity.Site]) -> dict[str, object]:
    current = SimpleLazyObject(read)
    return {
        "site": SimpleLazyObject(lambda: current.settings),
        "navigation": SimpleLazyObject(lambda: current.navigation),
        "site_name": SimpleLazyObject(lambda: current.settings.name),
        "site_author": SimpleLazyObject(lambda: current.settings.author),
        "site_description": SimpleLazyObject(lambda: current.settings.description),
    }
