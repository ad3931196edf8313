"""``/healthz`` (the process is alive) and ``/readyz`` (its database and Redis answer)."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from fittrack.server.api.deps import StateDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "not ready"}})
async def readyz(state: StateDep) -> Any:
    """Ready or not: the database (and Redis, when used) answer. The reason goes to the log
    only: an anonymous caller learns nothing of the system behind."""
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        if state.redis is not None:
            await state.redis.ping()
    except Exception as exc:
        state.log.warning("not ready: %s", exc)
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return {"status": "ok"}
