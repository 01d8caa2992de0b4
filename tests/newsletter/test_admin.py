"""The writer's view: subscribers (counts, CSV in and out, deletion), the essay form's box,
each essay's delivery, and the preview with "Send a test to me"."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from blog.newsletter.models import Delivery, Mailing, Subscriber
from tests.conftest import post_form

pytestmark = pytest.mark.django_db

SUBSTACK = (
    "email,active_subscription,expiry,plan,email_disabled,created_at\n"
    "ada@example.com,false,,,false,2021-03-04T05:06:07.000Z\n"
    "gone@example.com,false,,,true,2021-03-05T05:06:07.000Z\n"
)
BUTTONDOWN = (
    "id,email,creation_date,notes,subscriber_type\n"
    "1,bea@example.com,2022-01-02 03:04:05.123456+00:00,,regular\n"
    "2,left@example.com,2022-01-02 03:04:05+00:00,,unsubscribed\n"
)
GHOST = (
    "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,"
    "created_at,deleted_at,labels,tiers\n"
    "abc,cy@example.com,Cy,,true,false,,2023-05-06T07:08:09.000Z,,,\n"
    "def,quiet@example.com,Q,,false,false,,2023-05-06T07:08:09.000Z,,,\n"
)


def upload(admin_client, text: str, name: str = "export.csv"):
    data = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return admin_client.post("/admin/newsletter/subscriber/import/", {"file": data})


@pytest.mark.parametrize(
    ("export", "confirmed", "unsubscribed"),
    [
        (SUBSTACK, "ada@example.com", "gone@example.com"),
        (BUTTONDOWN, "bea@example.com", "left@example.com"),
        (GHOST, "cy@example.com", "quiet@example.com"),
    ],
)
def test_import_reads_substack_buttondown_and_ghost(admin_client, export, confirmed, unsubscribed):
    response = upload(admin_client, export)
    assert response.status_code == 200
    assert "2 subscribers added" in response.content.decode()
    assert Subscriber.objects.get(email=confirmed).status == "confirmed"
    assert Subscriber.objects.get(email=unsubscribed).status == "unsubscribed"
    assert Subscriber.objects.get(email=confirmed).created.year in {2021, 2022, 2023}


def test_import_skips_duplicates_and_reports_bad_rows_by_line(admin_client):
    Subscriber.objects.create(email="Ada@Example.com", status="unsubscribed")
    text = "email,name\nada@example.com,\nnew@example.com,\nbad,\n\nNEW@example.com,\n,Nobody\n"
    page = upload(admin_client, text).content.decode()
    assert "1 subscriber added, 2 already here (skipped), 2 rows not imported" in page
    assert "line 4: “bad” is not an email address" in page
    assert "line 7: “” is not an email address" in page
    # What was already here is left as it was: an unsubscribed reader stays unsubscribed.
    assert Subscriber.objects.get(email__iexact="ada@example.com").status == "unsubscribed"
    assert Subscriber.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,date\nAda,2020-01-01\n", "line 1: no email column"),
        ("\n", "line 1: no email column"),
        ("\udcff", "not UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused_with_nothing_written(admin_client, text, message):
    data = text.encode("utf-8", "surrogateescape")
    file = SimpleUploadedFile("x.csv", data, content_type="text/csv")
    page = admin_client.post("/admin/newsletter/subscriber/import/", {"file": file})
    assert message in page.content.decode()
    assert not Subscriber.objects.exists()


def test_export_writes_every_subscriber_as_csv(admin_client):
    Subscriber.objects.create(email="ada@example.com", status="confirmed")
    Subscriber.objects.create(email="=cmd@example.com", status="pending")
    response = admin_client.get("/admin/newsletter/subscriber/export/")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["email"] for row in rows} == {"ada@example.com", "'=cmd@example.com"}
    assert {row["status"] for row in rows} == {"confirmed", "pending"}
    # And it imports back.
    Subscriber.objects.all().delete()
    upload(admin_client, "email,status\nada@example.com,confirmed\n")
    assert Subscriber.objects.get().email == "ada@example.com"


def test_the_list_shows_counts_by_status_and_a_subscriber_can_be_deleted(admin_client):
    reader = Subscriber.objects.create(email="ada@example.com", status="confirmed")
    Subscriber.objects.create(email="bea@example.com", status="pending")
    page = admin_client.get("/admin/newsletter/subscriber/").content.decode()
    assert "1 pending · 1 confirmed · 0 unsubscribed · 0 failing" in page
    assert "Import CSV" in page
    assert "Export CSV" in page
    response = admin_client.post(
        f"/admin/newsletter/subscriber/{reader.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Subscriber.objects.filter(email="ada@example.com").exists()


def test_staff_without_permission_can_neither_see_nor_import(staff_client):
    assert staff_client.get("/admin/newsletter/subscriber/").status_code == 403
    assert staff_client.get("/admin/newsletter/subscriber/export/").status_code == 403
    assert staff_client.post("/admin/newsletter/subscriber/import/").status_code == 403


def test_the_essay_form_has_the_box_ticked_for_a_new_essay(admin_client):
    page = admin_client.get("/admin/blog/post/add/").content.decode()
    (box,) = re.findall(r"<input[^>]*name=\"email_subscribers\"[^>]*>", page)
    assert re.search(r"\bchecked\b", box)


def test_saving_stores_the_choice_and_link_posts_are_off_unless_asked(admin_client):
    admin_client.post("/admin/blog/post/add/", post_form(slug="essay", email_subscribers="on"))
    link = post_form(slug="link", external_link="https://example.org/", email_subscribers="on")
    admin_client.post("/admin/blog/post/add/", link)
    admin_client.post("/admin/blog/post/add/", post_form(slug="unticked"))
    sends = dict(Mailing.objects.values_list("post__slug", "send"))
    assert sends == {"essay": True, "link": False, "unticked": False}


def test_an_essay_already_public_is_not_ticked_by_default(admin_client, make_post):
    post = make_post()  # published before the newsletter knew it
    page = admin_client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    (box,) = re.findall(r"<input[^>]*name=\"email_subscribers\"[^>]*>", page)
    assert not re.search(r"\bchecked\b", box)


def test_a_sent_essay_shows_its_delivery_and_the_box_is_locked(admin_client, make_post):
    post = make_post()
    mailing = Mailing.objects.create(post=post, send=True, queued=timezone.now())
    for n, status in enumerate(["sent", "sent", "failed", "queued"]):
        reader = Subscriber.objects.create(email=f"r{n}@example.com", status="confirmed")
        Delivery.objects.create(mailing=mailing, subscriber=reader, status=status)
    page = admin_client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert "2 sent, 1 queued, 1 failed" in page
    assert "never sent again" in page
    (box,) = re.findall(r"<input[^>]*name=\"email_subscribers\"[^>]*>", page)
    assert re.search(r"\bdisabled\b", box)
    listing = admin_client.get("/admin/newsletter/mailing/").content.decode()
    assert post.title in listing


def test_view_only_staff_see_the_essay_form(client, django_user_model, make_post):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(user)
    post = make_post()
    assert client.get(f"/admin/blog/post/{post.pk}/change/").status_code == 200
    assert client.get(f"/admin/newsletter/mailing/preview/{post.pk}/").status_code == 403


def test_the_preview_shows_the_email_and_sends_a_test_to_the_writer(
    admin_client, admin_user, make_post, inbox
):
    post = make_post(title="On previews", body="Words[^1].\n\n[^1]: A note.")
    page = admin_client.get(f"/admin/newsletter/mailing/preview/{post.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "On previews" in html
    assert "Send a test to me (admin@example.com)" in html
    assert "<iframe" in html
    assert " sandbox" in html
    frame = admin_client.get(f"/admin/newsletter/mailing/preview/{post.pk}/email/")
    assert "style-src 'unsafe-inline'" in frame["Content-Security-Policy"]
    assert "script-src" not in frame["Content-Security-Policy"]
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert 'style="' in frame.content.decode()
    response = admin_client.post(f"/admin/newsletter/mailing/preview/{post.pk}/")
    assert response.status_code == 302
    (message,) = inbox.messages
    assert message["To"] == "admin@example.com"
    assert message["Subject"] == "[Test] On previews"
    assert not Subscriber.objects.exists()  # a test goes to the writer only
