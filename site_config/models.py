"""The site's identity, edited by the writer in the admin as one object: its name, author,
description, the home page's introduction, contact and social links, the footer, and how
notes are shown. The environment (settings.SITE_*) only seeds it: until the writer first
opens it in the admin (which saves it), the site shows the environment's values. Reading it
never writes: a page view must not wait on the database's write lock.

Pages read it through site_config.identity (once per page generation in each process).
"""

from dataclasses import dataclass
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from blog import rendering, validators


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def parse_links(text: str) -> list[Link]:
    """The links of the `links` field: one a line, the name shown, then the address."""
    links = []
    for line in text.splitlines():
        label, _, url = line.strip().rpartition(" ")
        if url:
            links.append(Link(label.strip(), url))
    return links


LINKS_EXAMPLE = "“Mastodon https://mastodon.social/@me” or “Email mailto:me@example.com”"


def validate_links(text: str) -> None:
    validators.validate_no_control_characters(text)
    for number, line in enumerate(text.splitlines(), start=1):
        label, _, url = line.strip().rpartition(" ")
        try:
            if not line.strip():
                continue
            if not label.strip():
                raise ValidationError(f"write the name shown, then the address: {LINKS_EXAMPLE}")
            if url.startswith("mailto:"):
                validate_email(url.removeprefix("mailto:"))
            else:
                validators.validate_web_link(url)
        except ValidationError as error:
            problem = " ".join(error.messages)
            raise ValidationError(
                "line %(line)s: %(problem)s",
                code="link",
                params={"line": number, "problem": problem},
            ) from None


class SiteSettings(models.Model):
    class Notes(models.TextChoices):
        SIDENOTES = "sidenotes", "Beside the text (in the margin; in place on phones)"
        ENDNOTES = "endnotes", "At the end only"

    # One row, always number 1 (the database checks it): it is edited, never added.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    name = models.CharField(
        max_length=100,
        validators=[validators.validate_no_control_characters],
        help_text="In every page's header and title, and the feeds' title.",
    )
    author = models.CharField(
        max_length=100,
        validators=[validators.validate_no_control_characters],
        help_text="The byline on the home page and the feeds' author.",
    )
    description = models.CharField(
        max_length=300,
        validators=[validators.validate_no_control_characters],
        help_text="The home page's heading, and the description of pages that have none.",
    )
    intro = models.TextField(
        "introduction",
        blank=True,
        validators=[validators.validate_body],
        help_text="Markdown, under the home page's heading.",
    )
    intro_html = models.TextField(editable=False, blank=True)
    links = models.TextField(
        "contact and social links",
        blank=True,
        validators=[validate_links],
        help_text=(
            f"One a line, the name shown then the address: {LINKS_EXAMPLE}. In every page's "
            'footer, with rel="me" (how Mastodon and others verify a site is yours).'
        ),
    )
    footer = models.TextField(
        blank=True,
        validators=[validators.validate_body],
        help_text="Markdown, at the foot of every page (a licence, a colophon line).",
    )
    footer_html = models.TextField(editable=False, blank=True)
    notes = models.CharField(
        max_length=10,
        choices=Notes,
        default=Notes.SIDENOTES,
        help_text="Where an essay's notes are shown on its page (feeds keep them at the end).",
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_site_settings")]

    def __str__(self) -> str:
        return "Site settings"

    def save(self, **kwargs) -> None:
        self.render()
        super().save(**kwargs)

    def render(self) -> None:
        self.intro_html = rendering.render(self.intro) if self.intro else ""
        self.footer_html = rendering.render(self.footer) if self.footer else ""

    @classmethod
    def load(cls) -> Self:
        """The site's settings, in one query; the environment's until first saved."""
        return cls.objects.filter(pk=1).first() or cls.from_environment()

    @classmethod
    def from_environment(cls) -> Self:
        """The settings as the environment seeds them (unsaved)."""
        site = cls(**_environment())
        site.render()
        return site

    @classmethod
    def ensure(cls) -> Self:
        """The saved settings, saved from the environment if they are not yet (the admin)."""
        site, _ = cls.objects.get_or_create(pk=1, defaults=_environment())
        return site

    @property
    def link_list(self) -> list[Link]:
        return parse_links(self.links)


def _environment() -> dict[str, str]:
    return {
        "name": settings.SITE_NAME,
        "author": settings.SITE_AUTHOR,
        "description": settings.SITE_DESCRIPTION,
        "intro": settings.SITE_INTRO,
        "notes": settings.SITE_NOTES,
    }
