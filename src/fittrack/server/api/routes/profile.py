"""``/v1/profile`` and ``/v1/me``."""

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from fittrack.errors import NotFound
from fittrack.server.api.deps import ERRORS, CurrentUser, SessionDep
from fittrack.server.data import profile
from fittrack.server.data.common import USERS
from fittrack.server.models import Me, ProfileBody, ProfilePublic

router = APIRouter(prefix="/v1", tags=["profile"], responses=ERRORS)


@router.get("/me", response_model=Me)
async def me(conn: SessionDep, user: CurrentUser) -> Any:
    """Who the token belongs to (``fittrack login`` checks a token with it)."""
    query = select(USERS.c.id, USERS.c.email).where(USERS.c.id == user)
    row = (await conn.execute(query)).mappings().first()
    if row is None:
        raise NotFound("this token's user no longer exists")
    return dict(row)


@router.get("/profile", response_model=ProfilePublic)
async def get_profile(conn: SessionDep, user: CurrentUser) -> Any:
    """The user's profile: the timezone and week start progress is computed in."""
    return await profile.get(conn, user)


@router.put("/profile", response_model=ProfilePublic)
async def put_profile(body: ProfileBody, conn: SessionDep, user: CurrentUser) -> Any:
    """Replace the user's profile."""
    return await profile.put(conn, user, body)
