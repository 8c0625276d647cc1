"""The configurable numbers of moderation and escalation, read once from the app config.

Services take a ``ModerationRules`` argument instead of reading the config, so tests and jobs
can pass their own.
"""

from collections.abc import Mapping
from dataclasses import dataclass

# Who may moderate: see docs/framework.md#moderation.
MODERATOR_ROLES = ("independent_auditor", "senior_manager", "head_of_service", "psw")


@dataclass(frozen=True)
class ModerationRules:
    random_share: float = 0.10
    due_working_days: int = 10
    dispute_working_days: int = 5
    tier3_due_working_days: int = 5
    team_inadequate_share: float = 0.25
    team_min_audits: int = 4
    small_n: int = 10

    @classmethod
    def from_config(cls, config: Mapping) -> "ModerationRules":
        return cls(
            random_share=float(config.get("MODERATION_RANDOM_SHARE", cls.random_share)),
            due_working_days=int(config.get("MODERATION_DUE_WORKING_DAYS", cls.due_working_days)),
            dispute_working_days=int(
                config.get("MODERATION_DISPUTE_WORKING_DAYS", cls.dispute_working_days)
            ),
            tier3_due_working_days=int(
                config.get("TIER3_DUE_WORKING_DAYS", cls.tier3_due_working_days)
            ),
            team_inadequate_share=float(
                config.get("ESCALATION_TEAM_INADEQUATE_SHARE", cls.team_inadequate_share)
            ),
            team_min_audits=int(config.get("ESCALATION_TEAM_MIN_AUDITS", cls.team_min_audits)),
            small_n=int(config.get("AGREEMENT_SMALL_N", cls.small_n)),
        )
