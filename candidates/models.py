"""Candidates: every person who may sit the certification.

A candidate may exist before they have an account (imported from Pix Orga); signing in links
the account. The full identity Pix needs, positioning profiles and preparation units are
described by the candidates issue.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CandidateKind(models.TextChoices):
    STUDENT = "student", _("Étudiant")
    STAFF = "staff", _("Personnel")
    EXTERNAL = "external", _("Externe")


class Candidate(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
        verbose_name=_("compte"),
    )
    kind = models.CharField(
        _("type de candidat"), max_length=10, choices=CandidateKind, default=CandidateKind.STUDENT
    )
    birth_name = models.CharField(_("nom de naissance"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    external_id = models.CharField(
        _("identifiant externe"),
        max_length=64,
        blank=True,
        help_text=_("Numéro étudiant pour les étudiants."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        ordering = ["birth_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="candidate_external_id_unique",
            )
        ]

    def __str__(self):
        return f"{self.birth_name.upper()} {self.first_name}"
