"""The essay, the one definition of what readers may see, and the slugs an essay had."""

import datetime as dt
from typing import Self
from urllib.parse import urlsplit

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from blog import rendering


class PostQuerySet(models.QuerySet):
    def published(self) -> Self:
        """What readers see: published, and dated today or earlier in the site's time zone."""
        return self.filter(status=Post.Status.PUBLISHED, date__lte=timezone.localdate())


def visible_since(date: dt.date) -> dt.datetime:
    """When a post dated `date` appears: midnight of that day in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(date, dt.time.min))


class PostManager(models.Manager.from_queryset(PostQuerySet)):
    def get_by_natural_key(self, slug: str) -> "Post":
        return self.get(slug=slug)


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(max_length=200, unique=True)
    date = models.DateField(default=timezone.localdate)
    title = models.CharField(max_length=300)
    external_link = models.URLField(
        "external link", max_length=500, blank=True, help_text="Set for a link post."
    )
    body = models.TextField(blank=True, help_text="Markdown, stored exactly as written.")
    body_html = models.TextField(editable=False, blank=True)
    rendered_with = models.CharField(
        max_length=40, editable=False, blank=True, help_text="Renderer version of body_html."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = PostManager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["status", "date"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, update_fields=None, **kwargs) -> None:
        # Render with every save that may change the body; a save of other fields only
        # (publish, revert to draft) keeps the stored HTML.
        if update_fields is None:
            self.render()
        elif "body" in update_fields:
            self.render()
            update_fields = {*update_fields, "body_html", "rendered_with"}
        kwargs["update_fields"] = update_fields
        with transaction.atomic():
            previous = (
                Post.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
                if self.pk
                else None
            )
            super().save(*args, **kwargs)
            if previous and previous != self.slug:
                OldSlug.record(self, previous)

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

    def render(self) -> None:
        """Refresh body_html from body with the current renderer."""
        self.body_html = rendering.render(self.body)
        self.rendered_with = rendering.VERSION


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
    def record(cls, post: Post, slug: str) -> None:
        """Remember that `post` was at `slug`; the latest post to leave a slug owns it."""
        cls.objects.update_or_create(slug=slug, defaults={"post": post})
        # Renamed back to a slug it had before: that one is live again, not a redirect.
        cls.objects.filter(post=post, slug=post.slug).delete()
