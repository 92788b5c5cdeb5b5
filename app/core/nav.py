"""The main navigation: the menu entries the installed domains registered."""


def nav_for(user):
    """Return the navigation entries (label, endpoint) the user may see."""
    from app.core.domains import REGISTRY

    if not user.is_authenticated:
        return []
    return [(entry.label, entry.endpoint) for entry in REGISTRY.menu if user.can(entry.permission)]
