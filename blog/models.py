"""The essay and the page, the one definition of what readers may see, and the slugs an
essay had."""

import datetime as dt
import secrets
from typing import Self
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

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


class PostQuerySet(models.QuerySet):
    def published(self) -> Self:
        """What readers see: published, and dated today or earlier in the site's time zone."""
        return self.filter(status=Written.Status.PUBLISHED, date__lte=timezone.localdate())


def visible_since(date: dt.date) -> dt.datetime:
    """When a post dated `date` appears: midnight of that day in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(date, dt.time.min))


class PostManager(models.Manager.from_queryset(PostQuerySet)):
    def get_by_natural_key(self, slug: str) -> "Post":
        return self.get(slug=slug)


class Post(Written):
    # CharFields with our validators, not SlugField and URLField: theirs accept capitals,
    # ftp:// and `user@` links, and would add their own messages beside ours.
    slug = models.CharField(max_length=200, unique=True, validators=[validators.validate_slug])
    date = models.DateField(default=timezone.localdate)
    external_link = models.CharField(
        "external link",
        max_length=500,
        blank=True,
        validators=[validators.validate_web_link],
        help_text="Set for a link post.",
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


class PageQuerySet(models.QuerySet):
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
        cls.objects.filter(post=post, slug=post.slug).delete()


# From first draft to beta readers (blog/autosave.py, blog/sharing.py): the editor's
# background copy, private share links, and the notes readers leave through them. None of
# it is part of an essay's revision history, and none of it is ever public.


class Autosave(models.Model):
    """The editor's background copy of an essay form: one per essay and writer, and one
    per writer for a new essay (no post yet). Readers never see it; a real save clears it."""

    # The form fields kept (status is left out: publishing is always a deliberate save).
    FIELDS = ("title", "slug", "date", "external_link", "body")

    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    fields = models.JSONField(default=dict, help_text="The form's values, by field name.")
    based_on = models.CharField(
        max_length=64, blank=True, help_text="The essay's version the form was opened at."
    )
    saved = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_autosave_per_essay"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(post=None), name="one_autosave_per_new_essay"
            ),
        ]

    def __str__(self) -> str:
        return f"Autosave of {self.fields.get('title') or 'a new essay'}"


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(models.QuerySet):
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

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reader_notes")
    link = models.ForeignKey(ShareLink, null=True, on_delete=models.SET_NULL, related_name="notes")
    name = models.CharField(max_length=80, blank=True, help_text="As the reader gave it.")
    paragraph = models.PositiveIntegerField(help_text="Index of the block in the essay body.")
    quote = models.CharField(max_length=200, blank=True, help_text="The paragraph's start.")
    text = models.TextField(max_length=2000)
    seen_version = models.CharField(max_length=64, help_text="Hash of the body the reader saw.")
    resolved = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "reader note"
        ordering = ["paragraph", "created", "pk"]

    def __str__(self) -> str:
        return f"Note on ¶{self.paragraph + 1} of {self.post}"
