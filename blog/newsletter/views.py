"""The reader's side: sign up, confirm with a button, leave with one click.

These POSTs are exempt from CSRF, each for its reason: the sign-up form is on cached public
pages, which can't carry a per-visitor token, and a forged sign-up only asks the address
to confirm; confirming and unsubscribing are authorised by the signed token in the URL,
not by a session, and RFC 8058 has mail clients POST the unsubscribe link with no cookie.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from blog.newsletter import subscriptions, tokens
from blog.newsletter.forms import SubscribeForm
from blog.newsletter.subscriptions import Admission


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return redirect("newsletter:subscribe_sent")
        email = form.cleaned_data["email"]
        admission = subscriptions.admit(request, email)
        if admission is Admission.CLIENT_LIMIT:
            context = {"form": form, "title": "Subscribe", "limited": True}
            return render(request, "newsletter/subscribe.html", context, status=429)
        if admission is Admission.OK:
            subscriptions.sign_up(email)
        return redirect("newsletter:subscribe_sent")
    response = render(request, "newsletter/subscribe.html", {"form": form, "title": "Subscribe"})
    if form.is_bound:
        response["Cache-Control"] = "private, no-store"
    return response


def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/subscribe_sent.html", {"title": "Check your inbox"})


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST it sends confirms (mail scanners follow links)."""
    subscriber = tokens.confirming(token)
    if subscriber is None:
        return _invalid(request, "This confirmation link has expired or is not valid.")
    if request.method == "POST":
        subscriptions.confirm(subscriber)
        return render(request, "newsletter/confirmed.html", {"title": "Subscribed"})
    context = {"title": "Confirm", "subscriber": subscriber}
    return render(request, "newsletter/confirm.html", context)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """POST (RFC 8058 one-click, or the page's button) unsubscribes at once; GET shows
    the button, and a way back for those who left."""
    subscriber = tokens.unsubscribing(token)
    if subscriber is None:
        return _invalid(request, "This unsubscribe link is not valid.")
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            # The token came in an email to this address: that is confirmation enough.
            subscriptions.confirm(subscriber)
        else:
            subscriptions.unsubscribe(subscriber)
    context = {"title": "Your subscription", "subscriber": subscriber, "token": token}
    return render(request, "newsletter/unsubscribe.html", context)


def _invalid(request: HttpRequest, message: str) -> HttpResponse:
    context = {"title": "Link not valid", "message": message, "form": SubscribeForm()}
    return render(request, "newsletter/invalid_link.html", context, status=400)
