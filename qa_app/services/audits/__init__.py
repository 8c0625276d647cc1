"""The online audit: starting, saving, grading, submitting, reading and replying to an audit.

Doors: ``form.start_audit`` / ``save_changes``, ``submission.submit_audit`` / ``reopen_audit``,
``grading.suggest_for_answers`` (pure), ``access.readable_audit``, ``safeguarding.raise_concern``,
``reflections.record_reflection``. ``after_submit.after_submission`` is what a submission sets off.
"""
