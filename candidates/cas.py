"""University sign-in through the university's CAS (protocol 3, attributes), with django-cas-ng.

django-cas-ng validates the service ticket with the CAS server (``p3/serviceValidate``) and
handles single sign-out; this module decides what the answer means for pixcentre:

* :class:`UniversityCASBackend` renames the attributes (``CAS_RENAME_ATTRIBUTES``), reads them
  (candidates/directory.py) and makes or refreshes the account and its candidate record
  (candidates/services/linking/). It never copies attributes onto the user as they come.
* :class:`UniversityLoginView` / :class:`UniversityLogoutView` are django-cas-ng's views, off
  (404) when ``CAS_SERVER_URL`` is empty, and a refused sign-in shows its reason on a page of
  the centre instead of a bare 403.

It lives in ``candidates`` because a university sign-in attaches a candidate record, and a
lower app (``accounts``) may not import this one.
"""

import logging
from xml.etree.ElementTree import ParseError

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_cas_ng import views as cas_views
from django_cas_ng.backends import CASBackend
from django_cas_ng.signals import cas_user_authenticated
from django_cas_ng.utils import RedirectException, get_cas_client

from . import directory
from .backends import WithCandidate
from .services import linking

logger = logging.getLogger(__name__)
BACKEND = "candidates.cas.UniversityCASBackend"
ERROR_ATTRIBUTE = "_cas_refusal"


def enabled() -> bool:
    return bool(getattr(settings, "CAS_SERVER_URL", ""))


def signed_in_with_cas(request) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(BACKEND_SESSION_KEY) == BACKEND)


def _refuse(request, message: str) -> None:
    if request is not None:
        setattr(request, ERROR_ATTRIBUTE, message)


def renamed(attributes: dict | None) -> dict:
    """The attributes under pixcentre's (SUPANN) names, as ``CAS_RENAME_ATTRIBUTES`` says."""
    attributes = dict(attributes or {})
    for cas_name, ours in (getattr(settings, "CAS_RENAME_ATTRIBUTES", None) or {}).items():
        if cas_name in attributes and cas_name != ours:
            attributes[ours] = attributes.pop(cas_name)
    return attributes


class UniversityCASBackend(WithCandidate, CASBackend):
    """Authenticates a CAS 3 service ticket; see the module's docstring. The user of each
    request is read with their candidate record (``candidates.backends``)."""

    def authenticate(self, request, ticket, service):
        if not enabled():
            return None
        client = get_cas_client(service_url=service, request=request)
        try:
            username, attributes, pgtiou = client.verify_ticket(ticket)
        except (requests.RequestException, ParseError, IndexError) as exc:
            logger.warning("CAS ticket validation failed: %s", exc)
            _refuse(
                request,
                _(
                    "Le service d’authentification de l’université ne répond pas : réessayez dans "
                    "quelques minutes."
                ),
            )
            return None
        if not username:
            _refuse(
                request,
                _(
                    "L’université n’a pas confirmé votre connexion (ticket refusé ou expiré) : "
                    "recommencez."
                ),
            )
            return None
        attributes = renamed(attributes)
        try:
            person = directory.read_person(username, attributes)
            user = linking.sign_in_from_directory(person)
        except (directory.DirectoryError, linking.LinkingError) as exc:
            logger.info("CAS sign-in of %s refused: %s", username, exc)
            _refuse(request, str(exc))
            return None
        if not self.user_can_authenticate(user):
            _refuse(request, _("Ce compte est désactivé : le centre Pix peut vous aider."))
            return None
        cas_user_authenticated.send(
            sender=self,
            user=user,
            created=False,
            username=person.username,
            attributes=attributes,
            pgtiou=pgtiou,
            ticket=ticket,
            service=service,
            request=request,
        )
        return user


class UniversityLoginView(cas_views.LoginView):
    """To the CAS login page, and back with a ticket; single sign-out requests (POST) too,
    which the CAS server sends without a CSRF token (hence csrf_exempt, as django-cas-ng's)."""

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        # django-cas-ng checks ``next`` only when CAS_LOGIN_NEXT_PAGE is unset, which its own
        # defaults never leave it: without this, ?next= could send a student to another site
        # after signing in.
        next_url = request.GET.get("next", "")
        if next_url and not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect("home")
        try:
            return super().get(request)
        except RedirectException:  # refused by django-cas-ng's own check: start from home
            return redirect("home")
        except PermissionDenied:
            message = getattr(request, ERROR_ATTRIBUTE, "") or _(
                "La connexion université n’a pas abouti : recommencez."
            )
            return render(request, "account/cas_refused.html", {"message": message}, status=403)


class UniversityLogoutView(cas_views.LogoutView):
    """Signs out here, then at the university's CAS (which signs out its other services)."""

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if request.method == "GET":
            # Signing out changes state: only by the navigation bar's form (POST, CSRF).
            return render(request, "account/cas_logout.html")
        return super().get(request)
