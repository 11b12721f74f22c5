"""`/healthz` for load balancers: the process answers and the database does."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dailypapers.web.deps import DbSession

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(session: DbSession) -> JSONResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        return JSONResponse({"status": "down", "database": reason}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
