from django.conf import settings
from django.utils.translation import gettext as _


def centre(request):
    """What every page shows of the centre itself."""
    from .accessibility import footer_context

    return {
        **footer_context(),
        "centre_name": settings.PIX_CENTRE_NAME,
        "centre_contact_email": settings.PIX_CENTRE_CONTACT_EMAIL,
        **university_sign_in(request),
    }


def university_sign_in(request) -> dict:
    """The login page's university button, and the sign-out that goes through CAS."""
    from candidates import cas

    if not cas.enabled():
        return {"cas_enabled": False, "cas_signed_in": False}
    return {
        "cas_enabled": True,
        "cas_login_label": settings.CAS_LOGIN_LABEL or _("Se connecter avec mon compte université"),
        "cas_signed_in": cas.signed_in_with_cas(request),
    }
