"""Demo devices: placeholder replaced below."""


def seed_devices(session, users, report):
    """Seed nothing yet."""
