"""A small organisation for action tests: a locality, a team, its manager and a worker."""

from dataclasses import dataclass
from datetime import date

from qa_app.extensions import db
from qa_app.models import Action, Locality, Team, User
from tests.support.factories import CaseFactory, TeamFactory, make_action, make_audit, make_user


@dataclass
class Org:
    locality: Locality
    team: Team
    manager: User
    worker: User
    auditor: User
    head: User
    dcs: User
    psw: User


def make_org() -> Org:
    team = TeamFactory()
    head = make_user("head_of_service", locality=team.locality)
    manager = make_user("team_manager", team=team, line_manager=head)
    worker = make_user("social_worker", team=team, line_manager=manager)
    auditor = make_user("advanced_practitioner")
    dcs = make_user("dcs")
    psw = make_user("psw")
    return Org(team.locality, team, manager, worker, auditor, head, dcs, psw)


def org_action(org: Org, *, due_on: date = date(2026, 12, 21), audited: bool = True, **fields):
    """An action on a case of the org's team, owned by its worker, raised by an audit."""
    from tests.support.factories import make_assignment  # noqa: PLC0415

    case = CaseFactory(team=org.team, worker=org.worker)
    audit = None
    if audited:
        audit = make_audit(
            assignment=make_assignment(case=case, auditor=org.auditor), status="submitted"
        )
    fields.setdefault("owner", org.worker)
    return make_action(case=case, audit=audit, due_on=due_on, **fields)


def reload(action: Action) -> Action:
    db.session.expire_all()
    return db.session.get(Action, action.id)
