"""The home page's read side: the user's work queues and charts, from the Registry."""

from app.core.domains import REGISTRY


def work_queues_of(session, user):
    """Return (waiting, clear): queues with items as (queue, count, url), most urgent first,
    and the labels of the user's queues that are empty. Only queues the user may open."""
    waiting, clear = [], []
    for queue in REGISTRY.work_queues:  # kept sorted by urgency
        if not user.can(queue.permission):
            continue
        count = queue.count(session, user)
        if count:
            waiting.append((queue, count, queue.url(user)))
        else:
            clear.append(queue)
    return waiting, clear


def charts_of(session, user):
    """Return (chart, data, url) for the home charts the user may see that have data."""
    shown = []
    for chart in REGISTRY.home_charts:
        if not user.can(chart.permission):
            continue
        data = chart.data(session, user)
        if data["labels"]:
            shown.append((chart, data, chart.url(user) if chart.url else None))
    return shown
