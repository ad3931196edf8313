"""``/v1/activities``: add (PUT under the client's id, or POST), list, view and delete."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from fittrack.server.api.deps import ERRORS, CurrentUser, SessionDep, StateDep, cached, invalidate
from fittrack.server.data import activities
from fittrack.server.data.common import MAX_PAGE, parse_api_day
from fittrack.server.models import ActivityCreate, ActivityPage, ActivityPublic, ActivityUpdate

router = APIRouter(prefix="/v1/activities", tags=["activities"], responses=ERRORS)


@router.put(
    "/{activity_id}",
    response_model=ActivityPublic,
    responses={201: {"description": "created", "model": ActivityPublic}},
)
async def put_activity(
    activity_id: uuid.UUID,
    body: ActivityUpdate,
    conn: SessionDep,
    user: CurrentUser,
    state: StateDep,
    response: Response,
) -> Any:
    """Store an activity under the client's UUID (idempotent; a newer ``updated_at`` wins)."""
    created, stored = await activities.put(conn, user, str(activity_id), body)
    await invalidate(state, "recent", user)
    response.status_code = 201 if created else 200
    return stored


@router.post("", response_model=ActivityPublic, status_code=201)
async def post_activity(
    body: ActivityCreate, conn: SessionDep, user: CurrentUser, state: StateDep
) -> Any:
    """Add an activity; calories and workload are estimated unless given."""
    stored = await activities.create(conn, user, body)
    await invalidate(state, "recent", user)
    return stored


@router.get("", response_model=ActivityPage)
async def list_activities(
    conn: SessionDep,
    user: CurrentUser,
    state: StateDep,
    from_date: Annotated[
        str | None, Query(alias="fromDate", max_length=10, description="YYYYMMDD")
    ] = None,
    to_date: Annotated[
        str | None, Query(alias="toDate", max_length=10, description="YYYYMMDD, inclusive")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """Activities newest first, within days of the user's timezone; a page at a time."""
    from_day = None if from_date is None else parse_api_day(from_date, "fromDate")
    to_day = None if to_date is None else parse_api_day(to_date, "toDate")
    if from_day is None and to_day is None and cursor is None and limit <= state.cache.last_n:
        # The newest page is the seed's "last N workouts": from the cache, which keeps one more
        # than N so that it knows whether the page goes on.
        count = state.cache.last_n + 1
        recent = await cached(state, "recent", lambda: activities.recent(conn, user, count), user)
        return activities.page_of(recent, limit)
    return await activities.page(
        conn, user, from_day=from_day, to_day=to_day, limit=limit, cursor=cursor
    )


@router.get("/{activity_id}", response_model=ActivityPublic)
async def get_activity(activity_id: uuid.UUID, conn: SessionDep, user: CurrentUser) -> Any:
    """One activity: every saved field, plus the seed's ``duration`` (minutes) and
    ``calories``."""
    return await activities.get(conn, user, str(activity_id))


@router.delete("/{activity_id}", status_code=204)
async def delete_activity(
    activity_id: uuid.UUID, conn: SessionDep, user: CurrentUser, state: StateDep
) -> Response:
    """Delete an activity (a tombstone, which sync carries to other devices)."""
    await activities.delete(conn, user, str(activity_id))
    await invalidate(state, "recent", user)
    return Response(status_code=204)
