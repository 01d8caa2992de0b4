"""Readers' notes on a shared draft: no account, text only, length- and rate-limited,
CSRF-safe, working without JavaScript, kept with the version the reader saw, shown to the
writer beside their paragraphs, never public."""

import pytest
from django.test import Client

from blog import sharing
from blog.models import Post, ReaderNote, ShareLink

pytestmark = pytest.mark.django_db

BODY = "A first paragraph.\n\nA second, about *cats*.\n\nA third."


@pytest.fixture
def draft(make_post):
    return make_post(status=Post.Status.DRAFT, title="Beta", body=BODY)


@pytest.fixture
def link(draft):
    return ShareLink.objects.create(post=draft, reader="Ann")


def note(client, link, **fields):
    data = {"paragraph": "1", "text": "Lovely.", "name": "", "seen": seen(link.post)}
    return client.post(link.get_absolute_url(), {**data, **fields})


def seen(post: Post) -> str:
    return sharing.body_version(post.body)


def test_the_form_offers_each_paragraph_without_javascript(client, link):
    page = client.get(link.get_absolute_url())
    form = page.context["form"]
    assert [label for _, label in form.fields["paragraph"].choices] == [
        "¶ 1: A first paragraph.",
        "¶ 2: A second, about cats.",
        "¶ 3: A third.",
    ]
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert f'name="seen" value="{seen(link.post)}"' in page.text


def test_a_reader_leaves_a_note_without_an_account(client, link, draft):
    response = note(client, link, text="Which cats?", name="Ann B.")
    assert response.status_code == 302
    assert response["Location"] == f"{link.get_absolute_url()}#notes"
    stored = ReaderNote.objects.get()
    assert (stored.post, stored.link, stored.paragraph) == (draft, link, 1)
    assert (stored.text, stored.name) == ("Which cats?", "Ann B.")
    assert stored.seen_version == seen(draft)
    assert stored.quote == "A second, about cats."
    thanks = client.get(response["Location"])
    assert "your note was sent" in thanks.text


def test_a_note_is_text_only(client, link, admin_client, draft):
    note(client, link, text='<script>alert("x")</script> <b>bold</b>')
    page = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in page.text
    assert '<script>alert("x")' not in page.text


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"name": "n" * 81}, "name"),
        ({"paragraph": "9"}, "paragraph"),
        ({"paragraph": "one"}, "paragraph"),
        ({"seen": "not-a-version"}, "seen"),
    ],
)
def test_bad_notes_are_refused_with_the_text_kept(client, link, fields, problem):
    response = note(client, link, **fields)
    assert response.status_code == 400
    assert problem in response.context["form"].errors
    assert not ReaderNote.objects.exists()
    if fields.get("text"):
        assert fields["text"][:50] in response.text


def test_a_note_without_the_csrf_token_is_refused(link):
    client = Client(enforce_csrf_checks=True)
    assert note(client, link).status_code == 403
    assert not ReaderNote.objects.exists()


def test_notes_are_rate_limited_per_link(client, link, draft):
    limit = sharing.RATE["limit"]
    answers = [note(client, link).status_code for _ in range(limit + 1)]
    assert answers == [302] * limit + [429]
    assert ReaderNote.objects.count() == limit
    other = ShareLink.objects.create(post=draft, reader="Ben")
    assert note(client, other).status_code == 302


def test_a_link_holds_a_bounded_number_of_notes(client, link, draft, monkeypatch):
    monkeypatch.setattr(sharing, "MAX_NOTES_PER_LINK", 2)
    assert [note(client, link).status_code for _ in range(3)] == [302, 302, 429]


def test_a_revoked_link_takes_no_notes(client, link):
    link.revoked = True
    link.save()
    assert note(client, link).status_code == 404
    assert not ReaderNote.objects.exists()


def test_a_note_on_an_earlier_version_keeps_that_version(client, link, draft):
    old = seen(draft)
    draft.body = "A new first paragraph.\n\n" + BODY
    draft.save()
    note(client, link, seen=old, paragraph="2")
    stored = ReaderNote.objects.get()
    assert stored.seen_version == old
    assert stored.quote == ""  # the reader's paragraph 2 was another text


def test_notes_are_never_public(client, link, draft):
    note(client, link, text="A private remark.")
    assert "A private remark." not in client.get(link.get_absolute_url()).text
    draft.status = Post.Status.PUBLISHED
    draft.save()
    assert "A private remark." not in client.get(draft.get_absolute_url()).text
    assert "A private remark." not in client.get("/atom.xml").text


def test_the_writer_sees_notes_beside_their_paragraphs(admin_client, client, link, draft):
    note(client, link, paragraph="2", text="A fine ending.")
    note(client, link, paragraph="0", text="A strong start.")
    page = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    paragraphs = page.context["inline_admin_formsets"][1].formset.paragraphs()
    assert [(p.number, p.text) for p in paragraphs] == [(1, "A first paragraph."), (3, "A third.")]
    assert [[form.instance.text for form in p.notes] for p in paragraphs] == [
        ["A strong start."],
        ["A fine ending."],
    ]
    assert "A strong start." in page.text


def test_notes_follow_their_paragraph_when_the_text_moves(admin_client, client, link, draft):
    note(client, link, paragraph="1", text="Cats!")
    draft.body = "A new opening.\n\n" + BODY
    draft.save()
    page = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    (paragraph,) = page.context["inline_admin_formsets"][1].formset.paragraphs()
    assert (paragraph.number, paragraph.text) == (3, "A second, about cats.")


def test_notes_on_text_that_changed_are_kept_apart(admin_client, client, link, draft):
    note(client, link, paragraph="1", text="Cats!")
    draft.body = "All rewritten."
    draft.save()
    page = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    (paragraph,) = page.context["inline_admin_formsets"][1].formset.paragraphs()
    assert paragraph.number is None
    assert "On text that has changed since" in page.text
    assert "A second, about cats." in page.text  # the quote the reader saw


def test_the_writer_resolves_a_note(admin_client, client, link, draft):
    note(client, link)
    stored = ReaderNote.objects.get()
    data = {
        "title": draft.title,
        "slug": draft.slug,
        "date": draft.date.isoformat(),
        "status": draft.status,
        "external_link": "",
        "body": draft.body,
        "reader_notes-TOTAL_FORMS": "1",
        "reader_notes-INITIAL_FORMS": "1",
        "reader_notes-0-id": str(stored.pk),
        "reader_notes-0-post": str(draft.pk),
        "reader_notes-0-resolved": "on",
    }
    assert admin_client.post(f"/admin/blog/post/{draft.pk}/change/", data).status_code == 302
    stored.refresh_from_db()
    assert stored.resolved
    page = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    assert 'class="reader-note is-resolved"' in page.text
    assert "Show resolved notes" in page.text


def test_staff_who_may_not_change_essays_see_no_notes(viewer_client, client, link, draft):
    note(client, link, text="For the writer.")
    page = viewer_client.get(f"/admin/blog/post/{draft.pk}/change/")
    assert page.status_code == 200
    assert "For the writer." not in page.text
