"""Database plumbing: SQLite tuned for several gunicorn workers, UTC timestamps."""

import sqlite3
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

#: False while serving a read-only request (GET/HEAD/OPTIONS) on SQLite.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def utcnow() -> datetime:
    """The current moment, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use krsd.database.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 30_000) -> None:
    """WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE for writing requests.

    pysqlite's own transaction handling is switched off so that we emit BEGIN
    ourselves: a request that may write takes the write lock at its start, so
    it never has to upgrade a read snapshot (the cause of "database is locked").
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


#: statements that leave the data as they were (BEGIN: SQLite's, emitted on "begin"; SET:
#: a setting of the connection, such as the register's plan_cache_mode)
_READING = ("SELECT", "BEGIN", "SHOW", "SET")


def watch_writes(engine: Engine) -> None:
    """Note on each connection whether its current transaction wrote anything.

    Every statement counts that is not a plain read, whichever way it was run (the ORM's
    flush, Core, or driver SQL); a transaction that began afresh has written nothing.
    """

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.info.pop("wrote", None)

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, _parameters, _context, _many) -> None:
        if not statement.lstrip()[:6].upper().startswith(_READING):
            connection.info["wrote"] = True


def wrote(connection) -> bool:
    """Did this connection's transaction write (``watch_writes``)?"""
    return connection.info.get("wrote", False)


def render_migration_item(type_, obj, _autogen_context):
    """Write UTCDateTime into migrations as a plain column type, so they never import krsd."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def str_enum(cls: type) -> Enum:
    """An enum column stored as its string values (portable, no database enum type)."""
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
