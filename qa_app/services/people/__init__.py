"""People and their access: accounts and sign-in, the organisation, API tokens, the access log, cases.

Doors: ``accounts.authenticate`` / ``create_user`` / ``update_user``, ``organisation.update_team``,
``api_tokens.create_token`` / ``user_for_token``, ``access_log.log_case_access``,
``cases.list_cases`` (scoped to what the user may see).
"""
