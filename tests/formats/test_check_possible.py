"""Values no workout has are refused before the importer does arithmetic on them."""

from datetime import UTC, datetime, timedelta

import pytest

from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, check_possible

START = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)


def item(**values: object) -> ImportedActivity:
    fields: dict[str, object] = {"start": START, "source": "csv", "duration_s": 1800.0}
    fields.update(values)
    return ImportedActivity(**fields)  # type: ignore[arg-type]


def test_an_ordinary_activity_passes() -> None:
    check_possible(
        item(
            end=START + timedelta(minutes=30),
            distance_m=5000.0,
            calories_kcal=350.0,
            workload=120.0,
            id="00000000-0000-4000-8000-000000000001",
        )
    )
    check_possible(item(duration_s=None))  # missing values are for the importer to fill in


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"start": datetime(1850, 1, 1, tzinfo=UTC)}, "a date outside"),
        ({"end": START - timedelta(seconds=1)}, "ends before it starts"),
        ({"duration_s": float("nan")}, "an impossible duration"),
        ({"distance_m": -1.0}, "an impossible distance"),
        ({"calories_kcal": float("inf")}, "an impossible calories"),
        ({"workload": 1e12}, "an impossible workload"),
        ({"id": "not-a-uuid"}, "is not a UUID"),
    ],
)
def test_impossible_values_are_refused_with_the_reason(
    values: dict[str, object], reason: str
) -> None:
    with pytest.raises(DataError, match=reason) as caught:
        check_possible(item(**values))
    assert str(caught.value).startswith("the activity starting ")
