"""Authentication backends that read the signed-in user with their candidate record.

Every page of a candidate reads ``request.user.candidate`` (``sessions_app.access.candidate_of``,
``candidates.access.own_candidate``, the navigation): a reverse one-to-one, which Django reads
in a query of its own after the authentication middleware's user query. The backends here load
the user with ``select_related("candidate")`` instead: one query (a LEFT JOIN), and an account
without a candidate record (an administrator, a new account) has ``candidate`` cached as None,
so that asking costs nothing either.

The session keeps the dotted path of the backend that signed the user in, and Django ignores a
session whose path is no longer in ``AUTHENTICATION_BACKENDS``: the sessions signed in through
the library backends these replace are renamed by migration ``candidates 0008``.

This lives in ``candidates`` because the relation does (``Candidate.user``); the university's
CAS backend (``candidates.cas``) uses the same mixin.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model


class WithCandidate:
    """``get_user`` as Django's ``ModelBackend`` has it (the user by primary key, refused when
    ``user_can_authenticate`` says no: an inactive account), with the candidate record."""

    def _users(self):
        return get_user_model()._default_manager.select_related("candidate")

    def get_user(self, user_id):
        try:
            user = self._users().get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await self._users().aget(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(WithCandidate, backends.ModelBackend):
    """Django's: email and password, case as typed."""


class AuthenticationBackend(WithCandidate, allauth_backends.AuthenticationBackend):
    """allauth's: email (any case) and password; allauth's own login (after an email
    confirmation, a password reset) picks it as its own, being a subclass."""
