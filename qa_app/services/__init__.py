"""The domain layer: views, CLI commands and jobs are thin doors into these functions.

Services take the acting user, ``now`` and any random generator as arguments, flush but never
commit (the caller commits), and never touch the request, templates or RQ.
"""
