"""Warming the board after an import: the figures the dashboard opens on are computed and
cached by a job, so the first view reads them; the import doors queue it once per import."""

from datetime import date

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Import, Locality, Team
from qa_app.services.performance import board, figures
from qa_app.services.performance.indicators import Settings
from qa_app.services.performance.warm import months_to_warm, warm_after_import
from qa_app.services.reports.scope import COUNCIL, ReportScope
from tests.support.importing import FIXTURES, do_import, sample
from tests.support.queries import statements


def test_the_months_warmed_are_last_month_and_the_import_month():
    assert months_to_warm(date(2021, 3, 31), date(2021, 5, 10)) == ["2021-03", "2021-04"]
    assert months_to_warm(date(2021, 4, 30), date(2021, 5, 2)) == ["2021-04"]


def test_warming_caches_the_council_and_locality_boards(app_ctx):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    record = db.session.scalar(select(Import))
    north, south = Locality(name="North"), Locality(name="South")
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    for i, team in enumerate(teams[:-1]):  # the last team stays outside any locality
        team.locality = (north, south)[i % 2]
    db.session.commit()
    localities = [(north.id, "North"), (south.id, "South")]
    warmed = warm_after_import(record.id, today=date(2021, 4, 12), settings=Settings())
    assert warmed == ["2021-03 council", "2021-03 locality:North", "2021-03 locality:South"]
    db.session.commit()
    # Read back: one query (the data stamp), no figure computed again.
    council = statements(lambda: board.monthly_figures("2021-03", COUNCIL))
    assert len(council) == 1
    first_locality = ReportScope("locality", *localities[0])
    assert len(statements(lambda: board.monthly_figures("2021-03", first_locality))) == 1
    # What was cached is what a request computes.
    cached = board.monthly_figures("2021-03", COUNCIL)
    computed = {f.key: f.as_dict() for f in figures.month_figures("2021-03")}
    assert {k: {**v[-1]} for k, v in cached.items()} == {
        k: {"month": "2021-03", **v} for k, v in computed.items()
    }
    # Teams are left to the first request.
    team = db.session.scalar(select(Team).where(Team.locality_id.is_not(None)))
    team_scope = ReportScope("team", team.id, team.name)
    assert len(statements(lambda: board.monthly_figures("2021-03", team_scope))) > 1


def test_nothing_is_warmed_for_an_import_that_is_not_there(app_ctx):
    assert warm_after_import(404, today=date(2021, 4, 12), settings=Settings()) == []


@pytest.mark.clock("2021-05-10T09:00")
@pytest.mark.app_config(PERFORMANCE_WARM_AFTER_IMPORT=True)
def test_the_import_command_queues_the_warming(runner, app_ctx):
    args = ["import", str(FIXTURES / "Annex_A.xlsx"), "--as-of", "2021-03-31"]
    assert runner.invoke(args=args).exit_code == 0
    # RQ runs jobs inline in tests: the board is already computed, for the import's month and
    # for last month by the job's clock.
    assert len(statements(lambda: board.monthly_figures("2021-03", COUNCIL))) == 1
    assert len(statements(lambda: board.monthly_figures("2021-04", COUNCIL))) == 1


@pytest.mark.app_config(PERFORMANCE_WARM_AFTER_IMPORT=True)
def test_a_dry_run_queues_no_warming(runner, app_ctx):
    args = ["import", str(FIXTURES / "Annex_A.xlsx"), "--as-of", "2021-03-31", "--dry-run"]
    assert runner.invoke(args=args).exit_code == 0
    assert len(statements(lambda: board.monthly_figures("2021-03", COUNCIL))) > 1


def test_switched_off_the_import_command_leaves_the_board_to_the_first_request(runner, app_ctx):
    args = ["import", str(FIXTURES / "Annex_A.xlsx"), "--as-of", "2021-03-31"]
    assert runner.invoke(args=args).exit_code == 0
    assert len(statements(lambda: board.monthly_figures("2021-03", COUNCIL))) > 1
