"""billing listens to sessions_app (which never imports billing): a confirmed seat of an
external candidate makes a fee due; a cancelled seat releases an unpaid fee.

``sessions_app`` sends no custom signal for bookings, so this is ``post_save`` on
``Registration``: it fires when a booking is created confirmed, when a waitlisted booking is
promoted, and when a registration (or its whole session) is cancelled. It runs inside the
sessions service's transaction, so the seat and its fee are written together.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender="sessions_app.Registration", dispatch_uid="billing_fee_for_seat")
def fee_for_registration(sender, instance, created=False, raw=False, update_fields=None, **kw):
    if raw:  # loaddata
        return
    if not created and update_fields is not None and "status" not in update_fields:
        return  # a saved detail (complementary, waitlist order…): nothing owed changes
    from sessions_app.models import RegistrationStatus

    from . import services

    if instance.status == RegistrationStatus.CONFIRMED:
        services.ensure_fee(instance)
    elif instance.status == RegistrationStatus.CANCELLED:
        services.release_unpaid_fee(instance)
