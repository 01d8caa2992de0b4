"""The public site: essays under /words/, what browsers, feed readers and crawlers ask for
at the root, and the writer's pages (/about/) in what is left."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from blog import topics, views
from blog.feeds import AtomFeed, EssayFeed, JsonEssayFeed, TopicFeed
from blog.sharing import SharedDraftView
from blog.sitemaps import SITEMAPS


class YearConverter:
    """Four digits: /words/2023/ is an archive; essay slugs are never bare years."""

    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


register_converter(YearConverter, "year")

app_name = "blog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("words/", views.post_index, name="post_list"),
    path("words/<year:year>/", views.PostYearArchiveView.as_view(), name="year_archive"),
    # Before the essays: "topics" is no essay's slug (validators.RESERVED_SLUGS).
    path("words/topics/", topics.TopicListView.as_view(), name="topic_list"),
    path(
        "words/topics/<slug:slug>/",
        topics.follow_renames(topics.TopicDetailView.as_view()),
        name="topic_detail",
    ),
    path(
        "words/topics/<slug:slug>/atom.xml",
        topics.follow_renames(TopicFeed()),
        name="topic_feed",
    ),
    path("words/<slug:slug>/", views.PostDetailView.as_view(), name="post_detail"),
    path("atom.xml", AtomFeed(), name="feed_atom"),
    path("rss.xml", EssayFeed(), name="feed_rss"),
    path("feed.json", JsonEssayFeed(), name="feed_json"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("favicon.ico", views.FaviconView.as_view(), name="favicon"),
    # A draft shown to one beta reader (blog/sharing.py).
    path("p/<slug:token>/", SharedDraftView.as_view(), name="shared_draft"),
    # Last: a page takes no address above (validators.validate_page_slug). /about without
    # the slash redirects here (APPEND_SLASH), as the old site's links expect.
    path("<slug:slug>/", views.PageView.as_view(), name="page"),
]
