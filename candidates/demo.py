"""Demo candidates: the candidate records of the demo accounts."""

from accounts.models import User

from .models import Candidate, CandidateKind

DEMO_CANDIDATES = [
    ("etudiant@demo.pixcentre.fr", CandidateKind.STUDENT, "MARTIN", "Léa", "21950001"),
    ("personnel@demo.pixcentre.fr", CandidateKind.STAFF, "BERNARD", "Marc", ""),
    ("externe@demo.pixcentre.fr", CandidateKind.EXTERNAL, "DURAND", "Sophie", ""),
]


def seed(*, rng, stdout):
    for email, kind, birth_name, first_name, external_id in DEMO_CANDIDATES:
        user = User.objects.get(email=email)
        Candidate.objects.update_or_create(
            user=user,
            defaults={
                "kind": kind,
                "birth_name": birth_name,
                "first_name": first_name,
                "external_id": external_id,
            },
        )
