"""A fingerprint of every row of every table, to prove that a request changed nothing."""

import hashlib

from sqlalchemy import select

from qa_app.extensions import db

# Reading a page that shows a child's record writes an access-log row (that is its purpose),
# and a refused form is shown again: the log is not data the request changed.
NOT_DATA = frozenset({"access_log"})


def database_fingerprint(skip: frozenset[str] = NOT_DATA) -> dict[str, tuple[int, str]]:
    """Per table: its row count and a SHA-256 over all its rows (in a stable order)."""
    db.session.rollback()  # see what is committed, not this session's cached objects
    fingerprint = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        rows = sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        digest = hashlib.sha256("\n".join(rows).encode("utf-8", "surrogatepass"))
        fingerprint[table.name] = (len(rows), digest.hexdigest())
    db.session.rollback()
    return fingerprint


def changed_tables(before: dict, after: dict) -> list[str]:
    """The names of the tables whose rows differ between two fingerprints."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
