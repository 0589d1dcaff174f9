"""The SQLite store's SQL (``storage/sqlite_rows.py`` and its neighbours), as PostgreSQL takes it.

The stores share their statements and the conversion of rows: :func:`pg` turns ``?`` into
psycopg's ``%s`` and swaps the few fragments that SQLite spells its own way for PostgreSQL's.
"""

from __future__ import annotations

from functools import lru_cache

from storage import sqlite_rows as sql

SPELLINGS: tuple[tuple[str, str], ...] = (
    (sql.NOW, "now()"),
    (sql.THEMES, "(SELECT coalesce(json_agg(theme ORDER BY position), '[]')::text "
                 "FROM story_themes WHERE story_id = s.id)"),
    (sql.ALL_THEMES, "string_agg(theme, ' ')"),
    (f"{sql.CONTAINS}(", "strpos("),
)
"""Each SQLite fragment and what PostgreSQL says instead."""


@lru_cache(maxsize=512)
def pg(statement: str) -> str:
    """``statement`` in PostgreSQL's words, with psycopg's placeholders. The shared SQL has
    no ``?`` but placeholders, and its only ``%`` are in the fragments swapped here."""
    for sqlite, postgresql in SPELLINGS:
        statement = statement.replace(sqlite, postgresql)
    return statement.replace("%", "%%").replace("?", "%s")


SAVE_EVENT_ONCE = f"{sql.SAVE_EVENT} ON CONFLICT DO NOTHING RETURNING 1"
"""Note an event; a row back only if it was not noted before (the primary key decides)."""
