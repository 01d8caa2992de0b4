"""What every page shows of the site: its settings (name, author, links...) and the pages
in the navigation, read once per page generation in each process.

A page-cache hit runs no template, so costs nothing here; a miss costs no query while
nothing changed, and one per object after a change (any save makes a new generation, seen
by every worker process on its next request).
"""

from dataclasses import dataclass

from blog.models import Page
from site_config.cache import PerGeneration
from site_config.models import SiteSettings


@dataclass(frozen=True)
class Site:
    settings: SiteSettings
    navigation: list[Page]


def _load() -> Site:
    navigation = Page.objects.navigation().only("slug", "title")
    return Site(SiteSettings.load(), list(navigation))


_site = PerGeneration(_load)


def current() -> Site:
    return _site.get()


def offline() -> Site:
    """What the error pages show: the site as this process last read it, or as the
    environment seeds it; never a query (the database may be what failed)."""
    return _site.last() or Site(SiteSettings.from_environment(), [])


def site_settings() -> SiteSettings:
    return _site.get().settings
