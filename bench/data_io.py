"""Time export and import against raw sqlite3, and the watch-file parsers, as whole processes.

    python bench/data_io.py              # uses bench/data-1m (built by commands.py / make_db.py)

- export: `fittrack export --out F.csv` of 1,000,000 activities against a raw sqlite3-to-CSV dump of
  the same table (``SELECT *`` through ``csv.writer``); target ≤ 3x.
- import: `fittrack import F.csv` into an empty log against a raw ``executemany`` of the same rows
  (read with the csv module) into the same, freshly migrated schema; target ≤ 5x, and the import
  process's peak memory (max RSS) under 300 MB.
- a 3 MB FIT (the ELEMNT ride chained 5 times) and a 2 MB TCX (a real run's laps repeated): each
  `fittrack import --dry-run` well under 2 s.
- tracks (issue 15): each shared GPX, TCX and FIT file imported on its own into a fresh log, as a
  whole process: its time, the samples stored and the bytes a sample of ``activity_track.data``
  (target ≤ 6 on the files with positions). ``python bench/data_io.py --tracks`` runs only this.
"""

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_db import build

HERE = Path(__file__).parent
DATA = HERE.parent.parent / "shared" / "data"
FITTRACK = [sys.executable, "-m", "fittrack"]


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of a child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{' '.join(cmd)} failed: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss / 1024


def _raw_dump(db: Path, out: Path) -> float:
    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    with open(out, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        cursor = conn.execute("SELECT * FROM activity ORDER BY start_at")
        writer.writerow([d[0] for d in cursor.description])
        while rows := cursor.fetchmany(5000):
            writer.writerows(rows)
    conn.close()
    return time.perf_counter() - t0


def _raw_insert(csv_path: Path, home: Path) -> float:
    from fittrack.storage.db import connect

    connect(home / "fittrack.db").close()  # the same migrated schema, before the clock starts
    t0 = time.perf_counter()
    conn = sqlite3.connect(home / "fittrack.db", isolation_level=None)
    with open(csv_path, newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO activity (id, type, start_at, end_at, duration_s, distance_m, "
            "calories_kcal, calories_estimated, workload, note, source, created_at, updated_at, "
            "utc_offset_min) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            reader,
        )
        conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0


def track_rows(work: Path) -> list[tuple[str, float, int, int, int]]:
    """For each shared GPX/TCX/FIT file: seconds to import it, activities, samples, bytes."""
    rows = []
    for folder in ("gpx", "tcx", "fit"):
        for path in sorted((DATA / folder).glob(f"*.{folder}")):
            home = work / f"tracks-{path.stem}"
            env = {**os.environ, "FITTRACK_HOME": str(home)}
            _timed([*FITTRACK, "list", "--limit", "1"], env)  # create and migrate, untimed
            t0 = time.perf_counter()
            done = subprocess.run(
                [*FITTRACK, "import", str(path)], env=env, capture_output=True, check=False
            )
            elapsed = time.perf_counter() - t0
            if done.returncode != 0:
                continue  # the files that must be refused (bad CRC, no track, no times)
            conn = sqlite3.connect(home / "fittrack.db")
            count, samples, size = conn.execute(
                "SELECT (SELECT COUNT(*) FROM activity), COALESCE(SUM(samples), 0), "
                "COALESCE(SUM(length(data)), 0) FROM activity_track"
            ).fetchone()
            conn.close()
            rows.append((path.name, elapsed, count, samples, size))
    return rows


def print_tracks(rows: list[tuple[str, float, int, int, int]]) -> None:
    print(f"{'file':<52}{'import s':>9}{'acts':>5}{'samples':>9}{'bytes':>9}{'B/sample':>9}")
    for name, elapsed, count, samples, size in rows:
        per = f"{size / samples:.2f}" if samples else "no track"
        print(f"{name:<52}{elapsed:>9.2f}{count:>5}{samples:>9}{size:>9}{per:>9}")


def main() -> None:
    import compileall

    import fittrack

    compileall.compile_dir(Path(fittrack.__file__).parent, quiet=1)
    if "--tracks" in sys.argv[1:]:
        work = Path(tempfile.mkdtemp(prefix="fittrack-bench-"))
        try:
            print_tracks(track_rows(work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    source = HERE / "data-1m"
    if not (source / "fittrack.db").exists():
        build(source, 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="fittrack-bench-"))
    env = {**os.environ, "FITTRACK_HOME": str(source)}
    rows = []
    try:
        exported = work / "export.csv"
        t_export, _ = _timed([*FITTRACK, "export", "--out", str(exported)], env)
        t_dump = _raw_dump(source / "fittrack.db", work / "dump.csv")
        rows.append(("export 1M (csv)", t_export, t_dump, t_export / t_dump, "≤ 3x", None))

        home = work / "import-home"
        env_import = {**os.environ, "FITTRACK_HOME": str(home)}
        _timed([*FITTRACK, "list", "--limit", "1"], env_import)  # create and migrate, untimed
        t_import, rss = _timed([*FITTRACK, "import", str(exported)], env_import)
        t_raw = _raw_insert(exported, work / "raw-home")
        rows.append(("import 1M (csv)", t_import, t_raw, t_import / t_raw, "≤ 5x", rss))

        files = work / "files"
        files.mkdir()
        fit = (DATA / "fit" / "fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit").read_bytes()
        (files / "big.fit").write_bytes(fit * 5)
        tcx = (DATA / "tcx" / "firefly__running_activity_1.tcx").read_text(encoding="utf-8")
        head, _, rest = tcx.partition("<Lap ")
        laps, _, tail = ("<Lap " + rest).rpartition("</Lap>")
        (files / "big.tcx").write_text(head + (laps + "</Lap>") * 3 + tail, encoding="utf-8")
        for name in ("big.fit", "big.tcx"):
            size = (files / name).stat().st_size / 1e6
            t, _ = _timed([*FITTRACK, "import", "--dry-run", str(files / name)], env_import)
            rows.append((f"{name} ({size:.1f} MB)", t, None, None, "< 2 s", None))
        tracks = track_rows(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'what':<22}{'fittrack s':>11}{'raw s':>8}{'ratio':>8}  target  peak RSS")
    for what, ours, raw, ratio, target, rss in rows:
        print(
            f"{what:<22}{ours:>11.2f}{'' if raw is None else f'{raw:.2f}':>8}"
            f"{'' if ratio is None else f'{ratio:.1f}x':>8}  {target:<7}"
            f"{'' if rss is None else f'{rss:.0f} MB'}"
        )
    print()
    print_tracks(tracks)


if __name__ == "__main__":
    main()
