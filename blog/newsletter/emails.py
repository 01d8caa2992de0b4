"""The emails: a confirmation, and an essay as its subscribers receive it.

An essay's email is built once per mailing (EssayEmail) and addressed per subscriber:
only the unsubscribe link differs, so 10,000 messages cost one render and one CSS inlining.
The body is the renderer's stored body_html with every link and image made absolute and
the notes as plain endnotes; the site's typography (blog/essay.css, its custom properties
resolved from site.css, since mail clients don't know var()) is inlined by css-inline.
"""

import functools
import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string

from blog.models import Post
from blog.newsletter import site, tokens
from blog.newsletter.models import Subscriber
from blog.newsletter.plaintext import to_text

# Written into the templates where the unsubscribe link goes, replaced per subscriber.
_UNSUBSCRIBE = "https://unsubscribe.invalid/token/"
_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')
_NOTES = re.compile(r'(<section class="footnotes"[^>]*>)')
_BACKREF = re.compile(r'\s*<a [^>]*class="footnote-backref"[^>]*>.*?</a>', re.DOTALL)
_CUSTOM_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;{}]+);")
_VAR = re.compile(r"var\((--[\w-]+)(?:,\s*([^()]*(?:\([^()]*\)[^()]*)*))?\)")
_ROOT = re.compile(r":root\s*\{([^}]*)\}")
STYLESHEETS = ("blog/essay.css", "newsletter/email.css")


def confirmation(subscriber: Subscriber) -> EmailMessage:
    context = {"site_name": site.name(), "confirm_url": tokens.confirm_url(subscriber)}
    return EmailMessage(
        subject=f"Confirm your subscription to {site.name()}",
        body=render_to_string("newsletter/email/confirm.txt", context),
        from_email=site.sender(),
        to=[subscriber.email],
    )


@dataclass(frozen=True)
class EssayEmail:
    """One essay's email, ready to address."""

    subject: str
    text: str
    html: str

    @classmethod
    def of(cls, post: Post) -> "EssayEmail":
        page_url = site.url(post.get_absolute_url())
        context = {
            "post": post,
            "body": email_body(post.body_html, page_url),
            "page_url": page_url,
            "site_name": site.name(),
            "site_url": site.url(),
            "unsubscribe_url": _UNSUBSCRIBE,
        }
        page = render_to_string("newsletter/email/essay.html", context)
        # Loaded on first use: web workers, which never build an essay's email, don't pay
        # its 4.5 MB.
        import css_inline

        inliner = css_inline.CSSInliner(load_remote_stylesheets=False, extra_css=_css())
        return cls(
            subject=post.title,
            text=render_to_string(
                "newsletter/email/essay.txt", {**context, "body": to_text(str(context["body"]))}
            ),
            html=inliner.inline(page),
        )

    def to(self, address: str, subscriber_id: int, message_id: str) -> EmailMultiAlternatives:
        """The message for one subscriber, with its own unsubscribe link and Message-ID."""
        unsubscribe = tokens.unsubscribe_url(subscriber_id)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text.replace(_UNSUBSCRIBE, unsubscribe),
            from_email=site.sender(),
            to=[address],
            headers={
                "Message-ID": message_id,
                # RFC 8058 one-click: mail clients POST to the link, no page, no login.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"{site.name()} <newsletter.{site.domain()}>",
            },
        )
        message.attach_alternative(self.html.replace(_UNSUBSCRIBE, unsubscribe), "text/html")
        return message


def message_id(delivery_id: int) -> str:
    """One per delivery, the same on every try: a copy sent twice is recognisably one."""
    return f"<newsletter.{delivery_id}@{site.domain()}>"


def email_body(body_html: str, page_url: str) -> str:
    """The stored body for an email: absolute links and images, notes without back-links."""
    body = _NOTES.sub(r'\1<p class="email-notes">Notes</p>', _BACKREF.sub("", body_html))
    return _URL_ATTRIBUTE.sub(
        lambda m: f'{m[1]}="{html.escape(urljoin(page_url, html.unescape(m[2])))}"', body
    )


@functools.cache
def _css() -> str:
    """The email's stylesheets with the site's custom properties (light scheme) resolved."""
    root = _ROOT.search(_static("blog/site.css"))
    if root is None:
        raise ImproperlyConfigured("blog/site.css has no :root rule: the email has no colours")
    site_values = dict(_CUSTOM_PROPERTY.findall(root[1]))
    css = []
    for name in STYLESHEETS:
        text = _static(name)
        # The site's values win over a stylesheet's own (--essay-ink: var(--ink, #1f1d1a)).
        values = {**dict(_CUSTOM_PROPERTY.findall(text)), **site_values}
        css.append(_resolve(_CUSTOM_PROPERTY.sub("", text), values))
    return "\n".join(css)


def _static(name: str) -> str:
    path = finders.find(name)
    if not isinstance(path, str):
        raise ImproperlyConfigured(f"The email's stylesheet {name} is missing")
    with open(path, encoding="utf-8") as file:
        return file.read()


def _resolve(css: str, values: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        return values.get(match[1], match[2] or "").strip()

    for _ in range(5):  # a value may be another var(): a few rounds resolve them all
        css, count = _VAR.subn(value, css)
        if not count:
            break
    return css
