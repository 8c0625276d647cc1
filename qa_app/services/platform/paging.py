"""One page of a long list: the items, the total and the page count."""

import math
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from qa_app.extensions import db

PAGE_SIZE = 50


@dataclass
class Page:
    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def paginate(query: Select, *, page: int, size: int = PAGE_SIZE) -> Page:
    """Run *query* (already ordered) for one page; a page past the end shows the last one."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    items = db.session.scalars(query.offset((page - 1) * size).limit(size)).unique().all()
    return Page(items=list(items), total=total, page=page, pages=pages)
