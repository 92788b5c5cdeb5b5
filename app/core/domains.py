"""Domains register themselves: permissions, menu, audit labels, work queues, demo step.

Each package has a ``registration.py`` with one ``DOMAIN = Domain(...)``. ``create_app`` keeps
the one list of domain names and calls ``install`` for each; nothing else central changes when
a domain is added.
"""

from dataclasses import dataclass, field
from importlib import import_module


@dataclass(frozen=True)
class MenuEntry:
    """One entry of the main navigation, shown to users holding the permission."""

    label: object
    endpoint: str
    permission: str
    order: int = 100
    personal: bool = False  # shown in the user's own menu (beside "My signatures")


@dataclass(frozen=True)
class WorkQueue:
    """Something that needs a user now: a count and the filtered list it links to.

    ``count(session, user)`` returns how many items wait; ``url(user)`` returns the list they
    are in. ``urgency`` sorts the home page (higher first).
    """

    name: str
    label: object
    permission: str
    count: object
    url: object
    urgency: int = 0


@dataclass(frozen=True)
class HomeChart:
    """A small chart on the home page of users holding the permission.

    ``data(session, user)`` returns ``{"labels": [...], "datasets": [{"label", "data",
    "color"}]}`` (stacked bars); ``url(user)`` the list behind it.
    """

    name: str
    label: object
    permission: str
    data: object
    url: object = None


@dataclass(frozen=True)
class AlertItem:
    """One thing a scheduled alert tells of.

    ``key`` is stable and names what was crossed (e.g. ``dns:12:2026-12-03``) so the same
    item is told once; ``site_id`` scopes it (site users hear only of their own sites; None:
    not tied to a site, so only unscoped roles hear of it); ``params`` go to the composer.
    """

    key: str
    site_id: object
    link: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Alert:
    """A daily alert a domain declares: what to look for, whom to tell and how.

    ``find(session, today, days)`` returns AlertItems; ``compose(item)`` returns (subject,
    body) and is called with each recipient's language in force. ``setting`` names the
    settings ``ALERT_<SETTING>_ENABLED`` and ``ALERT_<SETTING>_DAYS`` (``days`` is the
    default N; None when the alert takes its days elsewhere).
    """

    name: str
    label: object
    roles: tuple
    find: object
    compose: object
    days: object = None


@dataclass(frozen=True)
class JobKind:
    """A file a domain builds in the background when it is large (an export).

    ``count(session, user, params)`` returns how many rows the file will have;
    ``build(session, user, params, path, progress)`` writes the file to ``path`` and calls
    ``progress(done)`` as rows are written. ``permission`` is checked when the job starts and
    again at download. ``filename`` is the name the user downloads, or a function
    ``filename(session, params)`` returning it (a name that depends on the record).
    """

    name: str
    label: object
    permission: str
    count: object
    build: object
    filename: object = "export.xlsx"
    content_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Domain:
    """What one domain package declares about itself."""

    name: str
    label: object = None
    blueprints: tuple = ()  # (blueprint, url prefix)
    permissions: dict = field(default_factory=dict)  # role -> permissions it holds
    site_scoped: frozenset = frozenset()  # permissions limited to the user's own sites
    menu: tuple = ()
    audit_actions: dict = field(default_factory=dict)  # action -> label
    audit_fields: dict = field(default_factory=dict)  # field, or (record type, field) -> label
    audit_values: dict = field(default_factory=dict)  # (record type, field) -> {value: label}
    record_types: dict = field(default_factory=dict)  # audit entity type -> label
    state_machines: tuple = ()  # module paths that declare StateMachine objects
    work_queues: tuple = ()
    alerts: tuple = ()  # scheduled Alerts (app/alerts runs them)
    home_charts: tuple = ()
    jobs: tuple = ()  # JobKind: files built in the background when large
    kit_rules: tuple = ()  # module paths with restrict()/refuse() (see app/stock/rules.py)
    # module paths with describe(session, refs) (see app/stock/services/dispositions.py)
    dispositions: tuple = ()
    demo: object = None  # seed(session, context, report)
    commands: tuple = ()  # click command groups
    template_labels: object = None  # () -> dict given to every template


@dataclass
class Registry:
    """Everything the installed domains declared, merged."""

    domains: dict = field(default_factory=dict)
    menu: list = field(default_factory=list)
    audit_actions: dict = field(default_factory=dict)
    audit_fields: dict = field(default_factory=dict)
    audit_values: dict = field(default_factory=dict)
    record_types: dict = field(default_factory=dict)
    work_queues: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    home_charts: list = field(default_factory=list)
    job_kinds: dict = field(default_factory=dict)
    kit_rules: list = field(default_factory=list)
    dispositions: list = field(default_factory=list)
    site_scoped: set = field(default_factory=set)

    def add(self, domain):
        """Merge a domain's declarations (once per domain name)."""
        from app.core.permissions import ROLE_PERMISSIONS, ROLES

        if domain.name in self.domains:
            return
        self.domains[domain.name] = domain
        for role, granted in domain.permissions.items():
            if role not in ROLES:
                raise ValueError(f"{domain.name}: unknown role {role!r}")
            ROLE_PERMISSIONS.setdefault(role, set()).update(granted)
        self.site_scoped |= set(domain.site_scoped)
        self.menu.extend(domain.menu)
        self.menu.sort(key=lambda entry: entry.order)
        self.audit_actions.update(domain.audit_actions)
        self.audit_fields.update(domain.audit_fields)
        self.audit_values.update(domain.audit_values)
        self.record_types.update(domain.record_types)
        self.work_queues.extend(domain.work_queues)
        self.work_queues.sort(key=lambda queue: -queue.urgency)
        self.alerts.extend(domain.alerts)
        self.home_charts.extend(domain.home_charts)
        for kind in domain.jobs:
            self.job_kinds[kind.name] = kind
        for path in domain.state_machines:
            import_module(path)
        self.kit_rules.extend(import_module(path) for path in domain.kit_rules)
        self.dispositions.extend(import_module(path) for path in domain.dispositions)


REGISTRY = Registry()


def load(name):
    """Import a domain package's registration and return its Domain."""
    return import_module(f"app.{name}.registration").DOMAIN


def install(app, name):
    """Register one domain on the app: its declarations, blueprints, commands, labels."""
    domain = load(name)
    REGISTRY.add(domain)
    for blueprint, prefix in domain.blueprints:
        app.register_blueprint(blueprint, url_prefix=prefix)
    for group in domain.commands:
        app.cli.add_command(group)
    if domain.template_labels is not None:
        app.context_processor(domain.template_labels)
    return domain


def installed():
    """Return the installed domains in the order create_app lists them."""
    return list(REGISTRY.domains.values())


def run_demo(session, report):
    """Run every installed domain's demo step in list order, sharing one context."""
    context = {}
    for domain in installed():
        if domain.demo is not None:
            domain.demo(session, context, report)
    return context
