"""The durable store: accounts and submissions in SQLAlchemy (SQLite by default, PostgreSQL by URL).

A submission is committed before the service answers 202. Workers claim one
atomically (a conditional UPDATE that only one of them can win), and on start-up
every submission left `running` by a killed server goes back to `queued`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    CursorResult,
    DateTime,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))  # "student" or "admin"
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100), index=True)
    problem: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(Text)
    timing: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10), index=True)  # queued, running, done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verdict: Mapped[str | None] = mapped_column(String(40), nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def result(self) -> dict[str, Any]:
        return json.loads(self.result_json) if self.result_json else {}


def _rows_changed(session: Session, statement: Any) -> int:
    """Run an UPDATE and say how many rows it changed (0 when a competing writer won)."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL and a busy timeout so that workers and the server share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    return engine


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class Store:
    """Every read and write the service makes, each in its own short transaction."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._session = sessions(self.engine)

    # accounts
    def create_account(self, name: str, role: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._session.begin() as s:
            if s.get(Account, name) is not None:
                raise ValueError(f"an account named {name!r} exists already")
            s.add(Account(name=name, role=role, token_sha256=hash_token(token), created_at=now()))
        return token

    def accounts(self) -> list[Account]:
        with self._session() as s:
            return list(s.scalars(select(Account).order_by(Account.name)))

    def revoke(self, name: str) -> bool:
        with self._session.begin() as s:
            account = s.get(Account, name)
            if account is None:
                return False
            account.revoked = True
            return True

    def account_for(self, token: str) -> Account | None:
        with self._session() as s:
            account = s.scalar(select(Account).where(Account.token_sha256 == hash_token(token)))
            return None if account is None or account.revoked else account

    # submissions
    def add_submission(self, owner: str, problem: str, code: str, timing: bool) -> Submission:
        submission = Submission(
            id=uuid.uuid4().hex,
            owner=owner,
            problem=problem,
            code=code,
            timing=timing,
            status="queued",
            attempts=0,
            created_at=now(),
        )
        with self._session.begin() as s:
            s.add(submission)
        return submission

    def get(self, submission_id: str) -> Submission | None:
        with self._session() as s:
            return s.get(Submission, submission_id)

    def list_for(self, owner: str | None, limit: int, offset: int) -> list[Submission]:
        with self._session() as s:
            query = select(Submission).order_by(Submission.created_at.desc(), Submission.id).limit(limit).offset(offset)
            if owner is not None:
                query = query.where(Submission.owner == owner)
            return list(s.scalars(query))

    def queue_depth(self) -> int:
        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(Submission).where(Submission.status != "done")) or 0)

    def requeue(self, submission_id: str) -> bool:
        """Grade a submission again (admin re-grade): back to queued with a fresh attempt count."""
        with self._session.begin() as s:
            result = _rows_changed(
                s,
                update(Submission)
                .where(Submission.id == submission_id)
                .values(status="queued", attempts=0, verdict=None, result_json=None, finished_at=None, claimed_by=None),
            )
            return bool(result)

    def recover(self) -> int:
        """After a restart: whatever was running when the server died is queued again."""
        with self._session.begin() as s:
            result = _rows_changed(
                s, update(Submission).where(Submission.status == "running").values(status="queued", claimed_by=None)
            )
            return result

    def release(self, worker: str) -> int:
        """A worker died: what it held goes back in the queue."""
        with self._session.begin() as s:
            result = _rows_changed(
                s,
                update(Submission)
                .where(Submission.status == "running", Submission.claimed_by == worker)
                .values(status="queued", claimed_by=None),
            )
            return result

    def claim(self, worker: str) -> Submission | None:
        """Atomically take the oldest queued submission; None when there is none."""
        with self._session.begin() as s:
            oldest = s.scalar(
                select(Submission.id).where(Submission.status == "queued").order_by(Submission.created_at).limit(1)
            )
            if oldest is None:
                return None
            won = _rows_changed(
                s,
                update(Submission)
                .where(Submission.id == oldest, Submission.status == "queued")
                .values(status="running", claimed_by=worker, attempts=Submission.attempts + 1),
            )
            if not won:
                return None  # another worker was faster
        return self.get(oldest)

    def finish(self, submission_id: str, worker: str, verdict: str, result: dict[str, Any], retry: bool) -> None:
        """Store a verdict, or put the submission back in the queue to try again."""
        values: dict[str, Any] = (
            {"status": "queued", "claimed_by": None}
            if retry
            else {"status": "done", "verdict": verdict, "result_json": json.dumps(result), "finished_at": now()}
        )
        with self._session.begin() as s:
            s.execute(
                update(Submission)
                .where(Submission.id == submission_id, Submission.claimed_by == worker)
                .values(**values)
            )
