"""The event tables by kind name (the names of ``qa_app.importers.events.KINDS``)."""

from qa_app import models

EVENT_MODELS = {
    "referrals": models.Referral,
    "assessments": models.Assessment,
    "section47s": models.Section47,
    "cin_episodes": models.CinEpisode,
    "cin_plans": models.CinPlan,
    "cp_plans": models.CpPlan,
    "cp_visits": models.CpVisit,
    "cp_reviews": models.CpReview,
    "cla_periods": models.ClaPeriod,
    "cla_episodes": models.ClaEpisode,
    "cla_placements": models.ClaPlacement,
    "cla_statuses": models.ClaStatus,
    "cla_reviews": models.ClaReview,
    "cla_visits": models.ClaVisit,
    "cla_health_checks": models.ClaHealthCheck,
    "missing_episodes": models.MissingEpisode,
    "care_leavers": models.CareLeaver,
}
EVENT_TABLES = {name: model.__table__ for name, model in EVENT_MODELS.items()}
