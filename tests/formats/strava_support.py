"""What the Strava tests share: a current-layout activities.csv built from rows of values."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from fittrack.formats import ImportedActivity

SAMPLES = Path(__file__).parents[3] / "shared" / "data" / "csv"
CURRENT = SAMPLES / "strava_activities__JoBoSo_export_2025-08_sample.csv"
HTML_SPANS = SAMPLES / "strava_activities__JoBoSo_export_2023-10_html-spans_sample.csv"

# The current layout's columns that matter, in their real order, duplicates included: the first
# Elapsed Time / Distance pair is the display summary, the second the SI one.
HEADER = [
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Activity Description",
    "Elapsed Time",
    "Distance",
    "Max Heart Rate",
    "Relative Effort",
    "Commute",
    "Activity Private Note",
    "Activity Gear",
    "Filename",
    "Athlete Weight",
    "Bike Weight",
    "Elapsed Time",
    "Moving Time",
    "Distance",
    "Max Speed",
    "Calories",
]


def current_csv(*rows: dict[str, str], header: list[str] = HEADER) -> bytes:
    """A current-layout activities.csv; ``display Distance`` / ``display Elapsed Time`` name the
    first occurrences, plain names the SI ones."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for values in rows:
        cells = []
        seen: set[str] = set()
        for column in header:
            duplicate = column in ("Distance", "Elapsed Time") and column not in seen
            seen.add(column)
            key = f"display {column}" if duplicate else column
            cells.append(values.get(key, ""))
        writer.writerow(cells)
    return out.getvalue().encode()


def row(**values: str) -> dict[str, str]:
    base = {
        "Activity ID": "101",
        "Activity Date": "Mar 4, 2024, 7:15:00 AM",
        "Activity Name": "Morning Run",
        "Activity Type": "Run",
        "display Elapsed Time": "1800",
        "display Distance": "5.01",
        "Elapsed Time": "1800.0",
        "Moving Time": "1750.0",
        "Distance": "5012.5",
        "Calories": "350.0",
    }
    base.update({key.replace("_", " "): value for key, value in values.items()})
    return base


def by_start(activities: list[ImportedActivity]) -> dict[datetime, ImportedActivity]:
    return {activity.start: activity for activity in activities}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)
