"""Moderation, agreement, escalation and tier 3: checking audits' grades and acting on serious ones.

Doors: ``selection.select_on_submission``, ``decisions.record_blind_grades`` /
``record_moderated_grades`` / ``raise_dispute`` / ``decide_dispute``, ``escalation.check_audit`` /
``check_team_month``, ``tier3.complete_review``, ``reminders.chase``, ``agreement.figures``.
"""
