"""sitemap.xml: the pages a search engine should know, with when each last changed."""

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from blog.conditional import changed, last_modified
from blog.models import Post


class PostSitemap(Sitemap):
    def items(self):
        # A link post's page names the external URL as canonical: not ours to list.
        return Post.objects.published().filter(external_link="").only("slug", "date", "updated")

    def lastmod(self, item: Post) -> dt.datetime:
        # An essay dated in the future was last changed, for readers, the day it appeared.
        return changed(item)


class IndexSitemap(Sitemap):
    """The home page and the list of essays change whenever an essay does."""

    def items(self) -> list[str]:
        return ["blog:home", "blog:post_list"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> dt.datetime | None:
        return last_modified(Post.objects.published())


SITEMAPS = {"index": IndexSitemap, "posts": PostSitemap}
