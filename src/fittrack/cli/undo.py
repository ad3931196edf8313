"""``fittrack undo``: take back the last change made on this device, one step at a time."""

from fittrack.cli.common import JsonFlag, after_change, open_session, print_json

_SAID = {
    "deleted": "deleted",
    "already_deleted": "already deleted",
    "removed": "removed",
    "reset": "reset to the defaults",
    "reverted": "put back as it was",
    "restored": "brought back",
    "restored_as_copy": "brought back as a copy",
    "kept_deleted": "kept deleted (deleted since on another device)",
}


def undo(as_json: JsonFlag = False) -> None:
    """Take back the last change (log, edit, delete, restore, goal, profile, types add).

    Each undo takes back one more step, newest first, as Taskwarrior's `task undo` does.

    The last 100 changes made on this device are kept; imports and syncs are not undone.

    An undo is itself a change: `fittrack sync` carries it to your other devices.

    Example: fittrack undo
    """
    from fittrack.core.moments import stamp
    from fittrack.storage.db import write
    from fittrack.storage.undo import undo_last

    session = open_session()
    with write(session.conn) as conn:
        undone = undo_last(conn, session.now)
    after_change(session)
    if as_json:
        print_json(
            {
                "undone": undone.summary,
                "made_at": stamp(undone.made_at),
                "changes": undone.changes,
                "steps_left": undone.left,
            }
        )
        return
    import typer

    typer.echo(f"Undid: {undone.summary}")
    for change in undone.changes:
        action = change["action"]
        if action in ("restored_as_copy", "kept_deleted"):
            # The two outcomes a person would not guess: say them.
            noun = change["table"].replace("_", " ")
            new = f" with the id {change['new_id'][:8]}" if "new_id" in change else ""
            typer.echo(f"  the {noun} {change['id'][:8]} was {_SAID[action]}{new}", err=True)
    left = undone.left
    more = f"{left} more step{'' if left == 1 else 's'} to undo" if left else "Nothing more to undo"
    typer.echo(f"{more}.", err=True)
