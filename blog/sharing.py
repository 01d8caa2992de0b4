"""Beta readers: a draft shown at a private address, and the notes readers leave on it.

The writer makes a ShareLink per reader on the essay's form (blog/sharing_admin.py). At
/p/<token>/ the reader gets the essay page exactly as it will be published (the public
essay view and template), never cached or indexed, with a form to leave a short note on a
paragraph: no account, CSRF-protected, length- and rate-limited, working without
JavaScript (blog/static/blog/notes.js only adds a "Note" button beside each paragraph).
Once the essay is published the link answers 301 to it; revoked or expired, 404.

A "paragraph" is a top-level block of the essay body's HTML (paragraph, heading, list,
quote, code...), numbered in order, as the browser sees the children of `.essay-body`.
Each note keeps the hash of the body the reader saw and the start of the paragraph's text,
so the writer's admin places it beside its paragraph even after the text moved.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import cast

from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.text import Truncator

from blog import ratelimit
from blog.models import Post, ReaderNote, ShareLink
from blog.views import PostDetailView, with_neighbours

# Per link (one reader): enough for a careful reading, not for a flood.
RATE = {"limit": 10, "seconds": 600}
MAX_NOTES_PER_LINK = 200
QUOTE_LENGTH = ReaderNote.QUOTE_LENGTH
# Elements without an end tag: they open no block.
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


def body_version(body: str) -> str:
    """The version of a draft a reader saw: a hash of its markdown."""
    return hashlib.sha256(body.encode()).hexdigest()


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.texts: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.depth == 0:
            self.texts.append([])
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if self.depth == 0:
            self.texts.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID:
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        if self.depth > 0:
            self.texts[-1].append(data)


def blocks(body_html: str) -> list[str]:
    """The text of each top-level block of an essay body (empty for a rule or an image)."""
    parser = _Blocks()
    parser.feed(body_html)
    parser.close()
    return [" ".join("".join(parts).split()) for parts in parser.texts]


def quote(text: str) -> str:
    return Truncator(text).chars(QUOTE_LENGTH)


@dataclass
class Paragraph:
    """A paragraph of the essay as saved now, with what readers said about it. `number`
    is None for notes on text that has changed since (shown with their quote)."""

    number: int | None
    text: str
    notes: list = field(default_factory=list)


def by_paragraph[T](
    post: Post, items: Iterable[T], note: Callable[[T], ReaderNote]
) -> list[Paragraph]:
    """Group `items` (notes, or the admin's forms of notes) under the paragraphs they are
    about, in the order of the essay; notes on text that changed since come last."""
    texts = blocks(post.body_html)
    current = body_version(post.body)
    where = {quote(text): index for index, text in reversed(list(enumerate(texts)))}
    found: dict[int | None, Paragraph] = {}
    for item in items:
        seen = note(item)
        if seen.seen_version == current and seen.paragraph < len(texts):
            index: int | None = seen.paragraph
        else:
            index = where.get(seen.quote) if seen.quote else None
        text = texts[index] if index is not None else ""
        number = index + 1 if index is not None else None
        found.setdefault(index, Paragraph(number, text)).notes.append(item)
    return sorted(found.values(), key=lambda p: (p.number is None, p.number or 0))


class NoteForm(forms.Form):
    paragraph = forms.TypedChoiceField(label="On paragraph", coerce=int)
    text = forms.CharField(
        label="Your note", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    name = forms.CharField(label="Your name (optional)", max_length=80, required=False)
    seen = forms.CharField(
        widget=forms.HiddenInput, validators=[RegexValidator(r"\A[0-9a-f]{64}\Z")]
    )

    def __init__(self, post: Post, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.texts = blocks(post.body_html)
        # (Each form's fields are copies of the fields declared above.)
        cast(forms.TypedChoiceField, self.fields["paragraph"]).choices = [
            (index, f"¶ {index + 1}: {Truncator(text).chars(60)}")
            for index, text in enumerate(self.texts)
            if text
        ]
        self.fields["seen"].initial = self.version = body_version(post.body)

    def note(self, link: ShareLink) -> ReaderNote:
        data = self.cleaned_data
        index = data["paragraph"]
        # A note on an earlier version: its paragraph number may point elsewhere now.
        seen_now = data["seen"] == self.version
        return ReaderNote(
            post=link.post,
            link=link,
            name=data["name"],
            paragraph=index,
            quote=quote(self.texts[index]) if seen_now else "",
            text=data["text"],
            seen_version=data["seen"],
        )


class SharedDraftView(PostDetailView):
    """/p/<token>/: the draft for one reader, and the notes form."""

    template_name = "blog/shared_draft.html"
    link: ShareLink  # the live link the address names (dispatch)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        link = ShareLink.objects.live().select_related("post").filter(token=kwargs["token"]).first()
        if link is None:
            raise Http404("This link is not valid, or no longer.")
        self.link = link
        if Post.objects.published().filter(pk=link.post_id).exists():
            return HttpResponsePermanentRedirect(link.post.get_absolute_url())
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_object(self, queryset=None) -> Post:
        return with_neighbours(Post.objects.filter(pk=self.link.post_id)).get()

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.page(NoteForm(self.link.post))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = NoteForm(self.link.post, request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        if self.link.notes.count() >= MAX_NOTES_PER_LINK or not ratelimit.allow(
            "notes", str(self.link.pk), **RATE
        ):
            form.add_error(None, "Too many notes for now: please try again later.")
            return self.page(form, status=429)
        form.note(self.link).save()
        messages.success(request, "Thank you: your note was sent to the writer.")
        return HttpResponseRedirect(f"{self.link.get_absolute_url()}#notes")

    def page(self, form: NoteForm, status: int = 200) -> HttpResponse:
        self.object = self.get_object()
        context = self.get_context_data(object=self.object, form=form, link=self.link)
        return self.render_to_response(context, status=status)
