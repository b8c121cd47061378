"""The catalogue of audit actions: every ``AuditEntry.action`` is one of these, with a French
label (English in the catalogue) for the people who read the trail (``/journal/``).

The value is what is stored (unchanged from the free strings used before, so older rows keep
their label); ``accounts.audit.record`` refuses an action that is not here, and
``tests/accounts/test_audit_actions.py`` checks that every action written in the code is.
Adding an action: a line here, its English in ``django.po``, then ``record(AuditAction.X, ...)``.

One format per action: ``before``/``after`` are dicts of model field name → stored value (the
field of the audited object: ``{"status": "confirmed"}``), so that the journal shows each
with the field's label and the value's label.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # accounts
    USER_INVITED = "user.invited", _("Invitation d’un membre de l’équipe")
    USER_ROLE_CHANGED = "user.role_changed", _("Changement de rôle")
    USER_ACTIVATED = "user.activated", _("Réactivation d’un compte")
    USER_DEACTIVATED = "user.deactivated", _("Désactivation d’un compte")
    # candidates
    PROFILES_IMPORTED = "profiles_imported", _("Import des profils Pix Orga")
    UNITS_IMPORTED = "units_imported", _("Import des unités de préparation")
    IDENTITY_UPDATED = "identity_updated", _("Modification de l’identité")
    DELETION_REQUESTED = "deletion_requested", _("Demande de suppression des données")
    CANDIDATE_ANONYMISED = "candidate_anonymised", _("Anonymisation d’un candidat")
    CANDIDATE_MERGED = "candidate.merged", _("Fusion de deux fiches")
    CANDIDATE_LINKED = "candidate_linked", _("Fiche reliée à un compte")
    CANDIDATE_CREATED_FROM_DIRECTORY = (
        "candidate_created_from_directory",
        _("Fiche créée depuis l’annuaire de l’université"),
    )
    DIRECTORY_APPLIED = "directory_applied", _("Données de l’annuaire appliquées")
    DISCREPANCY_CHECKED = "discrepancy_checked", _("Écart avec l’annuaire vérifié")
    STUDY_YEAR_OVERRIDDEN = "study_year_overridden", _("Année d’études fixée par le gestionnaire")
    INVITATION_CREATED = "invitation_created", _("Invitation d’un candidat")
    ROSTER_IMPORTED = "roster_imported", _("Import d’une liste d’étudiants à inviter")
    # sessions and rooms
    SESSION_CREATED = "session_created", _("Création d’une session")
    SESSION_UPDATED = "session_updated", _("Modification d’une session")
    SESSION_STATUS = "session_status", _("Changement de statut d’une session")
    SESSION_RESCHEDULED = "session_rescheduled", _("Déplacement d’une session")
    SESSION_FINALISED = "session_finalised", _("Finalisation d’une session")
    ROOM_UPDATED = "room_updated", _("Modification d’une salle")
    HABILITATIONS_UPDATED = "habilitations_updated", _("Modification des habilitations du centre")
    PIX_CERTIF_EXPORTED = "pix_certif_exported", _("Export vers Pix Certif")
    # campaigns and registrations
    CAMPAIGN_CREATED = "campaign_created", _("Création d’une campagne")
    CAMPAIGN_UPDATED = "campaign_updated", _("Modification d’une campagne")
    CAMPAIGN_ALLOCATED = "campaign_allocated", _("Attribution des places d’une campagne")
    APPLICATION_WISHES = "application_wishes", _("Vœux d’une candidature")
    ALLOCATED = "allocated", _("Place attribuée par la campagne")
    FIRST_COME = "first_come", _("Inscription libre")
    BOOKING = "booking", _("Réservation externe")
    OVERRIDE = "override", _("Affectation par le gestionnaire")
    PROMOTED = "promoted", _("Place libérée attribuée depuis la liste d’attente")
    CANCELLED = "cancelled", _("Annulation d’une inscription")
    CANCELLED_WITH_SESSION = (
        "registration_cancelled_with_session",
        _("Inscription annulée avec sa session"),
    )
    MOVED_OUT = "moved_out", _("Inscription déplacée vers une autre session")
    NO_SHOW = "no_show", _("Absence du candidat")
    COMPLEMENTARY = "complementary", _("Choix de la certification complémentaire")
    PREPAID_CODE = "prepaid_code", _("Code prépayé")
    # convocations and results
    CONVOCATION_SENT = "convocation_sent", _("Convocation envoyée")
    CONVOCATION_RESEND = "convocation_resend", _("Convocation à renvoyer")
    CONVOCATION_ADDRESS_SET = "convocation_address_set", _("Adresse de convocation corrigée")
    RESULT_IMPORTED = "result_imported", _("Résultat importé")
    RESULT_UPDATED = "result_updated", _("Résultat mis à jour")
    # invigilation
    INVIGILATOR_PERIOD_DECLARED = "invigilator_period_declared", _("Disponibilité déclarée")
    INVIGILATOR_PERIOD_DELETED = "invigilator_period_deleted", _("Disponibilité retirée")
    INVIGILATOR_ASSIGNED = "invigilator_assigned", _("Surveillant affecté")
    INVIGILATOR_UNASSIGNED = "invigilator_unassigned", _("Surveillant retiré")
    ATTENDANCE_MARKED = "attendance_marked", _("Appel d’un candidat")
    INCIDENT_REPORTED = "incident_reported", _("Incident signalé")
    ATTENDANCE_SHEET_GENERATED = "attendance_sheet_generated", _("Feuille d’émargement produite")
    ATTENDANCE_SHEET_PURGED = (
        "attendance_sheet_purged",
        _("Feuille d’émargement supprimée (fin de conservation)"),
    )
    FRAUD_REPORT_PURGED = (
        "fraud_report_purged",
        _("Rapport de fraude supprimé (fin de conservation)"),
    )
    # billing
    FEE_DUE = "fee_due", _("Frais dus")
    FEE_PAID = "fee_paid", _("Paiement enregistré")
    FEE_REFUNDED = "fee_refunded", _("Remboursement enregistré")
    FEE_WAIVED = "fee_waived", _("Exonération des frais")
    FEE_CANCELLED = "fee_cancelled", _("Frais annulés")
    FEE_MOVED = "fee_moved", _("Frais reportés sur la nouvelle inscription")
    COST_PARAMETERS_REOPENED = "cost_parameters_reopened", _("Réouverture des paramètres de coûts")


def label(action: str) -> str:
    """The action's label, or the stored string for an action no longer in the catalogue."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action
