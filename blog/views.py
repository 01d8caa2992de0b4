"""Public pages. Every query goes through Post.objects.published() (Page's for pages)."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.generic import DetailView, ListView, RedirectView, TemplateView
from django.views.generic.base import ContextMixin, TemplateResponseMixin, View
from django.views.generic.dates import YearArchiveView

from blog import rendering, search
from blog.models import Page, Post
from site_config.identity import site_settings

WORDS_PER_MINUTE = 230
DESCRIPTION_LENGTH = 160
PAGE_SIZE = 50

if TYPE_CHECKING:
    # What the mixins below extend, as the type checker sees it: the list, detail and date
    # views it mixes into all answer GET with a template and a context.
    class _ObjectView(TemplateResponseMixin, ContextMixin, View):
        def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse: ...
else:
    _ObjectView = object


class LastModifiedMixin(_ObjectView):
    """Last-Modified from what a page shows, and its canonical URL.

    ConditionalGetMiddleware adds the ETag and answers 304 to a revisit with either.
    """

    def last_modified(self, context: dict) -> dt.datetime | None:
        return None

    def render_to_response(self, context: dict, **kwargs) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if modified := self.last_modified(context):
            response["Last-Modified"] = http_date(modified.timestamp())
        return response

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        url = self.request.path
        if page is not None and page.number > 1:
            url += f"?page={page.number}"
        context.setdefault("canonical_url", self.request.build_absolute_uri(url))
        return context


class PublishedMixin(LastModifiedMixin):
    """The one queryset readers see of essays, and one spelling of `?page=`."""

    paginate_by: int | None = None
    # Fields a page does not show; lists leave out the bodies (most of a row's bytes).
    deferred: tuple[str, ...] = ()

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        page = request.GET.get("page")
        if self.paginate_by and page is not None and (url := canonical_page_url(request, page)):
            return HttpResponsePermanentRedirect(url)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Post]:
        return Post.objects.published().defer(*self.deferred)

    def last_modified(self, context: dict) -> dt.datetime | None:
        # From the essays shown: no query of its own (a deletion or a page's shift is seen
        # by the ETag, which browsers and feed readers send too).
        shown = context.get("object_list") or []
        return max((post.changed for post in shown), default=None)


class HomeView(PublishedMixin, ListView):
    """Recent essays under a short introduction."""

    template_name = "blog/home.html"
    context_object_name = "posts"
    deferred = ("body", "body_html")
    recent = 10

    def get_queryset(self) -> QuerySet[Post]:
        # One more than shown tells whether there are more, in the same query.
        return super().get_queryset()[: self.recent + 1]

    def get_context_data(self, **kwargs) -> dict:
        posts = list(self.object_list)
        return super().get_context_data(
            object_list=posts[: self.recent], more=len(posts) > self.recent, **kwargs
        )


class PostListView(PublishedMixin, ListView):
    """Every essay, newest first, grouped by year."""

    template_name = "blog/post_list.html"
    context_object_name = "posts"
    deferred = ("body", "body_html")
    paginate_by = PAGE_SIZE

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context["title"] = f"Essays, page {page.number}" if page.number > 1 else "Essays"
        return context


class PostYearArchiveView(PublishedMixin, YearArchiveView):
    template_name = "blog/post_archive_year.html"
    context_object_name = "posts"
    deferred = ("body", "body_html")
    paginate_by = PAGE_SIZE
    date_field = "date"
    make_object_list = True

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["title"] = f"Essays from {context['year']:%Y}"
        return context


class SearchView(PublishedMixin, ListView):
    """Essays matching `?q=`, best first, with the query marked in titles and excerpts."""

    template_name = "blog/search.html"
    context_object_name = "posts"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[Post]:
        self.query = self.request.GET.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
        if not self.query:
            return Post.objects.none()
        return search.search(super().get_queryset(), self.query)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["query"] = self.query
        context["title"] = f"Search: {self.query}" if self.query else "Search"
        context["canonical_url"] = None
        context["results"] = [search.Result(post, self.query) for post in context["object_list"]]
        return context

    def last_modified(self, context: dict) -> None:
        return None  # results are never cached: no validators

    def render_to_response(self, context: dict, **kwargs) -> HttpResponse:
        # What a reader searched for is theirs: never kept by shared caches or on disk.
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


def post_index(request: HttpRequest) -> HttpResponseBase:
    """/words/ lists every essay; /words/?q=... searches them."""
    if "q" in request.GET:
        return SearchView.as_view()(request)
    return PostListView.as_view()(request)


class PostDetailView(PublishedMixin, DetailView):
    """An essay, with its published neighbours fetched in the same query."""

    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_object(self, queryset: QuerySet[Post] | None = None) -> Post:
        if queryset is None:
            queryset = self.get_queryset()
        return super().get_object(with_neighbours(queryset))

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = Post.objects.published().filter(old_slugs__slug=kwargs["slug"]).first()
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())

    def get_context_data(self, **kwargs) -> dict:
        post = self.object
        page_url = self.request.build_absolute_uri(post.get_absolute_url())
        return super().get_context_data(
            previous=neighbour(post, "previous"),
            next=neighbour(post, "next"),
            reading_minutes=reading_minutes(post.body),
            description=rendering.description(post.body_html, DESCRIPTION_LENGTH)
            or site_settings().description,
            page_url=page_url,
            title=post.title,
            og_type="article",
            published=post.date,
            # A link post's page is a note about someone else's page: that one is canonical.
            canonical_url=post.external_link or page_url,
            **kwargs,
        )

    def last_modified(self, context: dict) -> dt.datetime | None:
        shown = [context["post"], context["previous"], context["next"]]
        return max(p.changed for p in shown if p is not None)


class PageView(LastModifiedMixin, DetailView):
    """A page of the site (About, Contact...): the writer's text, with no date or neighbours."""

    template_name = "blog/page.html"
    context_object_name = "page"

    def get_queryset(self) -> QuerySet[Page]:
        return Page.objects.published()

    def get_context_data(self, **kwargs) -> dict:
        page = self.object
        page_url = self.request.build_absolute_uri(page.get_absolute_url())
        return super().get_context_data(
            title=page.title,
            description=rendering.description(page.body_html, DESCRIPTION_LENGTH),
            page_url=page_url,
            canonical_url=page_url,
            **kwargs,
        )

    def last_modified(self, context: dict) -> dt.datetime:
        return context["page"].updated


# What the essay page shows of its neighbours, and what tells when they changed.
NEIGHBOUR_FIELDS = ("slug", "title", "date", "updated")


def with_neighbours(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Annotate each post with its published neighbours' fields (previous_title, next_slug...),
    as subqueries of the one query that fetches it."""
    published = Post.objects.published()
    sides = {
        "previous": published.filter(
            Q(date__lt=OuterRef("date")) | Q(date=OuterRef("date"), pk__lt=OuterRef("pk"))
        ).order_by("-date", "-pk"),
        "next": published.filter(
            Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk"))
        ).order_by("date", "pk"),
    }
    return posts.annotate(
        **{
            f"{side}_{field}": Subquery(neighbours.values(field)[:1])
            for side, neighbours in sides.items()
            for field in NEIGHBOUR_FIELDS
        }
    )


def canonical_page_url(request: HttpRequest, page: str) -> str | None:
    """Where `?page=` spelled otherwise than the pages link to it (`1`, `01`, `+2`, ` 2`)
    redirects: one URL per page, so the page cache keeps one copy; None if it is canonical.
    A page that is no number or out of range is left to the view (404)."""
    try:
        number = int(page or 1)  # ListView reads ?page= as page 1
    except ValueError:
        return None
    canonical = str(number) if number > 1 else None
    if number < 1 or page == canonical:
        return None
    query = request.GET.copy()
    if canonical:
        query["page"] = canonical
    else:
        del query["page"]
    return f"{request.path}?{query.urlencode()}" if query else request.path


def neighbour(post: Post, side: str) -> Post | None:
    """The neighbour annotated by with_neighbours, as an unsaved Post (enough for links)."""
    if getattr(post, f"{side}_slug") is None:
        return None
    return Post(**{field: getattr(post, f"{side}_{field}") for field in NEIGHBOUR_FIELDS})


def reading_minutes(markdown: str) -> int:
    """Minutes to read a body at an unhurried pace; a word count of the stored text."""
    return max(1, round(len(markdown.split()) / WORDS_PER_MINUTE))


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs) -> dict:
        sitemap = self.request.build_absolute_uri(reverse("blog:sitemap"))
        return super().get_context_data(sitemap_url=sitemap, **kwargs)


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""

    permanent = False  # the icon's hashed name changes with it

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("blog/favicon.svg")

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = super().get(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=24 * 60 * 60)
        return response
