"""Our CSV: writing rows under the ACTIVITY header, and reading them back."""

import csv
import io

from fittrack.core.activity import ACTIVITY_KEYS
from fittrack.errors import DataError
from fittrack.formats import fittrack_csv

ROW = (
    "00000000-0000-4000-8000-000000000001",
    "run",
    "2026-05-01T07:30:00+02:00",
    "2026-05-01T08:00:00+02:00",
    1800.0,
    5000.0,
    350.5,
    "true",
    "met",
    123.25,
    'a "quoted", two\nlines',
    "manual",
    "2026-05-01T05:00:00.123456+00:00",
    "2026-05-02T05:00:00.654321+00:00",
)


def test_write_puts_the_header_then_every_batch_and_counts_the_rows() -> None:
    out = io.StringIO()
    second = (ROW[0][:-1] + "2", *ROW[1:10], "", *ROW[11:])
    assert fittrack_csv.write(out, [[ROW], [second, ROW]]) == 3
    header, *rows = csv.reader(io.StringIO(out.getvalue(), newline=""))
    assert header == list(ACTIVITY_KEYS)
    assert [row[0][-1] for row in rows] == ["1", "2", "1"]
    assert rows[0] == [str(value) for value in ROW]  # the note's quotes and line break kept


def test_write_with_no_rows_writes_the_header_only() -> None:
    out = io.StringIO()
    assert fittrack_csv.write(out, []) == 0
    assert out.getvalue() == ",".join(ACTIVITY_KEYS) + "\n"


def test_what_is_written_reads_back() -> None:
    out = io.StringIO()
    fittrack_csv.write(out, [[ROW]])
    data = out.getvalue().encode()
    assert fittrack_csv.looks_like_ours(data)
    (activity,) = fittrack_csv.read(io.BytesIO(data), "x.csv")
    assert activity.id == ROW[0]
    assert activity.start.isoformat() == ROW[2]
    assert activity.note == ROW[10]
    assert activity.calories_estimated is True
    assert activity.created_at is not None
    assert activity.created_at.isoformat() == ROW[12]
    assert activity.calories_method == "met"


def test_a_csv_from_before_calories_method_still_reads() -> None:
    """An export written before the column existed: its method is left to the importer."""
    header = [k for k in ACTIVITY_KEYS if k != "calories_method"]
    old_row = [str(v) for i, v in enumerate(ROW) if i != 8]
    out = io.StringIO()
    csv.writer(out).writerows([header, old_row])
    data = out.getvalue().encode()
    (activity,) = fittrack_csv.read(io.BytesIO(data), "old.csv")
    assert activity.calories_method is None
    assert activity.note == ROW[10]


def test_an_unknown_calories_method_is_refused() -> None:
    out = io.StringIO()
    fittrack_csv.write(out, [[(*ROW[:8], "guess", *ROW[9:])]])
    try:
        list(fittrack_csv.read(io.BytesIO(out.getvalue().encode()), "x.csv"))
    except DataError as exc:
        assert "calories_method" in str(exc) and "guess" in str(exc)
    else:
        raise AssertionError("an unknown method was read")
