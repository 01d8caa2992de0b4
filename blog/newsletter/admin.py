"""The writer's view: subscribers (import, export, counts), each essay's delivery, the
"Email to subscribers" box on the essay form, and a preview with "Send a test to me".

The essay form belongs to blog/, which knows nothing of the newsletter: the box is added
here, to the admin registered for Post, by extending its form and fieldsets.
"""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.csp import CSP
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from blog.models import Post
from blog.newsletter import importing, site
from blog.newsletter.emails import EssayEmail
from blog.newsletter.models import Delivery, Mailing, Subscriber

DELIVERY_COUNTS = {
    status: Count("deliveries", filter=Q(deliveries__status=status))
    for status in Delivery.Status.values
}


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "created", "confirmed", "unsubscribed", "source"]
    list_filter = ["status", "source"]
    search_fields = ["email"]
    date_hierarchy = "created"
    readonly_fields = ["confirmation_sent", "failures"]
    list_per_page = 100
    change_list_template = "admin/newsletter/subscriber/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="newsletter_subscriber_import"),
            path("export/", view(self.export_view), name="newsletter_subscriber_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        counts = dict(Subscriber.objects.values_list("status").annotate(n=Count("pk")).order_by())
        statuses = [(label, counts.get(value, 0)) for value, label in Subscriber.Status.choices]
        context = {"status_counts": statuses, **(extra_context or {})}
        return super().changelist_view(request, context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = importing.import_csv(upload.read(), source=f"import: {upload.name}")
            except importing.UnreadableFileError as error:
                form.add_error("file", str(error))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import subscribers",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/newsletter/subscriber/import.html", context)

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        subscribers = Subscriber.objects.order_by("pk").iterator(chunk_size=2000)
        response = StreamingHttpResponse(
            importing.export_rows(subscribers), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        response["Cache-Control"] = "private, no-store"
        return response


class ImportForm(forms.Form):
    MAX_BYTES = 50 * 1024 * 1024
    file = forms.FileField(
        label="CSV file",
        help_text="An export from Substack, Buttondown or Ghost, or any CSV with an "
        "“email” column. Addresses already here are skipped.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is over 50 MB: split it and import each part.")
        return upload


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    """Each essay's email: whether it goes out, when it was queued, what became of it."""

    list_display = ["post", "send", "queued", "queued_count", "sent_count", "failed_count"]
    list_select_related = ["post"]
    readonly_fields = ["post", "queued", "deliveries_summary"]
    fields = ["post", "send", "queued", "deliveries_summary"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the essay's form

    def get_queryset(self, request: HttpRequest):
        counts = {f"n_{status}": count for status, count in DELIVERY_COUNTS.items()}
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description="queued")
    def queued_count(self, mailing: Mailing) -> int:
        return _count(mailing, "queued") + _count(mailing, "sending")

    @admin.display(description="sent")
    def sent_count(self, mailing: Mailing) -> int:
        return _count(mailing, "sent")

    @admin.display(description="failed")
    def failed_count(self, mailing: Mailing) -> int:
        return _count(mailing, "failed")

    @admin.display(description="deliveries")
    def deliveries_summary(self, mailing: Mailing) -> str:
        return delivery_summary(mailing)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/<int:post_id>/", view(self.preview_view), name="newsletter_preview"),
            path(
                "preview/<int:post_id>/email/",
                view(self.email_view),
                name="newsletter_preview_email",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, post_id: int) -> HttpResponse:
        """The email as subscribers will get it, and "Send a test to me"."""
        post = self._post(request, post_id)
        essay = EssayEmail.of(post)
        if request.method == "POST":
            return self._send_test(request, post, essay)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Email: {post.title}",
            "post": post,
            "essay": essay,
            "sender": site.sender(),
        }
        return TemplateResponse(request, "admin/newsletter/preview.html", context)

    def _send_test(self, request: HttpRequest, post: Post, essay: EssayEmail) -> HttpResponse:
        email = getattr(request.user, "email", "")  # staff: a signed-in user
        if not email:
            self.message_user(
                request,
                "Your account has no email address: add one to your user first.",
                messages.ERROR,
            )
        else:
            message = essay.to(email, 0, mail.make_msgid(domain=site.domain()))
            message.subject = f"[Test] {message.subject}"
            try:
                message.send()
            except Exception as error:
                self.message_user(request, f"The test was not sent: {error}", messages.ERROR)
            else:
                self.message_user(request, f"A test was sent to {email}.")
        return redirect("admin:newsletter_preview", post_id=post.pk)

    @xframe_options_sameorigin
    @csp_override(
        {
            "default-src": [CSP.NONE],
            # The email's styles are inline: that is what css-inline is for.
            "style-src": [CSP.UNSAFE_INLINE],
            "img-src": [CSP.SELF, "https:", "http:"],
            "frame-ancestors": [CSP.SELF],
        }
    )
    def email_view(self, request: HttpRequest, post_id: int) -> HttpResponse:
        """The email's HTML, shown in a sandboxed frame of the preview."""
        return HttpResponse(EssayEmail.of(self._post(request, post_id)).html)

    def _post(self, request: HttpRequest, post_id: int) -> Post:
        if not request.user.has_perm("blog.change_post"):
            raise PermissionDenied
        return get_object_or_404(Post, pk=post_id)


def delivery_summary(mailing: Mailing) -> str:
    counts = dict(mailing.deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    queued = counts.get("queued", 0) + counts.get("sending", 0)
    parts = [f"{counts.get('sent', 0)} sent", f"{queued} queued"]
    parts.append(f"{counts.get('failed', 0)} failed")
    if counts.get("cancelled"):
        parts.append(f"{counts['cancelled']} unsubscribed before it was sent")
    return ", ".join(parts)


# The "Email to subscribers" box on the essay form.


def default_send(post: Post) -> bool:
    """On for essays, off for link posts and for essays readers already have."""
    if post.external_link:
        return False
    return post.pk is None or not Post.objects.published().filter(pk=post.pk).exists()


class EmailToSubscribersForm(forms.ModelForm):
    email_subscribers = forms.BooleanField(label="Email to subscribers", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("email_subscribers")
        if field is None:
            return
        post = self.instance
        mailing = Mailing.objects.filter(post=post).first() if post.pk else None
        field.initial = mailing.send if mailing else default_send(post)
        field.help_text = (
            "Emailed to confirmed subscribers when published (on its date if scheduled). "
            "Link posts only if ticked after their first save."
        )
        if post.pk:
            field.help_text += format_html(
                ' <a href="{}">Preview the email, send a test to me</a>',
                reverse("admin:newsletter_preview", kwargs={"post_id": post.pk}),
            )
        if mailing and mailing.queued:
            field.disabled = True
            field.help_text = format_html(
                "Emailed on {}: {}. It is never sent again.",
                date_format(mailing.queued, "DATETIME_FORMAT"),
                delivery_summary(mailing),
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if (
            self.instance.pk is None
            and cleaned.get("external_link")
            and "email_subscribers" not in self.changed_data
        ):
            cleaned["email_subscribers"] = False  # link posts: off unless asked for
        return cleaned

    def _save_m2m(self) -> None:
        cast(Any, super())._save_m2m()  # Django's, not in django-stubs
        field = self.fields.get("email_subscribers")
        if field is not None and not field.disabled:
            send = self.cleaned_data.get("email_subscribers", False)
            Mailing.objects.update_or_create(post=self.instance, defaults={"send": send})


def _count(mailing: Mailing, status: str) -> int:
    """A delivery count the change list annotates (MailingAdmin.get_queryset)."""
    count: int = getattr(mailing, f"n_{status}")
    return count


@admin.display(description="Email to subscribers")
def email_subscribers(post: Post) -> str:
    """The box as staff who may only view essays see it."""
    mailing = Mailing.objects.filter(post=post).first()
    if mailing is None or not mailing.send:
        return "No"
    return f"Emailed: {delivery_summary(mailing)}" if mailing.queued else "Yes, when published"


post_admin = admin.site.get_model_admin(Post)
post_admin.form = type("PostAdminForm", (EmailToSubscribersForm, post_admin.form), {})
# Set on the registered instance (setattr: the class attributes are the essay's own).
setattr(  # noqa: B010
    post_admin,
    "fieldsets",
    [*(post_admin.fieldsets or ()), ("Newsletter", {"fields": ["email_subscribers"]})],
)
setattr(post_admin, "email_subscribers", email_subscribers)  # noqa: B010
