"""The Pix referential: 5 areas, 16 competences (annex 1 of the French seed).

Loaded by migration ``0002_load_referential`` from ``competences/data/competences.json``.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class _Bilingual(models.Model):
    code = models.CharField(_("code"), max_length=5, unique=True)
    title_fr = models.CharField(_("intitulé (français)"), max_length=200)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        """The title in the active language (French unless English is chosen)."""
        return self.title_en if (get_language() or "fr").startswith("en") else self.title_fr


class Area(_Bilingual):
    class Meta(_Bilingual.Meta):
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")


class Competence(_Bilingual):
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="competences", verbose_name=_("domaine")
    )
    description_fr = models.TextField(_("description"))
    themes_fr = models.JSONField(_("thématiques associées"), default=list)

    class Meta(_Bilingual.Meta):
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
