"""Finding what to import: files, folders, zips and pipes as units, in order, unusable ones said."""

import os
import zipfile
from pathlib import Path

import pytest

from fittrack.errors import DataError
from fittrack.formats import discover
from fittrack.formats.discover import Unit, Unusable, units


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_file_is_one_unit_read_from_disk(tmp_path: Path) -> None:
    file = touch(tmp_path / "Run.GPX", b"<gpx/>")
    (unit,) = units([file])
    assert isinstance(unit, Unit)
    assert (unit.label, unit.name, unit.path) == (str(file), "Run.GPX", file)
    assert unit.read() == b"<gpx/>"
    assert not unit.is_strava_export


def test_a_missing_path_is_unusable_in_its_place(tmp_path: Path) -> None:
    a = touch(tmp_path / "a.csv")
    found = list(units([a, tmp_path / "nope.csv", a]))
    assert found[1] == Unusable(str(tmp_path / "nope.csv"), "no such file or folder")
    assert [u.label for u in found] == [str(a), str(tmp_path / "nope.csv"), str(a)]


def test_a_folder_gives_its_data_files_sorted_and_recursively(tmp_path: Path) -> None:
    folder = tmp_path / "watch"
    for name in ("b.fit.gz", "a.tcx", "notes.txt", "sub/c.json", "sub/d.csv", ".DS_Store"):
        touch(folder / name)
    labels = [u.label for u in units([folder])]
    assert labels == [str(folder / n) for n in ("a.tcx", "b.fit.gz", "sub/c.json", "sub/d.csv")]


def test_a_folder_without_data_files_is_unusable(tmp_path: Path) -> None:
    touch(tmp_path / "empty" / "readme.txt")
    assert list(units([tmp_path / "empty"])) == [
        Unusable(str(tmp_path / "empty"), discover.NO_DATA_FILES)
    ]


def test_a_zip_gives_its_data_members_but_not_nested_zips(tmp_path: Path) -> None:
    archive = tmp_path / "files.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("rides/one.gpx", b"<gpx>1</gpx>")
        out.writestr("inner.zip", b"PK")
        out.writestr("readme.md", b"hi")
        out.writestr("two.FIT", b"fit")
    found = list(units([archive]))
    assert [(u.label, u.name) for u in found if isinstance(u, Unit)] == [
        (f"{archive}/rides/one.gpx", "one.gpx"),
        (f"{archive}/two.FIT", "two.FIT"),
    ]
    assert isinstance(found[0], Unit)
    assert found[0].path is None  # read from the zip, not streamed from disk
    assert found[0].read() == b"<gpx>1</gpx>"


def test_a_zip_that_is_not_one_or_holds_nothing_is_unusable(tmp_path: Path) -> None:
    broken = touch(tmp_path / "broken.zip", b"not a zip at all")
    (unit,) = units([broken])
    assert isinstance(unit, Unusable)
    assert unit.error.startswith("not a readable zip file")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as out:
        out.writestr("readme.md", b"hi")
    assert list(units([empty])) == [Unusable(str(empty), discover.NO_DATA_FILES)]


def test_a_strava_export_is_one_unit(tmp_path: Path) -> None:
    folder = tmp_path / "export_123"
    touch(folder / "activities.csv", b"Activity ID,Activity Date\n")
    touch(folder / "activities" / "1.gpx")
    archive = tmp_path / "export_123.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("activities.csv", b"Activity ID,Activity Date\n")
    for path in (folder, archive):
        (unit,) = units([path])
        assert isinstance(unit, Unit)
        assert (unit.label, unit.path, unit.is_strava_export) == (str(path), path, True)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_a_unit_without_a_path(tmp_path: Path) -> None:
    pipe = tmp_path / "stdin"
    os.mkfifo(pipe)
    (unit,) = units([pipe])
    assert isinstance(unit, Unit)
    assert (unit.label, unit.name, unit.path) == (str(pipe), "stdin", None)


def test_a_pipe_is_read_once(tmp_path: Path) -> None:
    source = touch(tmp_path / "once", b"first")
    read = discover.read_pipe(source)
    assert read() == b"first"
    source.write_bytes(b"second")
    assert read() == b"first"


def test_a_pipe_too_big_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover, "PIPE_LIMIT", 4)
    read = discover.read_pipe(touch(tmp_path / "big", b"12345"))
    with pytest.raises(DataError, match="more than 512 MB from a pipe"):
        read()
