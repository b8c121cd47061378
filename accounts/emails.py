"""Emails to people: written as templates, rendered in the reader's language, sent by a task
once the change that needs them is committed. Every email of the centre goes through here.

Writing a new email (see docs/architecture.md, "Emails"):

1. Templates in the app, under ``<app>/templates/<app>/emails/``: ``<name>_subject.txt`` (one
   line), ``<name>.txt`` (the text, ending with ``{% include "emails/_signature.txt" %}``) and,
   where a layout helps (a link, a list), ``<name>.html`` extending ``emails/base.html``.
   French source strings in ``{% blocktranslate %}`` / ``{% translate %}``; text templates are
   rendered without HTML escaping.
2. Queue it: ``send_templated_email(to, "<app>/emails/<name>", context, language=...)`` in the
   service, inside its transaction. The language is the reader's (``language_of(user)``), never
   the language of the request that caused the email: an administrator working in French
   writes to an English-speaking candidate in English.
3. Emails with attachments (a convocation PDF) build the message with :func:`render_email` and
   :func:`build_message` in their own task, which attaches the stored file.

Rendering happens at queue time, in the reader's language; the task (``accounts.tasks.send_email``)
only sends, with bounded retries (:func:`send_backoff`). ``emails_suppressed()`` (the demo)
queues nothing. A request whose time matters most (the apply POST of a registration opening,
issue 17) queues its own task instead, published by the outbox's sweep a few seconds later,
which builds the context and renders the email there
(``sessions_app.tasks.acknowledge_application``); the task sends with :func:`send_or_retry`
(``accounts.tasks``).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

from outbox.dispatch import enqueue

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

_suppressed = contextvars.ContextVar("emails_suppressed", default=False)


@dataclasses.dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str | None = None


def language_of(user) -> str:
    """The language a person reads: their preference, French when unknown or unsupported."""
    language = getattr(user, "preferred_language", "") if user is not None else ""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def send_backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 1, 2, 4, 8 minutes… capped at 15."""
    return min(60 * 2**retries, 900)


@contextlib.contextmanager
def emails_suppressed():
    """Demo data is made through the services without writing to anybody."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def emails_are_suppressed() -> bool:
    """True inside ``emails_suppressed()``: for a task-sent email built by hand (attachments)
    that must honour the demo's silence too."""
    return _suppressed.get()


def _render(name: str, context: dict, *, escape: bool) -> str:
    template = get_template(name).template  # the Django template under the backend wrapper
    return template.render(Context(context, autoescape=escape))


def render_email(template: str, context: dict, *, language: str, prefixed: bool = True) -> Email:
    """Render ``<template>_subject.txt``, ``<template>.txt`` and, if it exists,
    ``<template>.html`` in ``language``. The subject is one line, with the site's prefix
    (``ACCOUNT_EMAIL_SUBJECT_PREFIX``) unless ``prefixed=False`` (a subject that translates its
    own prefix, as the invitation does)."""
    context = {
        "centre_name": settings.PIX_CENTRE_NAME,
        "centre_contact": settings.PIX_CENTRE_CONTACT_EMAIL,
        "site_url": settings.PIX_SITE_URL.rstrip("/"),
        **context,
    }
    with translation.override(language):
        subject = " ".join(_render(f"{template}_subject.txt", context, escape=False).split())
        text = _render(f"{template}.txt", context, escape=False).strip() + "\n"
        try:
            html = _render(f"{template}.html", context, escape=True)
        except TemplateDoesNotExist:
            html = None
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX if prefixed else ""
    return Email(f"{prefix}{subject}", text, html)


def build_message(email: Email, to: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(email.subject, email.text, None, [to])
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


def send_templated_email(to: str, template: str, context: dict, *, language: str) -> bool:
    """Render the email now, in ``language``, and send it from a task once the current
    transaction commits (a rolled-back change sends nothing; a slow mail server never fails the
    request). False when there is nobody to write to or emails are suppressed."""
    if not to or _suppressed.get():
        return False
    email = render_email(template, context, language=language)
    enqueue("accounts.tasks.send_email", email.subject, email.text, to, html=email.html)
    return True
