"""Demo accounts, one per role, all with the documented demo password."""

from sqlalchemy import select

from app.auth.models import User, UserRole
from app.auth.services import hash_password
from app.core.models import utcnow
from app.trials.api import Site

DEMO_PASSWORD = "Demo-Ensayo-2026"

DEMO_USERS = [
    ("admin@demo.example", "Admin Demo", ["admin"], "es"),
    ("logistica@demo.example", "Lucía Navarro (logística)", ["logistics"], "es"),
    ("farmacia@demo.example", "Pablo Ortega (farmacia de sitio)", ["site"], "es"),
    ("ciego@demo.example", "Irene Campos (farmacéutica no ciega)", ["unblinded"], "es"),
    ("qp@demo.example", "Dr. Tomás Rivas (QP)", ["qp"], "es"),
    ("finanzas@demo.example", "Marta Gil (finanzas)", ["finance"], "es"),
    ("finanzas2@demo.example", "Raúl Pardo (finanzas)", ["finance"], "es"),
    ("monitor@demo.example", "Sarah Collins (monitor)", ["monitor"], "en"),
]

# The site user works at the first site of the oral trial and of the CAR-T trial.
SITE_USER_SITES = [("ONC-2024-017", "001"), ("CART-2025-003", "001")]


def seed_users(session, trials, report):
    """Create the demo accounts if missing; return them by e-mail."""
    users = {}
    password_hash = None
    for email, name, roles, language in DEMO_USERS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(email=email, full_name=name, language=language,
                        password_hash=password_hash, password_changed_at=utcnow())
            user.role_links = [UserRole(role=r) for r in roles]
            session.add(user)
            report.append(f"created user {email} ({', '.join(roles)})")
        users[email] = user
    site_user = users["farmacia@demo.example"]
    if not site_user.sites:
        site_user.sites = [
            session.scalar(select(Site).where(Site.trial_id == trials[code].id,
                                              Site.site_number == number))
            for code, number in SITE_USER_SITES
        ]
    session.flush()
    return users
