"""Demo accounts: one per role, all verified, sharing one printed password."""

from allauth.account.models import EmailAddress

from .models import Role, User

DEMO_PASSWORD = "demo-pix-2026"  # noqa: S105 - a demo password, printed by seed_demo on purpose

# (email, role, first name, last name, what the account is for)
DEMO_ACCOUNTS = [
    ("gestionnaire@demo.pixcentre.fr", Role.ADMINISTRATOR, "Claire", "Gestion", "gestionnaire"),
    ("referent@demo.pixcentre.fr", Role.REFERENT, "Thierry", "Référent", "référent Pix"),
    ("surveillant@demo.pixcentre.fr", Role.INVIGILATOR, "Paul", "Surveillant", "surveillant"),
    ("etudiant@demo.pixcentre.fr", Role.CANDIDATE, "Léa", "Martin", "étudiante (L3)"),
    ("personnel@demo.pixcentre.fr", Role.CANDIDATE, "Marc", "Bernard", "personnel"),
    ("externe@demo.pixcentre.fr", Role.CANDIDATE, "Sophie", "Durand", "candidate externe"),
]


def ensure_user(email, role, first_name, last_name, password=DEMO_PASSWORD) -> User:
    """Create or refresh a verified account (idempotent)."""
    user, _created = User.objects.get_or_create(
        email=email, defaults={"role": role, "first_name": first_name, "last_name": last_name}
    )
    changed = user.role != role or not user.check_password(password)
    if changed:
        user.role = role
        user.set_password(password)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed(*, rng, stdout) -> list[tuple[str, str]]:
    for email, role, first, last, _label in DEMO_ACCOUNTS:
        ensure_user(email, role, first, last)
    return [(email, label) for email, _r, _f, _l, label in DEMO_ACCOUNTS]
