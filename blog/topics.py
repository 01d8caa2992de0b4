"""Topics for readers: /words/topics/ lists them with how many essays each has, and
/words/topics/<slug>/ lists a topic's essays, paginated like /words/.

A topic exists for readers while one of its essays is published (Topic.objects.in_use()):
a topic only drafts have is not shown, even by its address. The addresses a renamed topic
left answer 301 to its current ones (`follow_renames`).
"""

import functools
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import http_date
from django.views.generic import ListView

from blog.models import Topic
from blog.views import PAGE_SIZE, PublishedMixin

type View = Callable[..., HttpResponseBase]


def follow_renames(view: View) -> View:
    """`view` of a topic (its page, its feed), answering 301 at the slugs the topic had."""

    @functools.wraps(view)
    def followed(request: HttpRequest, slug: str, **kwargs: object) -> HttpResponseBase:
        try:
            return view(request, slug=slug, **kwargs)
        except Http404:
            moved = Topic.objects.filter(old_slugs__slug=slug).first()
            if moved is None:
                raise
            name = request.resolver_match.view_name if request.resolver_match else ""
            return HttpResponsePermanentRedirect(reverse(name, kwargs={"slug": moved.slug}))

    return followed


def topic_for_readers(slug: str) -> Topic:
    """The topic at `slug`, if readers may see it (it has a published essay), or 404."""
    return get_object_or_404(Topic.objects.in_use(), slug=slug)


class TopicListView(ListView):
    """Every topic of a published essay, by name, with how many essays it has."""

    template_name = "blog/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return Topic.objects.in_use()

    def get_context_data(self, **kwargs) -> dict:
        url = self.request.build_absolute_uri(self.request.path)
        return super().get_context_data(title="Topics", canonical_url=url, **kwargs)

    def render_to_response(self, context: dict, **kwargs) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if topics := context["topics"]:
            newest = max(topic.changed for topic in topics)
            response["Last-Modified"] = http_date(newest.timestamp())
        return response


class TopicDetailView(PublishedMixin, ListView):
    """A topic's published essays, newest first: three queries (the topic, the count, the
    page) whatever their number."""

    template_name = "blog/topic_detail.html"
    context_object_name = "posts"
    deferred = ("body", "body_html")
    paginate_by = PAGE_SIZE

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.topic = topic_for_readers(kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(topics=self.topic)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(topic=self.topic, **kwargs)
        page = context["page_obj"]
        title = f"Essays on {self.topic.name}"
        context["title"] = f"{title}, page {page.number}" if page.number > 1 else title
        return context
