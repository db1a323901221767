"""Run history in SQL: SQLite by default (WAL, one transaction per run), PostgreSQL with the same code."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError

from checkout_tester.base.errors import ConfigError
from checkout_tester.monitor.record import RunRecord
from checkout_tester.monitor.settings import HISTORY_URL

DEFAULT_URL = HISTORY_URL
_SCALARS = ("run_id", "flow", "flow_name", "variant", "location", "target", "started_at", "duration_ms", "outcome",
            "failure_class", "message", "failed_step", "reproduce", "recheck")
_LISTS = ("steps", "pages", "warnings", "artifacts")

metadata = MetaData()
runs_table = Table(
    "monitor_runs", metadata,
    Column("run_id", String(64), primary_key=True),
    Column("flow", String(500), nullable=False),
    Column("flow_name", String(500), nullable=False, default=""),
    Column("variant", String(500), nullable=False, default=""),
    Column("location", String(200), nullable=False, default=""),
    Column("target", String(500), nullable=False, default=""),
    Column("started_at", DateTime(timezone=False), nullable=False),  # UTC, stored naive: the same on both engines
    Column("duration_ms", Float, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("failure_class", String(100), nullable=False, default=""),
    Column("message", Text, nullable=False, default=""),
    Column("failed_step", Text, nullable=False, default=""),
    Column("reproduce", Text, nullable=False, default=""),
    Column("recheck", Boolean, nullable=False, default=False),
    *(Column(name, JSON, nullable=False) for name in _LISTS),
    Index("ix_monitor_runs_flow", "flow"),
    Index("ix_monitor_runs_location", "location"),
    Index("ix_monitor_runs_started_at", "started_at"),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL: readers never block the monitor; FULL sync: a committed run survives even a power cut."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")  # first: switching to WAL waits for a reader opening it too
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def make_history_engine(url: str) -> Engine:
    """An engine for a history URL; SQLite gets its folder created and its pragmas set."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"--history {url!r} is not a database URL; e.g. {DEFAULT_URL} or "
                          "postgresql+psycopg://user:password@127.0.0.1:5432/monitor") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


class History:
    """Finished runs in a SQL table: `add` one per transaction, `runs` newest first."""

    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = url
        self.engine = make_history_engine(url)
        try:
            self._create_tables()
        except DatabaseError as exc:  # unreachable server, bad password, not a database file
            shown = make_url(url).render_as_string(hide_password=True)
            raise ConfigError(f"--history {shown}: cannot open the database: {' '.join(str(exc.orig).split())}") from None

    def _create_tables(self) -> None:
        """Create the table unless it exists. Two processes opening a new history at once (monitors sharing one
        PostgreSQL, a reader and the monitor) may both find it missing: the loser sees "already exists", and the
        table is there, which is all it wanted."""
        for attempt in range(3):
            try:
                metadata.create_all(self.engine)
                return
            except DatabaseError as exc:
                if "already exists" not in str(exc.orig) or attempt == 2:
                    raise

    def add(self, record: RunRecord) -> None:
        """Store one run in its own transaction (committed when this returns)."""
        row: dict[str, Any] = {name: getattr(record, name) for name in _SCALARS}
        row["started_at"] = _utc_naive(record.started_at)
        row.update({name: list(getattr(record, name)) for name in _LISTS})
        with self.engine.begin() as connection:
            connection.execute(runs_table.insert().values(**row))

    def runs(self, flow: str | None = None, since: datetime | None = None, location: str | None = None,
             limit: int | None = None) -> list[RunRecord]:
        """Stored runs, newest first; `flow` matches the flow's path or its file name."""
        query = select(runs_table).order_by(runs_table.c.started_at.desc(), runs_table.c.run_id)
        if flow:
            query = query.where((runs_table.c.flow == flow) | (runs_table.c.flow.like(f"%/{flow}")))
        if since is not None:
            query = query.where(runs_table.c.started_at >= _utc_naive(since))
        if location:
            query = query.where(runs_table.c.location == location)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_record(dict(row)) for row in rows]

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __call__(self, record: RunRecord) -> None:
        """A monitor sink: history first."""
        self.add(record)


def _record(row: dict[str, Any]) -> RunRecord:
    started = row["started_at"]
    row["started_at"] = started.replace(tzinfo=timezone.utc) if started.tzinfo is None else started
    row["recheck"] = bool(row["recheck"])
    for name in _LISTS:
        row[name] = list(row[name] or [])
    return RunRecord(**row)
