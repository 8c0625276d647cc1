"""Every model, imported here so that Alembic's autogenerate sees every table."""

from qa_app.models.access import AccessLog
from qa_app.models.action_reminders import ActionReminder, ChaseNotice
from qa_app.models.actions import Action, ActionEvent
from qa_app.models.api_tokens import ApiToken
from qa_app.models.audits import (
    Audit,
    AuditComplianceAnswer,
    AuditEvent,
    AuditSectionGrade,
    Reflection,
    SafeguardingConcern,
)
from qa_app.models.base import utcnow
from qa_app.models.cases import Case, Child
from qa_app.models.events import (
    Assessment,
    CinEpisode,
    CinPlan,
    CpPlan,
    CpReview,
    CpVisit,
    Referral,
    Section47,
)
from qa_app.models.events_care import (
    CareLeaver,
    ClaEpisode,
    ClaHealthCheck,
    ClaPeriod,
    ClaPlacement,
    ClaReview,
    ClaStatus,
    ClaVisit,
    MissingEpisode,
)
from qa_app.models.imports import (
    Import,
    ImportRejectedRow,
    ImportUndoRow,
    ImportUpload,
    StaffAlias,
    TeamAlias,
)
from qa_app.models.moderation import (
    Dispute,
    EscalationTrigger,
    Moderation,
    ModerationSectionGrade,
    Tier3Review,
)
from qa_app.models.notifications import EmailMessage, Notification
from qa_app.models.org import Locality, Team
from qa_app.models.performance import CalendarDay, EventCoverage
from qa_app.models.reports import ReportFile, ReportVersion
from qa_app.models.sampling import (
    Assignment,
    AuditCycle,
    CycleFrame,
    ExtensionRequest,
    SampleItem,
    SampleReplacement,
)
from qa_app.models.tasks import BackgroundTask
from qa_app.models.thresholds import ThresholdChange, ThresholdComparator
from qa_app.models.toolkits import Toolkit, ToolkitVersion
from qa_app.models.users import Absence, User, UserRole

__all__ = [
    "Absence",
    "AccessLog",
    "Action",
    "ActionEvent",
    "ActionReminder",
    "ApiToken",
    "Assessment",
    "Assignment",
    "Audit",
    "AuditComplianceAnswer",
    "AuditCycle",
    "AuditEvent",
    "AuditSectionGrade",
    "BackgroundTask",
    "CalendarDay",
    "CareLeaver",
    "Case",
    "ChaseNotice",
    "Child",
    "CinEpisode",
    "CinPlan",
    "ClaEpisode",
    "ClaHealthCheck",
    "ClaPeriod",
    "ClaPlacement",
    "ClaReview",
    "ClaStatus",
    "ClaVisit",
    "CpPlan",
    "CpReview",
    "CpVisit",
    "CycleFrame",
    "Dispute",
    "EmailMessage",
    "EscalationTrigger",
    "EventCoverage",
    "ExtensionRequest",
    "Import",
    "ImportRejectedRow",
    "ImportUndoRow",
    "ImportUpload",
    "Locality",
    "MissingEpisode",
    "Moderation",
    "ModerationSectionGrade",
    "Notification",
    "Referral",
    "Reflection",
    "ReportFile",
    "ReportVersion",
    "SafeguardingConcern",
    "SampleItem",
    "SampleReplacement",
    "Section47",
    "StaffAlias",
    "Team",
    "TeamAlias",
    "ThresholdChange",
    "ThresholdComparator",
    "Tier3Review",
    "Toolkit",
    "ToolkitVersion",
    "User",
    "UserRole",
    "utcnow",
]
