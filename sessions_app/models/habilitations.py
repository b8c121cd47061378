"""The centre's habilitations: which complementary certifications Pix allows it to offer.

They decide the columns of its Pix Certif files (Pix refuses a file whose complementary columns
are not exactly the centre's), which certifications a session may offer and so which one a
candidate may choose. An administrator edits them in the application
(``services.habilitations.set_habilitations``, audited). A new centre has none.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .sessions import Complementary


class Habilitation(models.Model):
    code = models.CharField(
        _("certification complémentaire"), max_length=10, choices=Complementary, unique=True
    )
    granted_at = models.DateTimeField(_("enregistrée le"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )

    class Meta:
        verbose_name = _("habilitation du centre")
        verbose_name_plural = _("habilitations du centre")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__in=Complementary.values), name="habilitation_code_valid"
            )
        ]

    def __str__(self):
        return self.get_code_display()


def habilitated_codes() -> list[str]:
    """The centre's habilitations, in Pix's column order (``Complementary``'s)."""
    granted = set(Habilitation.objects.values_list("code", flat=True))
    return [code for code in Complementary.values if code in granted]


def habilitated_labels() -> tuple[str, ...]:
    return tuple(Complementary(code).label for code in habilitated_codes())
