"""Benchmark: the audit form with a large council.

1. Autosave round trip (one answer): 20 auditors saving at once against the database under
   gunicorn (real HTTP, sign-in, CSRF header, optimistic locking). Target: median < 50 ms,
   p95 < 150 ms on PostgreSQL.
2. A section page render (test client, in process). Target: median < 80 ms.
3. A single-audit PDF (WeasyPrint). Target: under 2 s.

Run with `bash benchmarks/run audit_form` (100,000 cases), or `python -m benchmarks.audit_form
CASES`. Figures are printed, never asserted.
"""

import http.cookiejar
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from benchmarks.common import bench_app, database_urls, summarise, timed
from qa_app import create_app
from qa_app.demo import DEMO_PASSWORD, seed_demo
from qa_app.extensions import db
from qa_app.models import Assignment, AuditCycle, Case, User, UserRole
from qa_app.models.vocab import TIER2_ROLES
from qa_app.services.audits import form as audit_form

AUDITORS = 20
SAVES_EACH = 40
RENDERS = 50
BENCH_MONTH, BENCH_DUE = "2099-01", date(2099, 1, 30)
PDFS = 5
ROOT = Path(__file__).resolve().parents[1]


def prepare(app, cases: int) -> list[tuple[str, int, str]]:
    """Seed the council and start one audit for each of 20 auditors: (email, audit id, section)."""
    with app.app_context():
        seed_demo(cases=cases, seed=2026, today=date.today(), now=datetime.now())
        db.session.commit()
        auditors = db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(TIER2_ROLES), User.email.is_not(None), User.active)
            .order_by(User.id)
            .limit(AUDITORS)
        ).all()
        open_cases = db.session.scalars(
            select(Case).where(Case.closed_on.is_(None)).order_by(Case.id).limit(AUDITORS)
        ).all()
        # A month after the demo's history (which holds the cycles up to today's month).
        cycle = AuditCycle(
            month=BENCH_MONTH, reference_date=BENCH_DUE.replace(day=1), seed=1, status="published"
        )
        from qa_app.models import SampleItem  # noqa: PLC0415

        out = []
        for auditor, case in zip(auditors, open_cases, strict=True):
            item = SampleItem(
                cycle=cycle, case_id=case.id, team_id=case.team_id, cohort=case.cohort
            )
            assignment = Assignment(item=item, auditor=auditor, due_on=BENCH_DUE, status="assigned")
            db.session.add(assignment)
            db.session.flush()
            audit = audit_form.start_audit(assignment, by=auditor, now=datetime.now())
            out.append((auditor.email, audit.id, audit_form.definition(audit).sections[0].key))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return out


def render_and_pdf(
    app, audit_id: int, auditor_email: str, section: str
) -> tuple[dict, dict, float]:
    with app.app_context():
        user_id = db.session.scalar(select(User).where(User.email == auditor_email)).get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    url = f"/audits/{audit_id}/pages/{section}"
    assert client.get(url).status_code == 200  # warm up
    renders = summarise([timed(lambda: client.get(url)) for _ in range(RENDERS)])
    # Fill the audit and submit it, then time its PDF (the first includes WeasyPrint's import).
    complete_and_submit(app, client, audit_id)
    pdf_url = f"/audits/{audit_id}/audit.pdf"
    from qa_app.pdf import warm_up  # noqa: PLC0415

    warming = timed(warm_up)  # what each gunicorn worker does at start (gunicorn.conf.py)
    first = timed(lambda: client.get(pdf_url))
    pdfs = summarise([timed(lambda: client.get(pdf_url)) for _ in range(PDFS)])
    return renders, pdfs, first, warming


def complete_and_submit(app, client, audit_id: int) -> None:
    from qa_app.models import Audit  # noqa: PLC0415

    with app.app_context():
        audit = db.session.get(Audit, audit_id)
        toolkit = audit_form.definition(audit)
        changes = {}
        for section in toolkit.sections:
            changes[f"sections.{section.key}.grade"] = 2
            changes[f"sections.{section.key}.evidence"] = "Evidence paragraph. " * 40
        for question in toolkit.compliance:
            changes[f"compliance.{question.key}"] = "yes"
        changes["overall.grade"] = 2
        changes["overall.rationale"] = "Rationale. " * 40
        audit_form.save_changes(
            audit, changes, expected_version=audit.version, by=audit.auditor, now=datetime.now()
        )
        version = audit.version
        db.session.commit()
    assert client.post(f"/audits/{audit_id}/submit", data={"version": version}).status_code == 302


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "QA_CONFIG": "development",
        "QA_DATABASE_URL": url,
        "QA_REDIS_URL": "fakeredis://",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "qa_app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120  # four workers warming WeasyPrint on a busy machine
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def auditor_session(base: str, email: str, audit_id: int, section: str, samples: list, start):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/auth/sign-in").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": DEMO_PASSWORD})
    opener.open(f"{base}/auth/sign-in", data=form.encode()).read()
    page = opener.open(f"{base}/audits/{audit_id}/pages/{section}").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    rng = random.Random(audit_id)
    start.wait()
    for n in range(SAVES_EACH):
        body = json.dumps(
            {
                "version": version,
                "field": f"sections.{section}.evidence",
                "value": f"Typed {n} " * 50,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - http to our own server
            f"{base}/audits/{audit_id}/autosave",
            data=body,
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        started = time.perf_counter()
        response = json.loads(opener.open(request).read())
        samples.append(time.perf_counter() - started)
        version = response["version"]
        # One save per field change at most every debounce interval (800 ms) while typing.
        time.sleep(rng.uniform(0.5, 1.5))


def autosave_under_gunicorn(url: str, audits: list[tuple[str, int, str]]) -> dict:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_gunicorn(url, port)
    try:
        samples: list[float] = []
        start = threading.Barrier(len(audits))
        threads = [
            threading.Thread(
                target=auditor_session,
                args=(f"http://127.0.0.1:{port}", email, audit_id, section, samples, start),
            )
            for email, audit_id, section in audits
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return summarise(samples)
    finally:
        server.terminate()
        try:  # workers still warming WeasyPrint on a loaded machine finish that first
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in database_urls(tmp):
            if label == "SQLite" and os.environ.get("QA_BENCH_DATABASE_URL"):
                continue  # the targets are for PostgreSQL; SQLite only when there is none
            app = bench_app(url)
            audits = prepare(app, cases)
            save = autosave_under_gunicorn(url, audits)
            print(
                f"autosave {label}, {cases:,} cases, {AUDITORS} auditors at once under gunicorn "
                f"(4 workers): median {save['median_ms']:.1f} ms, p95 {save['p95_ms']:.1f} ms over "
                f"{save['n']} saves "
                f"({'meets' if save['median_ms'] < 50 and save['p95_ms'] < 150 else 'MISSES'} "
                f"the target)"
            )
            email, audit_id, section = audits[0]
            # In process, without CSRF (the autosave run above goes through it).
            local = create_app(
                "development", DATABASE_URL=url, REDIS_URL="fakeredis://", WTF_CSRF_ENABLED=False
            )
            renders, pdfs, first, warming = render_and_pdf(local, audit_id, email, section)
            print(
                f"section page {label}, {cases:,} cases: median {renders['median_ms']:.1f} ms, "
                f"p95 {renders['p95_ms']:.1f} ms over {renders['n']} renders "
                f"({'meets' if renders['median_ms'] < 80 else 'MISSES'} the target)"
            )
            print(
                f"audit PDF {label}: median {pdfs['median_ms']:.0f} ms over {pdfs['n']}, first "
                f"{first * 1000:.0f} ms after the worker's warm-up ({warming * 1000:.0f} ms, "
                f"at worker start) "
                f"({'meets' if max(first, pdfs['p95_ms'] / 1000) < 2 else 'MISSES'} the target)"
            )


if __name__ == "__main__":
    main()
