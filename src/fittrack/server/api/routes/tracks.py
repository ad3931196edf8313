"""``/v1/activities/{id}/track``: an activity's track, as ``storage.trackcodec``'s bytes."""

import uuid

from fastapi import APIRouter, HTTPException, Request, Response

from fittrack.server.api.deps import ERRORS, CurrentUser, SessionDep
from fittrack.server.data import tracks

router = APIRouter(prefix="/v1/activities", tags=["tracks"], responses=ERRORS)

_OCTETS = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
_TOO_LARGE = f"a track is at most {tracks.MAX_TRACK_BYTES // (1024 * 1024)} MB encoded"


@router.put(
    "/{activity_id}/track",
    status_code=204,
    responses={413: {"description": _TOO_LARGE}},
    openapi_extra={"requestBody": {"required": True, "content": _OCTETS}},
)
async def put_track(
    activity_id: uuid.UUID, request: Request, conn: SessionDep, user: CurrentUser
) -> Response:
    """Keep the encoded track (``application/octet-stream``) as the activity's; idempotent.

    422 when the body is not a track, 413 when it is over the size limit, 404 when the token's
    user has no such (live) activity."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > tracks.MAX_TRACK_BYTES:
        raise HTTPException(status_code=413, detail=_TOO_LARGE)  # refused before it is read
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > tracks.MAX_TRACK_BYTES:
            raise HTTPException(status_code=413, detail=_TOO_LARGE)
    await tracks.put(conn, user, str(activity_id), bytes(data))
    return Response(status_code=204)


@router.get(
    "/{activity_id}/track",
    response_class=Response,
    responses={200: {"description": "the encoded track", "content": _OCTETS}},
)
async def get_track(activity_id: uuid.UUID, conn: SessionDep, user: CurrentUser) -> Response:
    """The activity's encoded track; 404 when it has none."""
    data = await tracks.get(conn, user, str(activity_id))
    return Response(content=data, media_type="application/octet-stream")
