"""Checking answer changes against a toolkit (property-based), and saving them safely."""

import copy
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_app.extensions import db
from qa_app.models import Audit
from qa_app.models.base import utcnow
from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.services.audits import answers as audit_answers
from qa_app.services.audits import form as audit_form
from qa_app.services.audits.answers import InvalidAnswer, apply_changes, value_at
from tests.support.factories import make_audit
from tests.support.toolkit_docs import minimal_doc

TOOLKIT = ToolkitDefinition.from_dict(minimal_doc())
SECTIONS = [s.key for s in TOOLKIT.sections]
QUESTIONS = [q.key for q in TOOLKIT.compliance]

texts = st.text(max_size=300)
valid_grades = st.sampled_from([1, 2, 3, 4, "1", "2", "3", "4", None, ""])
any_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10), st.text(max_size=8), st.floats(allow_nan=True)
)
valid_change = st.one_of(
    st.tuples(st.sampled_from(SECTIONS).map(lambda k: f"sections.{k}.evidence"), texts),
    st.tuples(st.sampled_from(SECTIONS).map(lambda k: f"sections.{k}.grade"), valid_grades),
    st.tuples(
        st.sampled_from(QUESTIONS).map(lambda k: f"compliance.{k}"),
        st.sampled_from(["yes", "no", "na"]),
    ),
    st.tuples(st.just("overall.rationale"), texts),
    st.tuples(st.just("overall.grade"), valid_grades),
)


@settings(max_examples=50)
@given(st.lists(valid_change, max_size=12))
def test_valid_changes_are_stored_exactly_and_resume_as_typed(changes):
    answers = audit_answers.empty_answers()
    for path, value in changes:
        answers = apply_changes(TOOLKIT, answers, {path: value})
        stored = value_at(answers, path)
        if isinstance(value, str) and not path.endswith("grade"):
            assert stored == value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        elif path.endswith("grade"):
            assert stored == (int(value) if value not in (None, "") else None)
        else:
            assert stored == value


@settings(max_examples=50)
@given(
    st.sampled_from(
        [f"sections.{k}.grade" for k in SECTIONS]
        + [f"compliance.{k}" for k in QUESTIONS]
        + ["overall.grade", "sections.assessment.not_applicable", "actions.a1.owner"]
    ),
    any_values,
)
def test_a_bad_value_is_refused_by_path_and_nothing_changes(path, value):
    before = apply_changes(TOOLKIT, None, {"overall.rationale": "Kept"})
    snapshot = copy.deepcopy(before)
    try:
        after = apply_changes(TOOLKIT, before, {path: value, "overall.rationale": "Changed"})
    except InvalidAnswer as exc:
        assert set(exc.problems) == {path}
        assert exc.problems[path]  # a message naming what is wrong
        assert before == snapshot
    else:
        assert after["overall"]["rationale"] == "Changed"
        assert before == snapshot  # the input is never changed in place


def test_unknown_paths_and_not_applicable_where_it_is_not_allowed_are_refused():
    with pytest.raises(InvalidAnswer) as refused:
        apply_changes(
            TOOLKIT,
            None,
            {
                "sections.nope.grade": 1,
                "compliance.nope": "yes",
                "sections.assessment.not_applicable": True,
                "answers.x": 1,
            },
        )
    problems = refused.value.problems
    assert "no section 'nope'" in problems["sections.nope.grade"]
    assert "no compliance question 'nope'" in problems["compliance.nope"]
    assert "applies to every case" in problems["sections.assessment.not_applicable"]
    assert "is not an answer" in problems["answers.x"]


@pytest.fixture
def audit(app_ctx):
    return make_audit()


def test_a_stale_save_raises_with_the_stored_answers_and_changes_nothing(audit):
    auditor = audit.auditor
    audit_form.save_changes(
        audit, {"overall.rationale": "One"}, expected_version=1, by=auditor, now=utcnow()
    )
    db.session.commit()
    with pytest.raises(audit_form.StaleAudit) as stale:
        audit_form.save_changes(
            audit, {"overall.rationale": "Two"}, expected_version=1, by=auditor, now=utcnow()
        )
    assert stale.value.stored_answers["overall"]["rationale"] == "One"
    assert stale.value.stored_version == 2
    db.session.rollback()
    assert db.session.get(Audit, audit.id).answers["overall"]["rationale"] == "One"


@pytest.mark.postgres_only
def test_two_simultaneous_saves_from_one_version_cannot_both_win(app):
    with app.app_context():
        audit_id, auditor_id = (lambda a: (a.id, a.auditor_id))(make_audit())
    barrier = threading.Barrier(2)
    outcomes = []

    def save(text):
        with app.app_context():
            audit = db.session.get(Audit, audit_id)
            by = audit.auditor
            assert by.id == auditor_id
            barrier.wait()
            try:
                audit_form.save_changes(
                    audit, {"overall.rationale": text}, expected_version=1, by=by, now=utcnow()
                )
                db.session.commit()
                outcomes.append(("saved", text))
            except audit_form.StaleAudit:
                db.session.rollback()
                outcomes.append(("refused", text))

    threads = [threading.Thread(target=save, args=(t,)) for t in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o[0] for o in outcomes) == ["refused", "saved"]
    winner = next(t for o, t in outcomes if o == "saved")
    with app.app_context():
        stored = db.session.get(Audit, audit_id)
        assert (stored.version, stored.answers["overall"]["rationale"]) == (2, winner)
