"""Paging long lists."""

from sqlalchemy import select

from qa_app.models import Team
from qa_app.services.platform.paging import paginate
from tests.support.factories import TeamFactory


def test_pages_cover_every_item_once_and_a_page_past_the_end_shows_the_last(app_ctx):
    for i in range(7):
        TeamFactory(name=f"T{i}")
    query = select(Team).order_by(Team.name)
    pages = [paginate(query, page=n, size=3) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [7, 7, 7] and pages[0].pages == 3
    assert [t.name for p in pages for t in p.items] == [f"T{i}" for i in range(7)]
    assert paginate(query, page=99, size=3).page == 3
    assert paginate(select(Team).where(Team.name == "none"), page=1).pages == 1
