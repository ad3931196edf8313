"""Column names of each table, generated from ``storage.schema`` (do not edit by hand).

Regenerate with ``python -m fittrack.storage.schema`` after changing a table;
``tests/storage/test_schema.py`` fails while this file and the tables differ.
"""

ACTIVITY = (
    "id",
    "created_at",
    "updated_at",
    "deleted_at",
    "owner",
    "change_seq",
    "type",
    "start_at",
    "end_at",
    "utc_offset_min",
    "duration_s",
    "distance_m",
    "calories_kcal",
    "calories_estimated",
    "workload",
    "note",
    "source",
    "calories_method",
)

ACTIVITY_TRACK = (
    "activity_id",
    "owner",
    "samples",
    "data",
    "elevation_gain_m",
    "best_efforts",
    "created_at",
    "updated_at",
    "change_seq",
    "figures",
)

ACTIVITY_TYPE = (
    "id",
    "created_at",
    "updated_at",
    "deleted_at",
    "owner",
    "change_seq",
    "slug",
    "name",
    "met",
    "aliases",
    "tracks_distance",
    "max_speed_mps",
    "figure",
)

API_TOKEN = (
    "token_hash",
    "user_id",
    "created_at",
    "prefix",
    "last_used_at",
)

APP_USER = (
    "id",
    "email",
    "change_seq",
    "created_at",
)

GOAL = (
    "id",
    "created_at",
    "updated_at",
    "deleted_at",
    "owner",
    "change_seq",
    "name",
    "period",
    "metric",
    "target",
    "activity_type",
    "start_date",
    "end_date",
    "paused",
    "pauses",
)

PROFILE = (
    "id",
    "created_at",
    "updated_at",
    "deleted_at",
    "owner",
    "change_seq",
    "weight_kg",
    "timezone",
    "units",
    "week_start",
    "birth_date",
    "sex",
    "height_cm",
    "resting_hr",
    "max_hr",
)

SYNC_STATE = (
    "key",
    "value",
)

UNDO_STEP = (
    "seq",
    "made_at",
    "summary",
    "changes",
)
