"""Demo seeding step (filled below)."""


def seed_labelling(session, report):
    """Create the labelling demo data."""
