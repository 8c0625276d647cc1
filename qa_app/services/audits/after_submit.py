"""What happens when an audit is submitted: one function, called inside the submit transaction.

Each step is a call into the service module that owns it, so the audit form, moderation and
escalation can each add their step here without knowing each other's internals.
"""

import random
from datetime import datetime

from qa_app.models import Audit, User
from qa_app.services.audits import reflections
from qa_app.services.moderation import escalation
from qa_app.services.moderation import selection as moderation_selection
from qa_app.services.moderation.rules import ModerationRules


def after_submission(
    audit: Audit,
    *,
    by: User,
    now: datetime,
    rng: random.Random,
    rules: ModerationRules,
    base_url: str,
) -> None:
    """Run every after-submission step for *audit* (flushes; the caller commits)."""
    reflections.invite_reflections(audit, now=now, base_url=base_url)
    moderation_selection.select_on_submission(
        audit, now=now, rng=rng, rules=rules, base_url=base_url
    )
    escalation.check_audit(audit, now=now, rules=rules, base_url=base_url)
