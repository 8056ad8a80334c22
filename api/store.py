"""The durable store: accounts and submissions in SQLAlchemy (SQLite by default, PostgreSQL by URL).

The database is the one source of truth about every submission:

- a submission is committed (`status='queued'`) before the service answers 202;
- admission counts the queue and inserts under one database-wide lock
  (`api.dialect.lock_admissions`), so the limits hold across API hosts;
- a worker claims one with a single conditional `UPDATE ... WHERE id = (oldest
  queued) AND status = 'queued' ... RETURNING`, writing a fresh random claim
  token and a lease that runs out `lease_s` later by the database's clock: of
  two workers racing for a row exactly one changes it;
- the holder renews its lease while it grades (`renew`); a lease that runs out
  means its host died or lost the database, and any process's reaper (`reap`)
  requeues the submission, or gives it its final verdict once its attempts
  are spent. Nothing is requeued merely because a server started;
- a verdict is written only by the holder of the current claim token
  (`WHERE claim_token = ? AND status = 'running'`), so a grading that was
  requeued meanwhile (a dead host, an expired lease, an admin's re-grade) can
  never write a second verdict: the token is the fencing token;
- the speed comparison is a second phase with its own state
  (`timing_status`: pending, running, done, failed or skipped): the verdict is
  final and visible first, and a timing lane (`api.timing_lane`) claims
  pending comparisons one at a time with a token and a lease of its own.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    CursorResult,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, aliased, defer, mapped_column, sessionmaker

from api import dialect

QUEUED, RUNNING, DONE = "queued", "running", "done"
TIMING_PENDING, TIMING_RUNNING = "pending", "running"
TIMING_ATTEMPTS = 2  # a comparison that takes the timing lane down this often is skipped
INTERNAL_ERROR = "Internal Error"
TIME_LIMIT_EXCEEDED = "Time Limit Exceeded"
DEFAULT_LEASE_S = 30.0  # a claim's lease; its holder renews it every third of that
PENDING_RETRY_S = 5  # Retry-After for a full queue: a grading takes about a second, a queue drains in seconds


class Base(DeclarativeBase):
    pass


class Account(Base):
    """Who may call /submissions: a name, a role and the SHA-256 of a random token."""

    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))  # "student" or "admin"
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    """One submission and, once graded, its one verdict."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_status_created", "status", "created_at"),
        Index("ix_submissions_owner_created", "owner", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), ForeignKey("accounts.name"))
    problem: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(Text)
    timing: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10))  # queued, running, done
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # gradings started
    claimed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)  # the worker: api.leases.identity
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)  # fresh per claim: the fencing token
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)  # database clock, epoch seconds
    verdict: Mapped[str | None] = mapped_column(String(40), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    timing_status: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)  # see the docstring
    timing_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # the comparison's latest state
    timing_token: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the lane's claim
    timing_attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timing_lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)  # as lease_until, for the lane

    def result(self) -> dict[str, Any]:
        """The stored GradeResult as a dict (empty until done), with the speed comparison's latest state."""
        if not self.result_json:
            return {}
        loaded: dict[str, Any] = json.loads(self.result_json)
        if self.timing_json:
            loaded["timing"] = json.loads(self.timing_json)
        return loaded


@dataclass(frozen=True)
class TimingClaim:
    """A comparison the timing lane holds."""

    id: str
    problem: str
    code: str
    token: str


@dataclass(frozen=True)
class Claim:
    """A submission a worker holds: everything it needs to grade and to report."""

    id: str
    problem: str
    code: str
    timing: bool
    attempts: int
    token: str


def _rows_changed(session: Session, statement: Any) -> int:
    """Run an UPDATE and say how many rows it changed (0 when a competing writer won)."""
    result = cast(CursorResult[Any], session.execute(statement, execution_options={"synchronize_session": False}))
    return int(result.rowcount)


def _pending(session: Session, owner: str | None = None) -> int:
    """Submissions queued or running (not yet done): everyone's, or one owner's.

    The owner's count rides the (owner, created_at) index; admission compares it
    with the per-owner cap so that one token cannot hold the whole shared queue.
    """
    query = select(func.count()).select_from(Submission).where(Submission.status != DONE)
    if owner is not None:
        query = query.where(Submission.owner == owner)
    return int(session.scalar(query) or 0)


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", errors="surrogatepass")).hexdigest()


def make_engine(url: str) -> Engine:
    """An engine with the tables created; SQLite gets WAL and a busy timeout so that processes share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a commit survives a process kill
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """A database made by an older version gains the columns added since (all nullable), so nothing is lost."""
    present = {c["name"] for c in inspect(engine).get_columns(Submission.__tablename__)}
    with engine.begin() as connection:
        for column in Submission.__table__.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=engine.dialect)
                connection.execute(text(f"ALTER TABLE {Submission.__tablename__} ADD COLUMN {column.name} {kind}"))


class Store:
    """Every read and write the service makes, each in its own short transaction."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # accounts ---------------------------------------------------------------------------------

    def create_account(self, name: str, role: str) -> str:
        """A new account; returns its token, which is stored only as its hash."""
        if role not in ("student", "admin"):
            raise ValueError(f"unknown role {role!r}; expected 'student' or 'admin'")
        token = secrets.token_urlsafe(32)
        with self._session.begin() as s:
            if s.get(Account, name) is not None:
                raise ValueError(f"an account named {name!r} exists already")
            s.add(Account(name=name, role=role, token_sha256=hash_token(token), revoked=False, created_at=now()))
        return token

    def accounts(self) -> list[Account]:
        with self._session() as s:
            return list(s.scalars(select(Account).order_by(Account.name)))

    def revoke(self, name: str) -> bool:
        with self._session.begin() as s:
            return bool(_rows_changed(s, update(Account).where(Account.name == name).values(revoked=True)))

    def account_for(self, token: str) -> Account | None:
        """The live account whose token this is, if any."""
        with self._session() as s:
            account = s.scalar(select(Account).where(Account.token_sha256 == hash_token(token)))
            return None if account is None or account.revoked else account

    def account_named(self, name: str) -> Account | None:
        """The live account called `name`, if any (a web session names its account)."""
        with self._session() as s:
            account = s.get(Account, name)
            return None if account is None or account.revoked else account

    # submissions: the HTTP side ---------------------------------------------------------------

    def admit(self, owner: str, problem: str, code: str, timing: bool, *, max_queue: int, per_minute: int,
              max_pending_per_owner: int | None = None) -> Submission | tuple[str, int]:
        """Store a new queued submission, or say why not: ("owner" | "queue" | "rate", seconds to retry after).

        "owner": this owner already has `max_pending_per_owner` queued or running
        (None: no such cap); it is checked first, since waiting for one's own
        work is the remedy that owner controls. Admissions are serialised by a
        database lock, across every process and host that shares the database,
        so the counts and the insert agree; refused submissions leave nothing
        behind. Worker hosts listening on PostgreSQL hear of the new submission.
        """
        with self._session.begin() as s:
            dialect.lock_admissions(s)
            # the database's clock, read under the lock: queue order (claims go oldest first) and the rate
            # window agree across API hosts whose own clocks differ
            moment = datetime.fromtimestamp(dialect.database_time(s), UTC)
            if max_pending_per_owner is not None and _pending(s, owner) >= max_pending_per_owner:
                return "owner", PENDING_RETRY_S
            if _pending(s) >= max_queue:
                return "queue", PENDING_RETRY_S
            window = select(Submission.created_at).where(
                Submission.owner == owner, Submission.created_at > moment - timedelta(minutes=1))
            recent = sorted(aware(t) for t in s.scalars(window))
            if len(recent) >= per_minute:
                oldest_counted = recent[len(recent) - per_minute]
                wait = (oldest_counted + timedelta(minutes=1) - moment).total_seconds()
                return "rate", max(1, int(wait) + 1)
            submission = Submission(id=uuid.uuid4().hex, owner=owner, problem=problem, code=code, timing=timing,
                                    status=QUEUED, attempts=0, created_at=moment)
            s.add(submission)
            dialect.notify(s, dialect.QUEUED_CHANNEL)
        return submission

    def get(self, submission_id: str) -> Submission | None:
        with self._session() as s:
            return s.get(Submission, submission_id)

    def page(self, owner: str | None, limit: int, offset: int, problem: str | None = None) -> list[Submission]:
        """Newest first; everyone's when `owner` is None, every problem's when `problem` is None. Code and
        results are not loaded."""
        query = (select(Submission).options(defer(Submission.code), defer(Submission.result_json))
                 .order_by(Submission.created_at.desc(), Submission.id.desc()).limit(limit).offset(offset))
        if owner is not None:
            query = query.where(Submission.owner == owner)
        if problem is not None:
            query = query.where(Submission.problem == problem)
        with self._session() as s:
            return list(s.scalars(query))

    def previous(self, submission: Submission) -> Submission | None:
        """The same owner's attempt at the same problem just before `submission`, with its code."""
        query = (select(Submission)
                 .where(Submission.owner == submission.owner, Submission.problem == submission.problem,
                        Submission.created_at < submission.created_at)
                 .order_by(Submission.created_at.desc()).limit(1))
        with self._session() as s:
            return s.scalar(query)

    def tally(self, owner: str | None = None, problem: str | None = None) -> list[tuple[str, str, int, float | None]]:
        """(owner, problem, submissions, best score) for each pair that has any, by owner then problem."""
        query = (select(Submission.owner, Submission.problem, func.count(), func.max(Submission.score))
                 .group_by(Submission.owner, Submission.problem).order_by(Submission.owner, Submission.problem))
        if owner is not None:
            query = query.where(Submission.owner == owner)
        if problem is not None:
            query = query.where(Submission.problem == problem)
        with self._session() as s:
            return [(str(o), str(p), int(n), None if best is None else float(best))
                    for o, p, n, best in s.execute(query).all()]

    def counts(self) -> dict[str, int]:
        """Submissions by status."""
        with self._session() as s:
            rows = s.execute(select(Submission.status, func.count()).group_by(Submission.status)).all()
        found = {str(status): int(count) for status, count in rows}
        return {state: found.get(state, 0) for state in (QUEUED, RUNNING, DONE)}

    def requeue(self, submission_id: str) -> bool:
        """Grade a submission again (an admin's re-grade): queued, a fresh attempt count, no verdict.

        A grading of it still under way loses its claim, so its verdict is dropped.
        """
        with self._session.begin() as s:
            changed = _rows_changed(
                s,
                update(Submission).where(Submission.id == submission_id).values(
                    status=QUEUED, attempts=0, verdict=None, score=None, result_json=None, started_at=None,
                    finished_at=None, claimed_by=None, claim_token=None, lease_until=None, timing_status=None,
                    timing_json=None, timing_token=None, timing_attempts=None, timing_lease_until=None),
            )
            if changed:
                dialect.notify(s, dialect.QUEUED_CHANNEL)
            return bool(changed)

    def database_time(self) -> float:
        """The database's clock, in epoch seconds: the one clock that leases are measured by."""
        with self._session() as s:
            return dialect.database_time(s)

    # submissions: the worker side -------------------------------------------------------------

    def claim(self, worker: str, lease_s: float = DEFAULT_LEASE_S) -> Claim | None:
        """Atomically take the oldest queued submission, leased for `lease_s` by the database's clock; None when
        there is none (or a rival won it)."""
        token = secrets.token_hex(16)
        oldest = aliased(Submission)
        first = (select(oldest.id).where(oldest.status == QUEUED).order_by(oldest.created_at, oldest.id).limit(1)
                 .with_for_update(skip_locked=True)  # PostgreSQL: rivals skip rows being claimed; SQLite: no-op
                 .scalar_subquery())
        with self._session.begin() as s:
            statement = (
                update(Submission)
                .where(Submission.id == first, Submission.status == QUEUED)
                .values(status=RUNNING, claimed_by=worker, claim_token=token, attempts=Submission.attempts + 1,
                        started_at=now(), lease_until=dialect.clock(s) + lease_s)
                .returning(Submission.id, Submission.problem, Submission.code, Submission.timing,
                           Submission.attempts)
            )
            row = s.execute(statement, execution_options={"synchronize_session": False}).first()
        if row is None:
            return None
        return Claim(id=row.id, problem=row.problem, code=row.code, timing=row.timing, attempts=row.attempts,
                     token=token)

    def renew(self, claim: Claim, lease_s: float = DEFAULT_LEASE_S) -> bool:
        """Extend the lease of a claim still held; False when it was lost (requeued by a reaper or a re-grade)."""
        with self._session.begin() as s:
            return bool(_rows_changed(
                s,
                update(Submission)
                .where(Submission.id == claim.id, Submission.claim_token == claim.token, Submission.status == RUNNING)
                .values(lease_until=dialect.clock(s) + lease_s),
            ))

    def finish(self, claim: Claim, verdict: str, result: dict[str, Any]) -> bool:
        """Record the verdict if the claim still holds; False when it was lost (the verdict is dropped)."""
        score = result.get("score")
        timing = result.get("timing") if isinstance(result.get("timing"), dict) else None
        with self._session.begin() as s:
            changed = _rows_changed(
                s,
                update(Submission)
                .where(Submission.id == claim.id, Submission.claim_token == claim.token, Submission.status == RUNNING)
                .values(status=DONE, verdict=verdict, score=float(score) if isinstance(score, int | float) else None,
                        result_json=json.dumps(result, allow_nan=False), finished_at=now(), claim_token=None,
                        lease_until=None, timing_status=timing.get("status") if timing else None,
                        timing_json=json.dumps(timing, allow_nan=False) if timing else None,
                        timing_token=None, timing_attempts=0),
            )
            if changed:
                dialect.notify(s, dialect.DONE_CHANNEL, claim.id)
            return bool(changed)

    def retry(self, claim: Claim) -> bool:
        """Put a held submission back in the queue (its grading failed on the judge's side)."""
        with self._session.begin() as s:
            changed = _rows_changed(
                s,
                update(Submission)
                .where(Submission.id == claim.id, Submission.claim_token == claim.token, Submission.status == RUNNING)
                .values(status=QUEUED, claimed_by=None, claim_token=None, lease_until=None),
            )
            if changed:
                dialect.notify(s, dialect.QUEUED_CHANNEL)
            return bool(changed)

    def release(self, worker: str, max_attempts: int, overran: bool = False) -> tuple[int, int]:
        """A worker of this host died holding work: requeue it, or after `max_attempts` give it a final verdict.

        Returns (requeued, failed). Only its own host calls this, knowing that
        worker is dead; work of a host that died whole waits for its leases to
        run out (`reap`). The cap keeps a submission that kills its worker every
        time from being retried forever. `overran` says the dispatcher killed
        the worker because the grading outlived its watchdog: that is the
        submission's doing, so the final verdict is Time Limit Exceeded; any
        other death is the judge's Internal Error.
        """
        held = (Submission.status == RUNNING) & (Submission.claimed_by == worker)
        verdict = TIME_LIMIT_EXCEEDED if overran else INTERNAL_ERROR
        why = (f"the grading ran past its watchdog {max_attempts} times and was stopped" if overran
               else f"the grading worker died {max_attempts} times while grading this submission")
        with self._session.begin() as s:
            return self._give_back(s, held, max_attempts, verdict, why)

    def reap(self, max_attempts: int) -> tuple[int, int]:
        """Every lease that has run out, by the database's clock: requeue its submission, or give it Internal
        Error once it has been tried `max_attempts` times. Returns (requeued, failed); any process may call it,
        any number at once."""
        why = (f"the grading's host stopped renewing its lease {max_attempts} times (it died, or lost the "
               "database) while grading this submission")
        with self._session.begin() as s:
            moment = dialect.database_time(s)  # one reading, so that both updates judge the same leases
            expired = (Submission.status == RUNNING) & (func.coalesce(Submission.lease_until, 0.0) < moment)
            return self._give_back(s, expired, max_attempts, INTERNAL_ERROR, why)

    def _give_back(self, s: Session, held: Any, max_attempts: int, verdict: str, why: str) -> tuple[int, int]:
        """Within `s`: the rows `held` selects end with `verdict` once out of attempts, else go back to the queue."""
        failed_result = {
            "verdict": verdict, "score": 0.0, "cases": [], "sandbox": "", "hint": None, "mistake": None,
            "traceback": None, "stdout": "", "stderr": "", "judge_seconds": 0.0, "timing": None,
            "details": [why],
        }
        failed = list(s.scalars(
            update(Submission).where(held, Submission.attempts >= max_attempts).values(
                status=DONE, verdict=verdict, score=0.0, result_json=json.dumps(failed_result),
                finished_at=now(), claim_token=None, lease_until=None)
            .returning(Submission.id), execution_options={"synchronize_session": False}))
        requeued = _rows_changed(
            s, update(Submission).where(held).values(status=QUEUED, claimed_by=None, claim_token=None,
                                                     lease_until=None))
        for submission_id in failed:
            dialect.notify(s, dialect.DONE_CHANNEL, submission_id)
        if requeued:
            dialect.notify(s, dialect.QUEUED_CHANNEL)
        return requeued, len(failed)

    # the speed comparison: the timing lanes' side ----------------------------------------------

    def claim_timing(self, lease_s: float = DEFAULT_LEASE_S) -> TimingClaim | None:
        """Take the oldest pending comparison, leased as a grading is; None when there is none."""
        token = secrets.token_hex(16)
        oldest = aliased(Submission)
        first = (select(oldest.id).where(oldest.timing_status == TIMING_PENDING)
                 .order_by(oldest.finished_at, oldest.id).limit(1).with_for_update(skip_locked=True).scalar_subquery())
        running = json.dumps({"status": TIMING_RUNNING, "reason": "being measured now"})
        with self._session.begin() as s:
            statement = (
                update(Submission).where(Submission.id == first, Submission.timing_status == TIMING_PENDING)
                .values(timing_status=TIMING_RUNNING, timing_token=token, timing_json=running,
                        timing_attempts=func.coalesce(Submission.timing_attempts, 0) + 1,
                        timing_lease_until=dialect.clock(s) + lease_s)
                .returning(Submission.id, Submission.problem, Submission.code)
            )
            row = s.execute(statement, execution_options={"synchronize_session": False}).first()
        return None if row is None else TimingClaim(id=row.id, problem=row.problem, code=row.code, token=token)

    def renew_timing(self, claim: TimingClaim, lease_s: float = DEFAULT_LEASE_S) -> bool:
        """Extend a held comparison's lease; False when it was lost."""
        with self._session.begin() as s:
            return bool(_rows_changed(
                s,
                update(Submission)
                .where(Submission.id == claim.id, Submission.timing_token == claim.token,
                       Submission.timing_status == TIMING_RUNNING)
                .values(timing_lease_until=dialect.clock(s) + lease_s),
            ))

    def finish_timing(self, claim: TimingClaim, timing: dict[str, Any]) -> bool:
        """Record the comparison if the lane's claim still holds (a re-grade drops it)."""
        with self._session.begin() as s:
            return bool(_rows_changed(
                s,
                update(Submission)
                .where(Submission.id == claim.id, Submission.timing_token == claim.token,
                       Submission.timing_status == TIMING_RUNNING)
                .values(timing_status=str(timing.get("status", "skipped")), timing_token=None,
                        timing_lease_until=None, timing_json=json.dumps(timing, allow_nan=False)),
            ))

    def defer_timing(self, reason: str) -> int:
        """Say why pending comparisons wait (a deep queue); returns how many wait."""
        with self._session.begin() as s:
            return _rows_changed(
                s,
                update(Submission).where(Submission.timing_status == TIMING_PENDING)
                .values(timing_json=json.dumps({"status": TIMING_PENDING, "reason": reason})),
            )

    def reap_timing(self) -> int:
        """Comparisons whose lane stopped renewing their lease (it died): pending again, or skipped once they
        have taken a lane down `TIMING_ATTEMPTS` times. Returns how many went back to pending."""
        gave_up = json.dumps({"status": "skipped",
                              "reason": f"the timing lane stopped {TIMING_ATTEMPTS} times while timing this"})
        again = json.dumps({"status": TIMING_PENDING, "reason": "the timing lane stopped; measuring again"})
        with self._session.begin() as s:
            moment = dialect.database_time(s)
            held = ((Submission.timing_status == TIMING_RUNNING)
                    & (func.coalesce(Submission.timing_lease_until, 0.0) < moment))
            _rows_changed(s, update(Submission).where(held, Submission.timing_attempts >= TIMING_ATTEMPTS)
                          .values(timing_status="skipped", timing_token=None, timing_lease_until=None,
                                  timing_json=gave_up))
            return _rows_changed(s, update(Submission).where(held).values(
                timing_status=TIMING_PENDING, timing_token=None, timing_lease_until=None, timing_json=again))
