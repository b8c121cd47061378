"""One way to fail: every domain error derives from DomainError, and views show it through
pixcentre.errors only."""

import ast
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.services import AccountError
from billing.services import BillingError
from candidates.services import CandidateError
from pixcentre.errors import DomainError, act, refuse_form, refused
from sessions_app.services import SessionError
from sessions_app.services.convocations import ConvocationError
from sessions_app.services.invigilation import InvigilationError
from sessions_app.services.results import ResultsImportError

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "competences", "candidates", "sessions_app", "billing", "pixcentre"]


def request_with_messages():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(
    "error",
    [
        AccountError,
        BillingError,
        CandidateError,
        SessionError,
        InvigilationError,
        ConvocationError,
        ResultsImportError,
    ],
)
def test_every_domain_error_derives_from_the_one_base(error):
    assert issubclass(error, DomainError)


def test_the_message_is_translated_when_the_error_is_raised():
    """A lazy message is read in the language of the request that raised it."""
    message = gettext_lazy("Moyen de paiement inconnu.")
    with translation.override("en"):
        assert BillingError(message).message == "Unknown payment method."
    with translation.override("fr"):
        assert str(BillingError(message)) == "Moyen de paiement inconnu."


def test_act_shows_the_success_or_the_refusal_and_lets_other_errors_through():
    request = request_with_messages()
    assert act(request, lambda: None, "Fait.") is True

    def refuse():
        raise BillingError("Moyen de paiement inconnu.")

    assert act(request, refuse, "Fait.") is False
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("success", "Fait."),
        ("error", "Moyen de paiement inconnu."),
    ]

    def crash():
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        act(request, crash, "Fait.")


def test_refused_and_refuse_form_say_the_same_sentence():
    from django import forms

    class Form(forms.Form):
        email = forms.EmailField()

    form = Form({"email": "a@b.fr"})
    assert form.is_valid()
    refuse_form(form, AccountError("Un compte existe déjà."), "email")
    assert form.errors == {"email": ["Un compte existe déjà."]}
    request = request_with_messages()
    refused(request, CandidateError("Non."))
    assert [m.message for m in get_messages(request)] == ["Non."]


def view_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.name == "views.py" or "views" in path.parent.parts[-1:]:
                yield path


def test_no_form_class_is_defined_in_a_view_module():
    """Forms live in forms.py (a view module that defines one is a form nobody finds)."""
    found = []
    for path in view_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "attr", getattr(base, "id", "")).endswith("Form")
                for base in node.bases
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert found == []


def test_no_view_formats_a_domain_error_itself():
    """A view hands what it caught to pixcentre.errors: no handler puts ``e.message`` or
    ``str(e)`` in a message or a form error itself (comparing the sentence is fine)."""
    shown_by = {"debug", "info", "success", "warning", "error", "add_error"}
    found = []
    for path in view_modules():
        for handler in ast.walk(ast.parse(path.read_text())):
            if not isinstance(handler, ast.ExceptHandler) or not handler.name:
                continue
            for call in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
                if not (
                    isinstance(call, ast.Call) and getattr(call.func, "attr", None) in shown_by
                ):
                    continue
                for node in (n for arg in call.args for n in ast.walk(arg)):
                    reads_message = (
                        isinstance(node, ast.Attribute)
                        and node.attr == "message"
                        and getattr(node.value, "id", None) == handler.name
                    )
                    formats = (
                        isinstance(node, ast.Call)
                        and getattr(node.func, "id", None) == "str"
                        and node.args
                        and getattr(node.args[0], "id", None) == handler.name
                    )
                    if reads_message or formats:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
