"""Atom, RSS and JSON Feed of the latest essays, with their full text; and an Atom feed
per topic.

/atom.xml, /rss.xml and /feed.json at the site's root: no URL under /words/ is taken from
essay slugs, and /rss.xml is the usual feed path of static-site generators (Gatsby's feed
plugin among them), where the essays' previous site most likely had its feed. Entries carry
their essay's topics (Atom and RSS categories, JSON Feed tags).

Last-Modified comes from the Feed (the newest item's date); the ETag and 304s from
ConditionalGetMiddleware.
"""

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from blog import rendering
from blog.models import Post, Topic, visible_since
from blog.topics import topic_for_readers
from site_config.identity import site_settings

LATEST = 20
SUMMARY_LENGTH = 300


# Characters XML 1.0 cannot carry: C0 controls but tab, LF and CR; surrogates; U+FFFE/F.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> Any:
    return NOT_XML.sub("", value) if isinstance(value, str) else value


class XmlSafe(SyndicationFeed):
    """Drops what XML cannot carry from every text the feed writes: Django's XML writer
    refuses it, so one essay with a vertical tab (a word processor's soft line break) or an
    ESC would make the whole feed fail for every reader."""

    def __init__(self, *args: Any, **feed: Any) -> None:
        super().__init__(*map(xml_text, args), **{k: xml_text(v) for k, v in feed.items()})

    def add_item(self, *args: Any, **item: Any) -> None:
        super().add_item(*map(xml_text, args), **{k: xml_text(v) for k, v in item.items()})


class AtomWithContent(XmlSafe, Atom1Feed):
    """Atom with the essay in <content> and a plain-text <summary>."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class RssWithContent(XmlSafe, Rss201rev2Feed):
    """RSS 2.0 carries the whole essay in <description>, as most readers expect."""

    def add_item_elements(self, handler, item) -> None:
        item["description"] = item["content"]
        super().add_item_elements(handler, item)


class OnItsPage(TypedDict):
    page_url: str  # absolute: the essay's id in the feed, and its footnotes' base


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    FeedPost = WithAnnotations[Post, OnItsPage]  # a Post as the feeds list it


class JsonFeed(SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) from what Django's Feed gathers.

    ASCII-only JSON: any character an essay holds travels escaped, none can break it.
    """

    content_type = "application/feed+json; charset=utf-8"
    VERSION = "https://jsonfeed.org/version/1.1"

    def write(self, outfile, encoding: str) -> None:
        feed = self.feed
        document = {
            "version": self.VERSION,
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "language": feed["language"],
            "authors": [{"name": feed["author_name"]}],
            "items": [self._item(item) for item in self.items],
        }
        outfile.write(json.dumps(document, indent=1))

    @staticmethod
    def _item(item: dict[str, Any]) -> dict[str, Any]:
        entry = {
            "id": item["unique_id"],
            "url": item["unique_id"],
            "title": item["title"],
            "content_html": item["content"],
            # Atom's summary is escaped for HTML; JSON's is plain text.
            "summary": html.unescape(item["description"]),
            "date_published": item["pubdate"].isoformat(),
            "date_modified": item["updateddate"].isoformat(),
            "tags": item["categories"],
        }
        if item["link"] != item["unique_id"]:
            entry["external_url"] = item["link"]  # a link post's link
        return entry


@dataclass(frozen=True)
class Subject:
    """What one request's feed is of: the latest essays, or a topic's. One feed instance
    serves every request (and thread): the request travels in the feed's object."""

    request: HttpRequest
    topic: Topic | None = None


class EssayFeed(Feed):
    feed_type: type[SyndicationFeed] = RssWithContent
    description_template = None

    def get_object(self, request: HttpRequest, *args, **kwargs) -> Subject:
        return Subject(request)

    def title(self, subject: Subject) -> str:
        name = site_settings().name
        return f"{name}: {subject.topic.name}" if subject.topic else name

    def description(self) -> str:
        return site_settings().description

    def author_name(self) -> str:
        return site_settings().author

    def link(self, subject: Subject) -> str:
        if subject.topic:
            return subject.topic.get_absolute_url()
        return reverse("blog:post_list")

    def items(self, subject: Subject) -> "list[FeedPost]":
        published = Post.objects.published().prefetch_related("topics")
        if subject.topic:
            published = published.filter(topics=subject.topic)
        # Each is given its page_url just below.
        posts = cast("list[FeedPost]", list(published[:LATEST]))
        for post in posts:
            post.page_url = subject.request.build_absolute_uri(post.get_absolute_url())
        return posts

    def item_categories(self, item: Post) -> list[str]:
        return [topic.name for topic in item.topics.all()]

    def item_title(self, item: Post) -> str:
        return item.title

    def item_link(self, item: Post) -> str:
        # A link post points where it links; its own page stays its id.
        return item.external_link or item.get_absolute_url()

    def item_guid(self, item: "FeedPost") -> str:
        return item.page_url

    item_guid_is_permalink = True

    def item_description(self, item: Post) -> str:
        # Atom's summary is typed as HTML: the plain text must be escaped for it.
        return escape(rendering.plain_text(item.body_html, SUMMARY_LENGTH))

    def item_pubdate(self, item: Post) -> dt.datetime:
        return visible_since(item.date)

    def item_updateddate(self, item: Post) -> dt.datetime:
        return item.changed

    def item_extra_kwargs(self, item: "FeedPost") -> dict:
        content = rendering.absolutize_footnotes(item.body_html, item.page_url)
        if item.external_link:
            content += (
                f'<p><a href="{escape(item.external_link)}">'
                f"Read it on {escape(item.link_domain)} →</a></p>"
            )
        return {"content": content}


class AtomFeed(EssayFeed):
    feed_type = AtomWithContent

    def subtitle(self) -> str:
        return site_settings().description


class JsonEssayFeed(EssayFeed):
    feed_type = JsonFeed


class TopicFeed(AtomFeed):
    """/words/topics/<slug>/atom.xml: a topic's latest essays (while readers may see it)."""

    def get_object(self, request: HttpRequest, *args, **kwargs) -> Subject:
        return Subject(request, topic_for_readers(kwargs["slug"]))
