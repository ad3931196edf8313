"""What ``fittrack sync`` uses: ``POST /v1/batch`` and ``GET /v1/changes``."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from fittrack.server.api.deps import ERRORS, CurrentUser, SessionDep, StateDep, invalidate
from fittrack.server.data import sync
from fittrack.server.data.common import MAX_PAGE
from fittrack.server.models import Batch, BatchResult, Changes

router = APIRouter(prefix="/v1", tags=["sync"], responses=ERRORS)


@router.post("/batch", response_model=BatchResult)
async def batch(body: Batch, conn: SessionDep, user: CurrentUser, state: StateDep) -> Any:
    """Store many activities and goals under their clients' ids in one transaction, each by
    the rules of its PUT; one result per item."""
    result = await sync.apply_batch(conn, user, body)
    if body.activities:
        await invalidate(state, "recent", user)
    if body.goals:
        await invalidate(state, "goals", user)
    return result


@router.get("/changes", response_model=Changes)
async def changes(
    conn: SessionDep,
    user: CurrentUser,
    since: Annotated[int, Query(ge=0, le=2**62, description="a cursor from a previous call")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
) -> Any:
    """Everything the user's devices wrote after ``since``, deletions included."""
    return await sync.changes(conn, user, since, limit)
