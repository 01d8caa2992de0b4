"""Readers subscribe by email; each essay is delivered once to every confirmed reader.

Its own app (label "newsletter"): essays know nothing of it. It listens to their saves
(tasks.essay_saved) and adds its box to their admin form (admin.py).

    models.py         Subscriber, Mailing (an essay's email: whether, when), Delivery
    subscriptions.py  sign-up rules: double opt-in, rate limits, no disclosure
    views.py, urls.py /subscribe/, the confirm button, one-click unsubscribe (RFC 8058)
    tokens.py         signed links for confirming and unsubscribing
    emails.py         the messages: the essay inlined with the site's typography
    plaintext.py      the plain-text part
    tasks.py          the work outside the request (django.tasks, django-tasks-db)
    sending.py        exactly-once delivery: claims, retries, back-off, rate limit
    importing.py      CSV in (Substack, Buttondown, Ghost) and out
    site.py           the site's name, address and sender, read in one place
"""
