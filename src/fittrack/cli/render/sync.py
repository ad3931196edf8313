"""What ``status`` says of syncing: when this device last synced, and the changes not yet pushed."""

from datetime import datetime

from fittrack.cli.render import base


def last_sync(when: datetime, now: datetime) -> None:
    """``status``: when this device last synced."""
    minutes = max(0, int((now - when).total_seconds() // 60))
    if minutes < 1:
        ago = "just now"
    elif minutes < 120:
        ago = f"{minutes} min ago"
    elif minutes < 48 * 60:
        ago = f"{minutes // 60} h ago"
    else:
        ago = f"{minutes // 1440} days ago"
    local = when.astimezone(now.tzinfo)
    base.stdout_console().print(f"[dim]Last synced {local:%Y-%m-%d %H:%M} ({ago}).[/]")


def unsynced(count: int) -> None:
    """``status``: local changes a sync would push."""
    changes = "1 change" if count == 1 else f"{count} changes"
    base.stdout_console().print(f"{changes} not yet synced — run `fittrack sync`.", soft_wrap=True)
