"""Search, sort and paginate a list query from the request's arguments."""

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func, or_, select

from app.extensions import db


@dataclass
class Listing:
    """One page of a list plus the state the template needs to draw its controls."""

    items: list
    total: int
    page: int
    pages: int
    per_page: int
    sort: str
    q: str


def _int_arg(name, default):
    try:
        return max(1, int(request.args.get(name, default)))
    except (TypeError, ValueError):
        return default


def search_filter(q, *columns):
    """Return a case-insensitive 'contains' filter over the columns for the search text."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(func.lower(col).like(pattern.lower(), escape="\\") for col in columns))


def where_id_args(stmt, args, columns):
    """Narrow stmt by integer id arguments: columns maps an argument name to its column."""
    for name, column in columns.items():
        value = args.get(name, type=int)
        if value:
            stmt = stmt.where(column == value)
    return stmt


def where_choice_args(stmt, args, choices):
    """Narrow stmt by choice arguments: choices maps a name to (column, the allowed values)."""
    for name, (column, allowed) in choices.items():
        value = args.get(name)
        if value in allowed:
            stmt = stmt.where(column == value)
    return stmt


def build_listing(stmt, *, sorts, default_sort, search_columns=(), per_page=None):
    """Apply ?q=, ?sort= (a key of sorts, '-' for descending) and ?page= to stmt."""
    q = (request.args.get("q") or "").strip()[:100]
    if q and search_columns:
        stmt = stmt.where(search_filter(q, *search_columns))
    sort = request.args.get("sort") or default_sort
    key = sort.lstrip("-")
    if key not in sorts:
        sort, key = default_sort, default_sort.lstrip("-")
    column = sorts[key]
    stmt = stmt.order_by(column.desc() if sort.startswith("-") else column.asc())
    per_page = per_page or current_app.config["PAGE_SIZE"]
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(_int_arg("page", 1), pages)
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Listing(items=items, total=total, page=page, pages=pages, per_page=per_page,
                   sort=sort, q=q)
