"""sitemap.xml: the pages a search engine should know, with when each last changed."""

import datetime as dt
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from blog.models import Page, Post, Topic, visible_since


class PostSitemap(Sitemap):
    def items(self):
        # A link post's page names the external URL as canonical: not ours to list.
        return Post.objects.published().filter(external_link="").only("slug", "date", "updated")

    def lastmod(self, item: Post) -> dt.datetime:
        # An essay dated in the future was last changed, for readers, the day it appeared.
        return item.changed


class PageSitemap(Sitemap):
    def items(self):
        return Page.objects.published().only("slug", "updated")

    def lastmod(self, item: Page) -> dt.datetime:
        return item.updated


class IndexSitemap(Sitemap):
    """The home page and the list of essays change whenever an essay does."""

    def items(self) -> list[str]:
        return ["blog:home", "blog:post_list"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> dt.datetime | None:
        return self.newest_change

    @cached_property
    def newest_change(self) -> dt.datetime | None:
        """The newest edit, or the moment the newest-dated essay appeared (its `updated`
        may be older than that), in one query (a sitemap is made anew for each request)."""
        newest = Post.objects.published().aggregate(updated=Max("updated"), date=Max("date"))
        if newest["updated"] is None:
            return None
        return max(newest["updated"], visible_since(newest["date"]))


class TopicSitemap(Sitemap):
    """Each topic readers may see, changed when one of its essays did."""

    def items(self):
        return Topic.objects.in_use().order_by("slug")

    def lastmod(self, item: Topic) -> dt.datetime:
        return item.changed


SITEMAPS = {
    "index": IndexSitemap,
    "pages": PageSitemap,
    "posts": PostSitemap,
    "topics": TopicSitemap,
}
