"""The revisions, numbered 0001, 0002, … so that ``PRAGMA user_version`` can mirror them."""
