"""Atom and RSS feeds of the latest essays, with their full text.

/atom.xml and /rss.xml at the site's root: no URL under /words/ is taken from essay slugs, and
/rss.xml is the usual feed path of static-site generators (Gatsby's feed plugin among them),
where the essays' previous site most likely had its feed.

Last-Modified comes from the Feed (the newest item's date); the ETag and 304s from
ConditionalGetMiddleware.
"""

import datetime as dt
import re
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from blog import rendering
from blog.models import Post, visible_since
from site_config.identity import site_settings

LATEST = 20
SUMMARY_LENGTH = 300


# Characters XML 1.0 cannot carry: C0 controls but tab, LF and CR; surrogates; U+FFFE/F.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> Any:
    return NOT_XML.sub("", value) if isinstance(value, str) else value


class XmlSafe:
    """Drops what XML cannot carry from every text the feed writes: Django's XML writer
    refuses it, so one essay with a vertical tab (a word processor's soft line break) or an
    ESC would make the whole feed fail for every reader."""

    def __init__(self, **feed: Any) -> None:
        super().__init__(**{name: xml_text(value) for name, value in feed.items()})

    def add_item(self, **item: Any) -> None:
        super().add_item(**{name: xml_text(value) for name, value in item.items()})


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


class EssayFeed(Feed):
    feed_type = RssWithContent
    description_template = None

    def get_object(self, request: HttpRequest, *args, **kwargs) -> HttpRequest:
        # One feed instance serves every request (and thread): the request travels as the
        # feed's object instead of an attribute.
        return request

    def title(self) -> str:
        return site_settings().name

    def description(self) -> str:
        return site_settings().description

    def author_name(self) -> str:
        return site_settings().author

    def link(self) -> str:
        return reverse("blog:post_list")

    def items(self, request: HttpRequest) -> list[Post]:
        posts = list(Post.objects.published()[:LATEST])
        for post in posts:
            post.page_url = request.build_absolute_uri(post.get_absolute_url())
        return posts

    def item_title(self, item: Post) -> str:
        return item.title

    def item_link(self, item: Post) -> str:
        # A link post points where it links; its own page stays its id.
        return item.external_link or item.get_absolute_url()

    def item_guid(self, item: Post) -> str:
        return item.page_url

    item_guid_is_permalink = True

    def item_description(self, item: Post) -> str:
        # Atom's summary is typed as HTML: the plain text must be escaped for it.
        return escape(rendering.plain_text(item.body_html, SUMMARY_LENGTH))

    def item_pubdate(self, item: Post) -> dt.datetime:
        return visible_since(item.date)

    def item_updateddate(self, item: Post) -> dt.datetime:
        return item.changed

    def item_extra_kwargs(self, item: Post) -> dict:
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
