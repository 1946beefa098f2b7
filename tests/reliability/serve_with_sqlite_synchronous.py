"""``painpath`` with another SQLite ``synchronous`` level: the power-cut test's negative
controls only. painpath itself has no setting for it, on purpose: it always uses FULL.

Run as ``python serve_with_sqlite_synchronous.py LEVEL serve ...``. With OFF, SQLite never
calls fsync; with NORMAL (in WAL mode), it syncs the WAL only when it checkpoints, so a commit
is acknowledged before it is on disk.
"""

from __future__ import annotations

import sys
from typing import Any

from painpath import cli
from painpath.store import database

_painpath_pragmas = database._sqlite_pragmas


def _with_level(level: str) -> Any:
    def pragmas(dbapi_connection: Any, record: object) -> None:
        _painpath_pragmas(dbapi_connection, record)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA synchronous={level}")
        cursor.close()

    return pragmas


if __name__ == "__main__":
    level = sys.argv.pop(1)
    if level not in {"OFF", "NORMAL"}:
        sys.exit(f"unknown synchronous level {level!r}: OFF or NORMAL")
    # create_database_engine looks the listener up as it makes each engine: patched before any.
    database._sqlite_pragmas = _with_level(level)
    cli.main()
