"""One way to fail: the base of every error a rule of the centre raises, and the one place a
view turns such an error into something the person reads.

A service refuses with a subclass of :class:`DomainError` (``SessionError``, ``BillingError``,
...) and a translated sentence, French first. A view never formats the error itself: it calls
:func:`refused` (a message on the next page), :func:`refuse_form` (an error on the form that is
shown again) or :func:`act` (call, then a success or the refusal). Code that needs no database
(the Pix file readers) raises plain ``ValueError`` subclasses of its own; the service that
reads the file turns them into a domain refusal.
"""

from collections.abc import Callable

from django.contrib import messages


class DomainError(Exception):
    """A rule of the centre refuses the request. ``message`` is the sentence for the person
    who asked, in the language that was active when it was raised."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


def refused(request, error: DomainError) -> None:
    """Show a refusal on the page the person goes to next."""
    messages.error(request, error.message)


def refuse_form(form, error: DomainError, field: str | None = None) -> None:
    """Show a refusal on the form shown again (on ``field``, or above the fields)."""
    form.add_error(field, error.message)


def act(request, call: Callable[[], object], success: str) -> bool:
    """Run one service call for an action button: a success message, or the refusal."""
    try:
        call()
    except DomainError as error:
        refused(request, error)
        return False
    messages.success(request, success)
    return True
