"""Strava bulk export: the zip or its folder, walked for ``activities.csv`` and activity files.

The CSV itself is read by ``strava_csv``. The activity's own file (the ``Filename`` column:
``activities/<n>.gpx``, ``.fit.gz``, …) is read from the same zip or folder, and only for a row
that lacks something the file may give (the moving time, always missing in the legacy layout, the
distance, the calories, the sport, the end): Strava's CSV values win whenever present, because they
are what the user saw on Strava. A file that is missing, unreadable, or named by a path leading
outside the export keeps the CSV's values and adds a warning to that activity; it never fails the
import. Manual entries have no file.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from fittrack.errors import DataError
from fittrack.formats import ImportedActivity, parse_by_name
from fittrack.formats.strava_csv import CSV_NAME, FileDetail, FileDetailReader, parse_csv

__all__ = ["is_strava_export", "parse_export"]

# A zip member or export file larger than this (uncompressed) is refused rather than read into
# memory: a real activities.csv or activity file is a few MB, a zip bomb is not.
MAX_MEMBER_BYTES = 256 * 1024 * 1024


def is_strava_export(path: Path) -> bool:
    """Whether ``path`` is a Strava bulk export: a zip or folder with ``activities.csv`` in it (at
    its root or in one top folder)."""
    try:
        if path.is_dir():
            return _csv_in_folder(path) is not None
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return _csv_in_zip(archive) is not None
    except (OSError, zipfile.BadZipFile, EOFError, ValueError):
        return False
    return False


def parse_export(path: Path) -> list[ImportedActivity]:
    """The activities of a Strava bulk export: the zip, its unzipped folder, or the export's
    ``activities.csv`` itself (its folder then holds the activity files).

    Activity files are read from the same zip or folder; a ``Filename`` that points outside it
    (``../x``, an absolute path, a link leading out) is refused with a warning, never read.
    """
    if path.is_dir():
        try:
            found = _csv_in_folder(path)
        except OSError as exc:
            raise DataError(f"cannot read the folder ({exc.strerror or exc})") from exc
        if found is None:
            raise DataError(f"no {CSV_NAME} in this folder: not a Strava bulk export")
        return _parse_member_csv(_read_file(found), found.name, _folder_reader(found.parent))
    if path.suffix.lower() == ".csv":
        return parse_csv(_read_file(path), path.name, _detail_reader(_folder_reader(path.parent)))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise DataError(f"not a readable zip file ({exc})") from exc
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or exc})") from exc
    with archive:
        member = _csv_in_zip(archive)
        if member is None:
            raise DataError(f"no {CSV_NAME} in this zip: not a Strava bulk export")
        prefix = member[: -len(CSV_NAME)]
        data = _read_zip_member(archive, member)
        return _parse_member_csv(data, member, _zip_reader(archive, prefix))


def _detail_reader(open_member: Callable[[str], bytes | None]) -> FileDetailReader:
    """What ``strava_csv.parse_csv`` asks for a row's file: read here through ``open_member``."""
    return lambda filename: _file_detail(filename, open_member)


def _file_detail(
    filename: str, open_member: Callable[[str], bytes | None]
) -> tuple[FileDetail | None, str | None]:
    """The activity file's values, or a warning saying why there are none."""
    kept = "kept the CSV's values"
    try:
        data = open_member(filename)
        if data is None:
            return None, f"{filename} is not in the export; {kept}"
        found = parse_by_name(filename, data)
    except DataError as exc:
        return None, f"{filename} could not be read ({exc}); {kept}"
    except ImportError:
        # A reader this installation lacks is a missing detail, not a reason to fail the export.
        return None, f"{filename} could not be read (no reader for it); {kept}"
    if not found:
        return None, f"{filename} holds no activity; {kept}"

    def total(values: list[float | None]) -> float | None:
        """The sum of the values present; None when none is, or the sum is 0 (not measured)."""
        summed = sum(value for value in values if value is not None)
        return summed if summed > 0 else None

    ends = [activity.end for activity in found if activity.end is not None]
    typed = next((activity for activity in found if activity.type is not None), None)
    return (
        FileDetail(
            type=typed.type if typed else None,
            sport=typed.sport if typed else None,
            end=max(ends) if ends else None,
            duration_s=total([activity.duration_s for activity in found]),
            distance_m=total([activity.distance_m for activity in found]),
            calories_kcal=total([activity.calories_kcal for activity in found]),
            warnings=typed.warnings if typed else (),
        ),
        None,
    )


def _parse_member_csv(
    data: bytes, member: str, open_member: Callable[[str], bytes | None]
) -> list[ImportedActivity]:
    try:
        return parse_csv(data, member, _detail_reader(open_member))
    except DataError as exc:
        # Say which file of the export was wrong: the user sees only the zip's or folder's name.
        raise DataError(f"{member}: {exc}") from exc


def _safe_relative(filename: str) -> PurePosixPath:
    """The export-relative path a Filename names; DataError for one that leads outside it."""
    posix = filename.replace("\\", "/")
    path = PurePosixPath(posix)
    if path.is_absolute() or re.match(r"[A-Za-z]:", posix) or ".." in path.parts:
        raise DataError(f"'{filename}' points outside the export; refused")
    return path


def _csv_in_zip(archive: zipfile.ZipFile) -> str | None:
    """``activities.csv`` at the zip's root, or in the one folder everything else is in too."""
    names = [name for name in archive.namelist() if not name.startswith("__MACOSX/")]
    if CSV_NAME in names:
        return CSV_NAME
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1:
        return None
    (top,) = tops
    member = f"{top}/{CSV_NAME}"
    # Never a ".." or empty top folder: such names point outside wherever the zip is.
    return member if top not in ("", ".", "..") and member in names else None


def _csv_in_folder(folder: Path) -> Path | None:
    """``activities.csv`` in the folder, or in its only subfolder (the zip unpacked into a folder
    of its own). A folder with other things beside an export is not an export: its other files
    are imported one by one."""
    candidate = folder / CSV_NAME
    if candidate.is_file():
        return candidate
    children = [child for child in folder.iterdir() if not child.name.startswith(".")]
    if len(children) == 1 and children[0].is_dir() and (children[0] / CSV_NAME).is_file():
        return children[0] / CSV_NAME
    return None


def _read_zip_member(archive: zipfile.ZipFile, member: str) -> bytes:
    try:
        with archive.open(member) as file:
            data = file.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise DataError(f"cannot read {member} from the zip ({exc})") from exc
    except NotImplementedError as exc:  # a compression method zipfile lacks (deflate64, …)
        raise DataError(f"cannot read {member} from the zip ({exc})") from exc
    except RuntimeError as exc:  # an encrypted member
        raise DataError(f"cannot read {member} from the zip ({exc})") from exc
    if len(data) > MAX_MEMBER_BYTES:
        raise DataError(f"{member} is larger than {MAX_MEMBER_BYTES // 2**20} MB; refused")
    return data


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_MEMBER_BYTES + 1)
    except OSError as exc:
        raise DataError(f"cannot read {path.name} ({exc.strerror or exc})") from exc
    if len(data) > MAX_MEMBER_BYTES:
        raise DataError(f"{path.name} is larger than {MAX_MEMBER_BYTES // 2**20} MB; refused")
    return data


def _zip_reader(archive: zipfile.ZipFile, prefix: str) -> Callable[[str], bytes | None]:
    names = set(archive.namelist())

    def open_member(filename: str) -> bytes | None:
        member = prefix + str(_safe_relative(filename))
        return _read_zip_member(archive, member) if member in names else None

    return open_member


def _folder_reader(folder: Path) -> Callable[[str], bytes | None]:
    root = folder.resolve()

    def open_member(filename: str) -> bytes | None:
        target = root / _safe_relative(filename)
        try:
            resolved = target.resolve()
            if not resolved.is_relative_to(root):
                raise DataError(f"'{filename}' leads outside the export (a link?); refused")
            if not resolved.is_file():
                return None
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
            raise DataError(f"cannot read {filename} ({exc})") from exc
        return _read_file(resolved)

    return open_member
