"""The pages in docs/ stay true to the code: every path and dotted name they cite exists, every
link between pages (and from the code to a page) resolves. Cheap: no database, no app.

Conventions the pages follow, so that this test can read them:

- a file or folder of the repository is written in backticks from the top: `qa_app/...`,
  `workers/...`, `tests/...`, `config.py`;
- a function, class or constant is written in backticks as a dotted name, resolved against
  ``qa_app.services``, then ``qa_app``, then the top level: `sampling.draw.draw_sample`,
  `background.enqueue_task`, `workers.jobs.run_task`, `models.cases.Case.open_on`.
"""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

REPO_ROOTS = ("qa_app/", "workers/", "tests/", "docs/", "benchmarks/", "scripts/", "templates/",
              "migrations/")  # fmt: skip
REPO_FILES = ("config.py", "README.md", "pyproject.toml")
PREFIXES = ("qa_app.services.", "qa_app.", "")
FILE_SUFFIXES = ("csv", "md", "py", "xml", "xlsx", "xls", "yaml", "yml", "html", "txt", "json",
                 "pdf", "sqlite", "toml", "cfg", "lock", "svg", "css", "js")  # fmt: skip

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
DOTTED = re.compile(r"^[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.MULTILINE)
SETTING = re.compile(r"^QA_[A-Z0-9_]*[A-Z0-9]$")
# Read by create_app, the test suite or the benchmarks from the environment, not from config.py.
ENVIRONMENT_ONLY = {"QA_CONFIG", "QA_INSTANCE_PATH", "QA_TEST_DATABASE_URL", "QA_TEST_REDIS_URL",
                    "QA_TEST_CLOCK_SHIFT_DAYS"}  # fmt: skip
DOOR = re.compile(r"``([a-z_][\w.]*)``")
# "docs/framework.md#moderation" in a docstring or comment.
CODE_LINK = re.compile(r"docs/([\w./-]+\.md)(#[\w-]+)?")


def _prose(page: Path) -> str:
    """The page without its fenced code blocks (commands and diagrams are not references)."""
    return FENCE.sub("", page.read_text(encoding="utf-8"))


def _inline_code(page: Path) -> list[str]:
    return [m.group(1).strip() for m in CODE.finditer(_prose(page))]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for match in HEADING.finditer(_prose(page)):
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def resolve(name: str) -> object:
    """The object a dotted name in the docs stands for; raises LookupError if there is none."""
    for prefix in PREFIXES:
        parts = (prefix + name).split(".")
        for cut in range(len(parts), 0, -1):
            module_name = ".".join(parts[:cut])
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name and module_name.startswith(exc.name):
                    continue  # that module does not exist: try a shorter one
                raise
            target = module
            try:
                for attribute in parts[cut:]:
                    target = getattr(target, attribute)
            except AttributeError:
                break  # the module exists but not the name: try the next prefix
            return target
    raise LookupError(name)


def _is_path(token: str) -> bool:
    if "<" in token or "..." in token or " " in token:
        return False  # a pattern such as `qa_app/services/<domain>/`, not one path
    return token.startswith(REPO_ROOTS) or token in REPO_FILES


def _is_dotted_name(token: str) -> bool:
    if not DOTTED.match(token):
        return False
    return token.rsplit(".", 1)[1].lower() not in FILE_SUFFIXES


def test_there_are_pages():
    names = {p.name for p in PAGES}
    assert {"README.md", "architecture.md", "formats.md", "framework.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_path_named_exists(page):
    missing = [
        token
        for token in _inline_code(page)
        if _is_path(token) and not (ROOT / token.split("#")[0].rstrip("/")).exists()
    ]
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_dotted_name_resolves(page):
    missing = []
    for token in _inline_code(page):
        if _is_dotted_name(token):
            try:
                resolve(token)
            except LookupError:
                missing.append(token)
    assert not missing, f"{page.name} names functions or modules that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    broken = []
    for match in LINK.finditer(_prose(page)):
        target = match.group(1)
        if re.match(r"^[a-z]+:", target):
            continue  # http:, https:, mailto:
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in anchors(file)):
            broken.append(target)
    assert not broken, f"{page.name} has broken links: {broken}"


def test_every_setting_named_exists():
    """`QA_NAME` in a page is the environment override of ``config.Config.NAME``."""
    import config  # noqa: PLC0415 - config.py sits at the top of the repository

    missing = [
        token
        for page in PAGES
        for token in _inline_code(page)
        if SETTING.match(token)
        and token not in ENVIRONMENT_ONLY
        and not hasattr(config.Config, token.removeprefix("QA_"))
    ]
    assert not missing, f"settings named in docs/ that config.Config does not have: {missing}"


def test_every_door_in_a_domain_docstring_exists():
    """Each ``qa_app/services/<domain>/__init__.py`` names its doors: ``module.function``, or
    ``function`` alone for another function of the module named just before it."""
    missing = []
    for init in sorted((ROOT / "qa_app" / "services").glob("*/__init__.py")):
        domain = init.parent.name
        module = importlib.import_module(f"qa_app.services.{domain}")
        assert module.__doc__ and "Doors:" in module.__doc__, f"{domain}: no 'Doors:' listed"
        current = None
        for name in DOOR.findall(module.__doc__.split("Doors:", 1)[1]):
            if name.startswith("qa_app."):
                full = name
            elif "." in name:
                current, _, function = name.partition(".")
                full = f"qa_app.services.{domain}.{current}.{function}"
            else:
                full = f"qa_app.services.{domain}.{current}.{name}"
            try:
                resolve(full)
            except LookupError:
                missing.append(f"{domain}: {name}")
    assert not missing, f"doors named in domain docstrings that do not exist: {missing}"


def test_links_from_the_code_to_the_docs_resolve():
    """Docstrings and comments point at docs/ pages (e.g. docs/framework.md#moderation)."""
    broken = []
    sources = [ROOT / "config.py", ROOT / "README.md"]
    for folder in ("qa_app", "workers", "tests", "benchmarks", "scripts", "templates"):
        sources += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md", ".html")]
    for source in sources:
        for match in CODE_LINK.finditer(source.read_text(encoding="utf-8", errors="replace")):
            page = DOCS / match.group(1)
            anchor = (match.group(2) or "").lstrip("#")
            if not page.exists() or (anchor and anchor not in anchors(page)):
                broken.append(f"{source.relative_to(ROOT)}: {match.group(0)}")
    assert not broken, f"links to docs/ that do not resolve: {broken}"


def test_the_checks_catch_a_renamed_function_and_a_broken_anchor():
    """The resolver and the anchors are what the tests above rely on: prove they can fail."""
    assert resolve("sampling.draw.draw_sample").__name__ == "draw_sample"
    assert resolve("workers.jobs.run_task").__name__ == "run_task"
    with pytest.raises(LookupError):
        resolve("sampling.draw.draw_the_sample")
    with pytest.raises(LookupError):
        resolve("sampling.no_such_module.draw_sample")
    assert "moderation" in anchors(DOCS / "framework.md")
    assert "no-such-heading" not in anchors(DOCS / "framework.md")
