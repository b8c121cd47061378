"""Who may reach a page, decided in one place.

Views say which roles they serve with ``@role_required(...)`` (or ``RoleRequiredMixin``);
nothing else in the code tests ``is_staff``. An anonymous visitor is sent to the login page, a
signed-in user of another role gets 403. Access to one object (a candidate's profile, a
session) is decided by the helper of that object's app (``candidates/access.py``…), which
answers 404 for objects a user may not even know exist.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Role

STAFF_ROLES = (Role.ADMINISTRATOR, Role.REFERENT)


def has_role(user, *roles) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in roles)


def role_required(*roles):
    """Decorator for function views: anonymous → login, other roles → 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorator


class RoleRequiredMixin:
    """Class-based views: set ``allowed_roles``."""

    allowed_roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, *self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
