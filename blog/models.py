"""The essay and the page, the one definition of what readers may see, the slugs an essay
had, and topics."""

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from typing import Any, Self
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from blog import rendering, validators


class Written(models.Model):
    """What an essay and a page share: a title and a markdown body, rendered to HTML by the
    one renderer when saved, and a status."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300, validators=[validators.validate_no_control_characters])
    body = models.TextField(
        blank=True,
        validators=[validators.validate_body],
        help_text="Markdown, stored exactly as written.",
    )
    body_html = models.TextField(editable=False, blank=True)
    rendered_with = models.CharField(
        max_length=40, editable=False, blank=True, help_text="Renderer version of body_html."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # The editor's unsaved copies: deleted with the essay or page.
    autosaves = GenericRelation("Autosave")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def save(self, **kwargs) -> None:
        # Render with every save that may change the body; a save of other fields only
        # (publish, revert to draft) keeps the stored HTML.
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.render()
        elif "body" in update_fields:
            self.render()
            kwargs["update_fields"] = {*update_fields, "body_html", "rendered_with"}
        # One transaction with what signals record (an essay's old slug).
        with transaction.atomic(using=kwargs.get("using")):
            super().save(**kwargs)

    def render(self) -> None:
        """Refresh body_html from body with the current renderer."""
        self.body_html = rendering.render(self.body)
        self.rendered_with = rendering.VERSION


class PostQuerySet(models.QuerySet["Post"]):
    def published(self) -> Self:
        """What readers see: published, and dated today or earlier in the site's time zone."""
        return self.filter(status=Written.Status.PUBLISHED, date__lte=timezone.localdate())


def visible_since(date: dt.date) -> dt.datetime:
    """When a post dated `date` appears: midnight of that day in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(date, dt.time.min))


# A name of its own: the type checker's Django plugin only follows from_queryset() here.
_PostManagerBase = models.Manager.from_queryset(PostQuerySet)


class PostManager(_PostManagerBase["Post"]):
    def get_by_natural_key(self, slug: str) -> "Post":
        return self.get(slug=slug)


class Post(Written):
    # CharFields with our validators, not SlugField and URLField: theirs accept capitals,
    # ftp:// and `user@` links, and would add their own messages beside ours.
    slug = models.CharField(
        max_length=200, unique=True, validators=[validators.validate_slug, validators.not_reserved]
    )
    date = models.DateField(default=timezone.localdate)
    external_link = models.CharField(
        "external link",
        max_length=500,
        blank=True,
        validators=[validators.validate_web_link],
        help_text="Set for a link post.",
    )
    topics: "models.ManyToManyField[Topic, Any]" = models.ManyToManyField(
        "Topic", blank=True, related_name="posts"
    )

    objects = PostManager()

    # The slug in the database when a save began (set by the pre_save receiver below).
    _previous_slug: str | None = None

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["status", "date"])]

    def get_absolute_url(self) -> str:
        return reverse("blog:post_detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def link_domain(self) -> str:
        """The domain a link post points to, without `www.` ("posthog.com")."""
        host = urlsplit(self.external_link).hostname or ""
        return host.removeprefix("www.")

    @property
    def changed(self) -> dt.datetime:
        """When the post last changed as readers see it: edited, or appeared on its date."""
        return max(self.updated, visible_since(self.date))


class PageQuerySet(models.QuerySet["Page"]):
    def published(self) -> Self:
        """What readers see of pages: the published ones (a page has no date)."""
        return self.filter(status=Written.Status.PUBLISHED)

    def navigation(self) -> Self:
        """The published pages the site's header links to, in their order."""
        return self.published().filter(in_navigation=True).order_by("navigation_order", "title")


class Page(Written):
    """A page of the site beside the essays (About, Contact, Now, Colophon), at /<slug>/."""

    slug = models.CharField(
        max_length=200,
        unique=True,
        validators=[validators.validate_slug, validators.validate_page_slug],
        help_text="The page's address: /about/ for “about”. Lowercase letters, digits, hyphens.",
    )
    in_navigation = models.BooleanField(
        "in the navigation", default=True, help_text="Linked from every page's header."
    )
    navigation_order = models.IntegerField(
        default=0, help_text="Lower comes first in the navigation (a file's `weight`)."
    )

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["navigation_order", "title"]

    def get_absolute_url(self) -> str:
        return reverse("blog:page", kwargs={"slug": self.slug})


class OldSlug(models.Model):
    """A slug an essay was published under before: /words/<slug>/ answers 301 to the post.

    Every old slug points at the post itself, never at another old slug, so a chain of
    renames (a -> b -> c) sends both a and b straight to c.
    """

    slug = models.SlugField(max_length=200, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_slugs")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "old slug"

    def __str__(self) -> str:
        return f"{self.slug} -> {self.post.slug}"

    @classmethod
    def record(cls, post: Post, slug: str, using: str | None = None) -> None:
        """Remember that `post` was at `slug`; the latest post to leave a slug owns it."""
        old_slugs = cls.objects.using(using)
        old_slugs.update_or_create(slug=slug, defaults={"post": post})
        # Renamed back to a slug it had before: that one is live again, not a redirect.
        old_slugs.filter(post=post, slug=post.slug).delete()


# Old slugs are recorded by signals, the one place that sees every save: Post.save, and the
# raw saves that bypass it (loaddata, and django-reversion restoring an old revision).
@receiver(pre_save, sender=Post)
def _note_previous_slug(
    sender: type[Post],
    instance: Post,
    using: str,
    update_fields: frozenset[str] | None,
    **kwargs: object,
) -> None:
    if instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        instance._previous_slug = None
        return
    stored = Post.objects.using(using).filter(pk=instance.pk).values_list("slug", flat=True)
    instance._previous_slug = stored.first()


@receiver(post_save, sender=Post)
def _record_old_slug(sender: type[Post], instance: Post, using: str, **kwargs: object) -> None:
    previous = instance._previous_slug
    if previous and previous != instance.slug:
        OldSlug.record(instance, previous, using)


# Topics ----------------------------------------------------------------------------------


def fold(name: str) -> str:
    """What makes two topic names one topic: case and spacing don't count."""
    return " ".join(name.split()).casefold()


class TopicQuerySet(models.QuerySet["Topic"]):
    def in_use(self) -> Self:
        """Topics of essays readers see, each with `count` (how many) and `newest_date` and
        `newest_update` (for when its page last changed), in the one query."""
        published = Q(posts__in=Post.objects.published())
        return self.annotate(
            count=Count("posts", filter=published),
            newest_date=Max("posts__date", filter=published),
            newest_update=Max("posts__updated", filter=published),
        ).filter(count__gt=0)

    def for_names(self, names: Iterable[str]) -> dict[str, "Topic"]:
        """The topics of these names by fold(name), whatever their case; those missing are
        made (in one insert, each with a free slug): the one way topics are made from text,
        by the essay form, imports and loaddata."""
        wanted: dict[str, str] = {}
        for name in names:
            if fold(name):
                wanted.setdefault(fold(name), " ".join(name.split()))
        found: dict[str, Topic] = {topic.key: topic for topic in self.filter(key__in=wanted)}
        missing = [Topic(name=name, key=key) for key, name in wanted.items() if key not in found]
        if missing:
            taken = Topic.taken_slugs(self.db)  # a few hundred at most: one query for all
            for topic in missing:
                topic.slug = free_slug(topic.name, taken)
                taken.add(topic.slug)
            found.update(
                (topic.key, topic) for topic in Topic.objects.using(self.db).bulk_create(missing)
            )
        return found


def slug_base(name: str) -> str:
    return slugify(name)[:90].strip("-") or "topic"


def free_slug(name: str, taken: set[str]) -> str:
    """A slug for a topic's name that no topic has, or had: `remote-work`, `remote-work-2`..."""
    base = slug_base(name)
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


class Topic(models.Model):
    """What essays are about: /words/topics/<slug>/ lists them.

    One topic whatever the case or spacing of its name ("Remote work", "remote work"):
    `key` holds the folded name, unique. Folded in Python, not by the database's LOWER()
    (SQLite's folds ASCII only), so every database and every path agrees. The slug follows
    the name; the slugs a topic leaves answer 301 (OldTopicSlug).
    """

    name = models.CharField(max_length=100, validators=[validators.validate_no_control_characters])
    # Folding may lengthen a name ("ß" folds to "ss").
    key = models.CharField(max_length=300, unique=True, editable=False)
    slug = models.CharField(max_length=100, unique=True, editable=False)

    objects = TopicQuerySet.as_manager()

    # Annotated by Topic.objects.in_use().
    count: int
    newest_date: dt.date
    newest_update: dt.datetime

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    def save(self, **kwargs) -> None:
        self.name = " ".join(self.name.split())
        self.key = fold(self.name)
        using = kwargs.get("using")
        with transaction.atomic(using=using):
            stored = Topic.objects.using(using).filter(pk=self.pk).values_list("slug", flat=True)
            left = stored.first() if self.pk else None
            # The slug follows the name: a renamed topic moves (and its old address redirects).
            if not re.fullmatch(rf"{re.escape(slug_base(self.name))}(-[0-9]+)?", self.slug):
                self.slug = free_slug(self.name, Topic.taken_slugs(using, besides=self))
            super().save(**kwargs)
            if left and left != self.slug:
                old_slugs = OldTopicSlug.objects.using(using)
                old_slugs.update_or_create(slug=left, defaults={"topic": self})
                old_slugs.filter(topic=self, slug=self.slug).delete()

    def get_absolute_url(self) -> str:
        return reverse("blog:topic_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        self.name = " ".join(self.name.split())
        self.key = fold(self.name)
        if Topic.objects.filter(key=self.key).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"name": "There is already a topic of this name (whatever its case)."}
            )

    @property
    def changed(self) -> dt.datetime:
        """When the topic's page last changed for readers (on a topic from in_use())."""
        return max(self.newest_update, visible_since(self.newest_date))

    @staticmethod
    def taken_slugs(using: str | None, besides: "Topic | None" = None) -> set[str]:
        """Slugs topics have or had (but `besides`' own): a new slug takes none of them."""
        live = Topic.objects.using(using)
        old = OldTopicSlug.objects.using(using)
        if besides is not None and besides.pk is not None:
            live, old = live.exclude(pk=besides.pk), old.exclude(topic=besides)
        return {*live.values_list("slug", flat=True), *old.values_list("slug", flat=True)}


class OldTopicSlug(models.Model):
    """A slug a topic had: its page and feed there answer 301 to the topic's."""

    slug = models.CharField(max_length=100, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="old_slugs")

    class Meta:
        verbose_name = "old topic slug"

    def __str__(self) -> str:
        return f"{self.slug} -> {self.topic.slug}"


# From first draft to beta readers (blog/autosave.py, blog/sharing.py): the editor's
# background copy, private share links, and the notes readers leave through them. None of
# it is part of an essay's revision history, and none of it is ever public.


class Autosave(models.Model):
    """The editor's background copy of an essay's or a page's form: one per essay (or page)
    and writer, and one per writer for a new essay and for a new page (nothing saved yet).
    Readers never see it; a real save clears it."""

    # The form fields kept (status is left out: publishing is always a deliberate save; a
    # page's form has no date or link, so they stay empty).
    FIELDS = ("title", "slug", "date", "external_link", "body")

    # What is written: an essay or a page (the model), and which one (none: a new one).
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    written = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    fields = models.JSONField(default=dict, help_text="The form's values, by field name.")
    based_on = models.CharField(
        max_length=64, blank=True, help_text="The version the form was opened at."
    )
    saved = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="one_autosave_per_text"
            ),
            models.UniqueConstraint(
                fields=["content_type", "user"],
                condition=models.Q(object_id=None),
                name="one_autosave_per_new_text",
            ),
        ]

    def __str__(self) -> str:
        return f"Autosave of {self.fields.get('title') or 'a new text'}"


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def live(self) -> Self:
        """Links that open their draft: not revoked, not expired."""
        now = timezone.now()
        return self.filter(
            models.Q(expires__isnull=True) | models.Q(expires__gt=now), revoked=False
        )


class ShareLink(models.Model):
    """A private address (/p/<token>/) where one named reader reads an essay before it is
    published, and leaves notes."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="share_links")
    reader = models.CharField(max_length=100, help_text="Who this link is for.")
    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    expires = models.DateTimeField(
        null=True, blank=True, help_text="Optional: the link stops working at this time."
    )
    revoked = models.BooleanField(default=False, help_text="The link stops working now.")
    created = models.DateTimeField(auto_now_add=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "share link"
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reader"],
                name="one_share_link_per_reader",
                violation_error_message="This essay already has a link for this reader.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.post} for {self.reader}"

    def get_absolute_url(self) -> str:
        return reverse("blog:shared_draft", kwargs={"token": self.token})


class ReaderNote(models.Model):
    """A share-link reader's note on one paragraph (a top-level block of the essay body),
    kept with the version of the body the reader saw."""

    QUOTE_LENGTH = 200

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reader_notes")
    link = models.ForeignKey(ShareLink, null=True, on_delete=models.SET_NULL, related_name="notes")
    name = models.CharField(max_length=80, blank=True, help_text="As the reader gave it.")
    paragraph = models.PositiveIntegerField(help_text="Index of the block in the essay body.")
    quote = models.CharField(
        max_length=QUOTE_LENGTH, blank=True, help_text="The paragraph's start."
    )
    text = models.TextField(max_length=2000)
    seen_version = models.CharField(max_length=64, help_text="Hash of the body the reader saw.")
    resolved = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "reader note"
        ordering = ["paragraph", "created", "pk"]

    def __str__(self) -> str:
        return f"Note on ¶{self.paragraph + 1} of {self.post}"
