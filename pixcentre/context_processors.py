from django.conf import settings


def centre(request):
    """What every page shows of the centre itself."""
    from .accessibility import footer_context

    return {
        **footer_context(),
        "centre_name": settings.PIX_CENTRE_NAME,
        "centre_contact_email": settings.PIX_CENTRE_CONTACT_EMAIL,
    }
