"""`/admin` for moderators: each job's last and next run, the backlogs, the database size; and
its JSON twin for scripts and dashboards."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from dailypapers.community.services import require_moderator
from dailypapers.db.models import User, utcnow
from dailypapers.jobs.services import StatusReport, status_report
from dailypapers.search.runtime import lexical_position
from dailypapers.web.deps import CurrentUser, DbSession, render

router = APIRouter(include_in_schema=False)


def _report(request: Request, session: DbSession, user: User | None) -> StatusReport:
    if user is None:
        raise HTTPException(401, "Sign in first.")
    try:
        require_moderator(user)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from exc
    return status_report(session, utcnow(), lexical_position(request.app.state.settings))


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, session: DbSession, user: CurrentUser) -> Response:
    return render(request, "admin.html", {"report": _report(request, session, user)})


@router.get("/admin.json")
def admin_json(request: Request, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    report = _report(request, session, user)
    return {
        "jobs": [
            {
                "name": job.name,
                "nextRun": job.next_run.isoformat() + "Z" if job.next_run else None,
                "lastRun": None
                if job.last is None
                else {
                    "startedAt": job.last.started_at.isoformat() + "Z",
                    "finishedAt": job.last.finished_at.isoformat() + "Z"
                    if job.last.finished_at
                    else None,
                    "outcome": job.last.outcome,
                    "new": job.last.new,
                    "summary": job.last.summary,
                    "error": job.last.error,
                },
            }
            for job in report.jobs
        ],
        "backlogs": report.backlogs,
        "databaseBytes": report.database_bytes,
    }
