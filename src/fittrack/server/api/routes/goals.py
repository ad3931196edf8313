"""``/v1/goals``: add, list, delete, and a goal's progress."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from fittrack.server.api.deps import ERRORS, CurrentUser, SessionDep, StateDep, cached, invalidate
from fittrack.server.data import goals
from fittrack.server.data.common import parse_api_day
from fittrack.server.models import GoalCreate, GoalPublic, GoalUpdate, ProgressPublic

router = APIRouter(prefix="/v1/goals", tags=["goals"], responses=ERRORS)


@router.put(
    "/{goal_id}",
    response_model=GoalPublic,
    responses={201: {"description": "created", "model": GoalPublic}},
)
async def put_goal(
    goal_id: uuid.UUID,
    body: GoalUpdate,
    conn: SessionDep,
    user: CurrentUser,
    state: StateDep,
    response: Response,
) -> Any:
    """Store a goal under the client's UUID (idempotent; a newer ``updated_at`` wins)."""
    created, stored = await goals.put(conn, user, str(goal_id), body)
    await invalidate(state, "goals", user)
    response.status_code = 201 if created else 200
    return stored


@router.post("", response_model=GoalPublic, status_code=201)
async def post_goal(body: GoalCreate, conn: SessionDep, user: CurrentUser, state: StateDep) -> Any:
    """Add a goal."""
    stored = await goals.create(conn, user, body)
    await invalidate(state, "goals", user)
    return stored


@router.get("", response_model=list[GoalPublic])
async def list_goals(conn: SessionDep, user: CurrentUser, state: StateDep) -> Any:
    """The user's goals (from the cache when it has them)."""
    return await cached(state, "goals", lambda: goals.listed(conn, user), user)


@router.delete("/{goal_id}", status_code=204)
async def delete_goal(
    goal_id: uuid.UUID, conn: SessionDep, user: CurrentUser, state: StateDep
) -> Response:
    """Delete a goal (a tombstone)."""
    await goals.delete(conn, user, str(goal_id))
    await invalidate(state, "goals", user)
    return Response(status_code=204)


@router.get("/{goal_id}/progress", response_model=ProgressPublic)
async def goal_progress(
    goal_id: uuid.UUID,
    conn: SessionDep,
    user: CurrentUser,
    on: Annotated[
        str | None,
        Query(
            alias="date",
            max_length=10,
            description="YYYYMMDD: the period containing that day, as of its end",
        ),
    ] = None,
) -> Any:
    """The goal in its current period: ``currentValue``, ``status`` and the rest of the CLI's
    PROGRESS, in the user's timezone."""
    day = None if on is None else parse_api_day(on, "date")
    return await goals.goal_progress(conn, user, str(goal_id), day)
