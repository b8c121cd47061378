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


# The users and roles page shows more than one person per role: a second administrator, an
# invigilator invited who has not chosen a password yet, and a former one deactivated.
# (email, role, first name, last name, active, has chosen a password)
DEMO_STAFF = [
    ("adjoint.gestion@demo.pixcentre.fr", Role.ADMINISTRATOR, "Karim", "Benali", True, True),
    ("nina.garde@demo.pixcentre.fr", Role.INVIGILATOR, "Nina", "Garde", True, False),
    ("ancien.surveillant@demo.pixcentre.fr", Role.INVIGILATOR, "Éric", "Boyer", False, True),
]


def seed(*, rng, stdout) -> list[tuple[str, str]]:
    for email, role, first, last, _label in DEMO_ACCOUNTS:
        ensure_user(email, role, first, last)
    for email, role, first, last, active, with_password in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"role": role, "first_name": first, "last_name": last, "is_active": active},
        )
        if created:
            if with_password:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()  # invited: the email link chooses it
            user.save()
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
    return [(email, label) for email, _r, _f, _l, label in DEMO_ACCOUNTS]
