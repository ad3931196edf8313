"""The sync merge rule, in one place: which of two versions of a row stands.

A deletion wins over any edit and stays (last-writer-wins alone brings a deleted workout back when
an older edit arrives late); between two edits the later ``updated_at`` wins, and on a tie the
version already held stays. The server applies it to what a client pushes
(``server.store``), the client to what it pulls (``sync.engine``).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Outcome = Literal["created", "unchanged", "kept", "updated"]
"""What an incoming version does to the held one: creates the row, changes nothing (the same
version, or a deletion of a deleted row), is refused because the held one wins (``kept``), or
replaces it (``updated``)."""


@dataclass(frozen=True)
class Version:
    """What the rule looks at in a version of a row."""

    updated_at: datetime | None
    """When it was last changed; None for a write that carries no time (the seed API's PUT),
    which is taken as made now and replaces any live row."""
    deleted: bool = False


def merge(held: Version | None, incoming: Version) -> Outcome:
    """What ``incoming`` does to the row held as ``held`` (None: there is none)."""
    if held is None:
        return "created"
    if held.deleted:
        return "unchanged" if incoming.deleted else "kept"
    if incoming.deleted or incoming.updated_at is None or held.updated_at is None:
        return "updated"
    if incoming.updated_at == held.updated_at:
        return "unchanged"
    return "updated" if incoming.updated_at > held.updated_at else "kept"
