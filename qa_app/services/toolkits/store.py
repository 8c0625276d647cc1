"""Audit toolkits in the database: loading versions, previewing a load, finding a cohort's toolkit.

Toolkits are YAML files (the shipped ones in ``qa_app/toolkits/``; see toolkits.format for the
format). Loading is idempotent: a file whose content is already loaded changes nothing; changed
content must carry a higher ``version`` and becomes a new, active version. Loaded versions are
never changed or deleted, because audits keep the version they were done on.

Each cohort is covered by exactly one active toolkit; a load that would leave a cohort claimed by
two toolkits is refused. Several files loaded together are checked together, so a cohort can move
from one toolkit to another in one load.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qa_app.extensions import db
from qa_app.models import Toolkit, ToolkitVersion, User
from qa_app.models.toolkit_definition import ToolkitDefinition
from qa_app.models.vocab import COHORTS
from qa_app.services.toolkits.diff import describe_changes
from qa_app.services.toolkits.format import Problem, ToolkitInvalid, parse_toolkit

__all__ = [
    "SHIPPED_DIR",
    "LoadResult",
    "NoToolkitForCohort",
    "Preview",
    "Problem",
    "ToolkitInvalid",
    "ToolkitsRefused",
    "describe_changes",
    "get_version",
    "list_toolkits",
    "load_toolkit_files",
    "load_toolkits",
    "parse_toolkit",
    "preview_toolkits",
    "shipped_toolkit_files",
    "toolkit_for_cohort",
]

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "toolkits"
LOAD_VIA = ("cli", "web", "demo")


class NoToolkitForCohort(LookupError):
    """No active toolkit covers the cohort."""


class ToolkitsRefused(ValueError):
    """At least one file cannot be loaded; nothing was loaded. ``failures`` says why, per file."""

    def __init__(self, failures: list["Preview"]):
        self.failures = failures
        super().__init__("\n".join(p.describe(f.source) for f in failures for p in f.problems))


@dataclass
class Preview:
    """What loading one file would do (nothing is written)."""

    source: str
    text: str
    definition: ToolkitDefinition | None = None
    problems: list[Problem] = field(default_factory=list)
    status: str = ""  # new_toolkit | new_version | unchanged ("" when there are problems)
    active: ToolkitVersion | None = None  # the toolkit's active version before the load
    same_as: ToolkitVersion | None = None  # the loaded version with this content, if any
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def content_hash(self) -> str:
        return self.definition.content_hash if self.definition else ""


@dataclass
class LoadResult:
    status: str  # created | unchanged
    version: ToolkitVersion
    replaced: ToolkitVersion | None = None
    changes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        v = self.version
        name = f"{v.toolkit.key} version {v.version}"
        if self.status == "created":
            after = f", replacing version {self.replaced.version}" if self.replaced else ""
            return f"created {name} ({v.name}): now active{after}"
        state = "active" if v.active else "not active"
        return f"unchanged {name} ({v.name}): already loaded, {state}"


def shipped_toolkit_files() -> list[Path]:
    """The toolkit files that ship with the service, in name order."""
    return sorted(SHIPPED_DIR.glob("*.yaml"))


def preview_toolkits(files: Sequence[tuple[bytes | str, str]]) -> list[Preview]:
    """Validate (data, source name) pairs and say what loading them together would do."""
    previews = []
    for data, source in files:
        text = data.decode("utf-8-sig", "replace") if isinstance(data, bytes) else data
        preview = Preview(source=source, text=text)
        try:
            preview.definition = parse_toolkit(data, source)
        except ToolkitInvalid as exc:
            preview.problems = list(exc.problems)
        previews.append(preview)
    valid = [p for p in previews if p.ok]
    existing = _toolkits_by_key({p.definition.key for p in valid})
    seen: dict[str, str] = {}
    for preview in valid:
        key = preview.definition.key
        if key in seen:
            preview.problems.append(
                Problem("key", f"the toolkit '{key}' is also in {seen[key]}: load one version")
            )
            continue
        seen[key] = preview.source
        _compare_with_loaded(preview, existing.get(key))
    _check_cohorts([p for p in previews if p.ok])
    for preview in previews:
        if preview.problems:
            preview.status = ""
    return previews


def _toolkits_by_key(keys: set[str]) -> dict[str, Toolkit]:
    if not keys:
        return {}
    rows = db.session.scalars(
        select(Toolkit).where(Toolkit.key.in_(keys)).options(selectinload(Toolkit.versions))
    )
    return {t.key: t for t in rows}


def _compare_with_loaded(preview: Preview, toolkit: Toolkit | None) -> None:
    new = preview.definition
    if toolkit is None:
        preview.status = "new_toolkit"
        preview.changes = [
            f"New toolkit with {len(new.sections)} sections "
            f"({len(new.safety_critical_sections)} safety-critical) and "
            f"{len(new.compliance)} compliance questions"
        ]
        return
    preview.active = toolkit.active_version
    same = next((v for v in toolkit.versions if v.content_hash == new.content_hash), None)
    if same is not None:
        preview.status = "unchanged"
        preview.same_as = same
        return
    latest = toolkit.latest_version
    clash = next((v for v in toolkit.versions if v.version == new.version), None)
    if clash is not None:
        preview.problems.append(
            Problem(
                "version",
                f"version {new.version} of '{new.key}' is already loaded with different "
                f"content, and loaded versions never change: give this file version "
                f"{latest.version + 1}",
            )
        )
    elif latest is not None and new.version < latest.version:
        preview.problems.append(
            Problem(
                "version",
                f"version {new.version} is older than version {latest.version}, the latest "
                f"loaded for '{new.key}': give this file version {latest.version + 1}",
            )
        )
    else:
        preview.status = "new_version"
        base = preview.active or latest
        preview.changes = describe_changes(base.definition, new) if base else []


def _check_cohorts(previews: list[Preview]) -> None:
    """Each cohort in at most one toolkit, counting the active versions these files replace."""
    after: dict[str, tuple[str, str]] = {}  # toolkit key -> (name, where it comes from)
    cohorts_of: dict[str, tuple[str, ...]] = {}
    for version in db.session.scalars(
        select(ToolkitVersion)
        .where(ToolkitVersion.active)
        .options(selectinload(ToolkitVersion.toolkit))
    ):
        after[version.toolkit.key] = (version.name, f"active version {version.version}")
        cohorts_of[version.toolkit.key] = version.cohorts
    for preview in previews:
        if preview.status == "unchanged" and preview.same_as is not preview.active:
            continue  # loading an old version's content again changes nothing
        after[preview.definition.key] = (preview.definition.name, preview.source)
        cohorts_of[preview.definition.key] = preview.definition.cohorts
    for preview in previews:
        if preview.status not in ("new_toolkit", "new_version"):
            continue
        key = preview.definition.key
        for cohort in preview.definition.cohorts:
            for other, cohorts in cohorts_of.items():
                if other != key and cohort in cohorts:
                    name, where = after[other]
                    preview.problems.append(
                        Problem(
                            "cohorts",
                            f"'{cohort}' ({COHORTS[cohort]}) is already covered by the toolkit "
                            f"'{other}' ({name}, {where}): each cohort has one toolkit; remove "
                            f"it there first or load both files together",
                        )
                    )


def load_toolkits(
    files: Sequence[tuple[bytes | str, str]],
    *,
    by: User | None,
    now: datetime,
    via: str,
    expected_hashes: Sequence[str] | None = None,
) -> list[LoadResult]:
    """Load toolkit files all or nothing; raise ``ToolkitsRefused`` if any has a problem.

    :param via: ``cli``, ``web`` or ``demo``, recorded on each new version.
    :param expected_hashes: the content hashes a preview showed, in file order: a file whose
        content differs (changed since the preview) is refused.
    """
    if via not in LOAD_VIA:
        raise ValueError(f"via must be one of {LOAD_VIA}")
    previews = preview_toolkits(files)
    if expected_hashes is not None:
        for preview, expected in zip(previews, expected_hashes, strict=True):
            if preview.ok and preview.content_hash != expected:
                preview.problems.append(
                    Problem("", "the file is not the one previewed: upload it again")
                )
    failures = [p for p in previews if not p.ok]
    if failures:
        raise ToolkitsRefused(failures)
    return [_apply(p, by=by, now=now, via=via) for p in previews]


def _apply(preview: Preview, *, by: User | None, now: datetime, via: str) -> LoadResult:
    if preview.status == "unchanged":
        return LoadResult("unchanged", preview.same_as)
    new = preview.definition
    toolkit = db.session.scalar(select(Toolkit).where(Toolkit.key == new.key))
    if toolkit is None:
        toolkit = Toolkit(key=new.key, name=new.name, created_at=now)
        db.session.add(toolkit)
    toolkit.name = new.name
    replaced = preview.active
    if replaced is not None:
        replaced.active = False
        db.session.flush()  # the one-active-version index is checked row by row
    version = ToolkitVersion(
        toolkit=toolkit,
        version=new.version,
        definition_json=new.raw,
        content_hash=new.content_hash,
        source_name=preview.source[:255],
        source_text=preview.text,
        loaded_at=now,
        loaded_by=by,
        loaded_via=via,
        active=True,
    )
    db.session.add(version)
    db.session.flush()
    return LoadResult("created", version, replaced, preview.changes)


def load_toolkit_files(
    paths: Iterable[Path | str], *, by: User | None, now: datetime, via: str
) -> list[LoadResult]:
    """Load toolkit files from disk (all or nothing), e.g. ``shipped_toolkit_files()``."""
    files = []
    for path in paths:
        path = Path(path)
        files.append((path.read_bytes(), path.name))
    return load_toolkits(files, by=by, now=now, via=via)


def toolkit_for_cohort(cohort: str) -> ToolkitVersion:
    """The active toolkit version that audits of *cohort* use; ``NoToolkitForCohort`` if none."""
    if cohort not in COHORTS:
        raise NoToolkitForCohort(f"'{cohort}' is not a cohort")
    for version in db.session.scalars(select(ToolkitVersion).where(ToolkitVersion.active)):
        if cohort in version.cohorts:
            return version
    raise NoToolkitForCohort(
        f"No active toolkit covers the cohort '{cohort}' ({COHORTS[cohort]}): "
        f"load one with `qa toolkits load` or from the Toolkits page"
    )


def list_toolkits() -> list[Toolkit]:
    """Every toolkit with its versions, by name."""
    return list(
        db.session.scalars(
            select(Toolkit).options(selectinload(Toolkit.versions)).order_by(Toolkit.name)
        )
    )


def get_version(key: str, version: int) -> ToolkitVersion | None:
    return db.session.scalar(
        select(ToolkitVersion)
        .join(Toolkit)
        .where(Toolkit.key == key, ToolkitVersion.version == version)
    )
