"""What differs between SQLite (the embedded default) and PostgreSQL (scale-out), in one place.

- The clock. A lease's expiry is read and written with the database's own
  clock, never a host's, so that hosts whose clocks drift still agree on
  which lease has run out.
- The admission lock. Counting a queue and inserting into it must be one step
  across every API host: PostgreSQL takes a transaction-scoped advisory lock;
  SQLite takes its one write lock up front (`BEGIN IMMEDIATE`), before the counts
  are read, which serialises writers across every process on the machine.
- Notifications. PostgreSQL delivers `pg_notify` to every listening host when
  the transaction commits; SQLite has no such thing, and the waiting side's
  bounded re-read of the database is what notices instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

DONE_CHANNEL = "judge_done"  # payload: a submission id that has its verdict
QUEUED_CHANNEL = "judge_queued"  # payload: empty; a submission was queued or requeued
ADMISSION_LOCK_KEY = 0x6A756467  # "judg": the advisory lock that serialises admissions on PostgreSQL
UNIX_EPOCH_JULIAN_DAY = 2440587.5


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def clock(session: Session) -> ColumnElement[Any]:
    """The database's current time in seconds since the Unix epoch, as an SQL expression."""
    if is_postgres(session):
        return func.extract("epoch", func.clock_timestamp())  # clock_timestamp: now, not the transaction's start
    return (func.julianday("now") - literal(UNIX_EPOCH_JULIAN_DAY)) * literal(86400.0)


def database_time(session: Session) -> float:
    """The database's clock, read now (tests and operators compare leases with it)."""
    return float(session.execute(select(clock(session))).scalar_one())


def lock_admissions(session: Session) -> None:
    """Serialise this transaction with every other admission, on any host, until it commits.

    It must be the transaction's first statement: on SQLite, a transaction that
    has already read cannot take the write lock without risking a stale view.
    """
    if is_postgres(session):
        session.execute(select(func.pg_advisory_xact_lock(ADMISSION_LOCK_KEY)))
    else:
        session.execute(text("BEGIN IMMEDIATE"))


def notify(session: Session, channel: str, payload: str = "") -> None:
    """Tell every listening host, once this transaction commits (PostgreSQL only; a no-op on SQLite)."""
    if is_postgres(session):
        session.execute(select(func.pg_notify(channel, payload)))
