"""The main navigation: the menu entries the installed domains registered."""


def nav_for(user):
    """Return the navigation entries (label, endpoint) the user may see."""
    from app.core.domains import REGISTRY

    if not user.is_authenticated:
        return []
    return [(entry.label, entry.endpoint) for entry in REGISTRY.menu
            if not entry.personal and user.can(entry.permission)]


def user_menu_for(user):
    """Return the personal entries (label, endpoint) of the user's own menu."""
    from app.core.domains import REGISTRY

    if not user.is_authenticated:
        return []
    return [(entry.label, entry.endpoint) for entry in REGISTRY.menu
            if entry.personal and user.can(entry.permission)]
