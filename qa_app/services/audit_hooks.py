"""What happens when an audit is submitted: one function, called by the audit form's submit
service inside its transaction. Each step is a call into the module that owns it."""

import random
from datetime import datetime

from flask import current_app

from qa_app.models import Audit, User
from qa_app.services import escalation, moderation_selection
from qa_app.services.moderation_rules import ModerationRules


def after_submission(
    audit: Audit, *, by: User, now: datetime, rng: random.Random, base_url: str
) -> None:
    rules = ModerationRules.from_config(current_app.config)
    moderation_selection.select_on_submission(
        audit, now=now, rng=rng, rules=rules, base_url=base_url
    )
    escalation.check_audit(audit, now=now, rules=rules, base_url=base_url)
