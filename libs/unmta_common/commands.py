"""The command path: the gateway sends a command and awaits its outcome; the owning service
decides it exactly once.

Service side: a command is decided in one Postgres transaction that appends its events (and
outbox rows), updates state and records the outcome under the command id. A redelivered command
finds its outcome and has no second effect. The Kafka offset is committed only after that.

Gateway side: the outcome is announced with NOTIFY on commit; a poll of the outcomes table backs
up a lost notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
import msgspec
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaError

from . import eventstore
from .envelope import CommandEnvelope, EventEnvelope, Outcome, command_decoder, encode, outcome_decoder
from .errors import ConcurrencyConflict, InfrastructureUnavailable, OutcomeTimeout
from .listen import listen_forever
from .pg import RETRIABLE

log = logging.getLogger(__name__)

CONFLICT_RETRIES = 5


@dataclass
class Decision:
    """What a handler decided: the HTTP-level answer and the events that make it true."""

    status: int
    body: object | None = None
    events: list[EventEnvelope] = field(default_factory=list)
    # Builds the body from state after the events are applied: the answer matches a later GET.
    body_from_state: Callable[[asyncpg.Connection], Awaitable[object]] | None = None


Handler = Callable[[asyncpg.Connection, CommandEnvelope, object], Awaitable[Decision]]
# Slow work a decision needs (a DNS look-up): done before the transaction, so no lock waits on it.
Preparer = Callable[[CommandEnvelope], Awaitable[object]]
StateProjector = Callable[[asyncpg.Connection, EventEnvelope], Awaitable[None]]


class CommandProcessor:
    """Consumes one service's command topic (consumer group, manual commits)."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        bootstrap: str,
        producer: AIOKafkaProducer,
        service: str,
        commands_topic: str,
        events_topic: str,
        dead_letter_topic: str,
        schema: str,
        outcome_channel: str,
        handler: Handler,
        project_state: StateProjector,
        prepare: Preparer | None = None,
    ) -> None:
        self._prepare = prepare
        self._pool = pool
        self._bootstrap = bootstrap
        self._producer = producer
        self._service = service
        self._commands_topic = commands_topic
        self._events_topic = events_topic
        self._dead_letter_topic = dead_letter_topic
        self._schema = schema
        self._channel = outcome_channel
        self._handler = handler
        self._project_state = project_state
        self._consumer: AIOKafkaConsumer | None = None

    @property
    def consuming(self) -> bool:
        return self._consumer is not None and bool(self._consumer.assignment())

    async def run(self) -> None:
        self._consumer = AIOKafkaConsumer(
            self._commands_topic,
            bootstrap_servers=self._bootstrap,
            group_id=f"{self._commands_topic}.handlers",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=100,
            client_id=f"{self._service}-{socket.gethostname()}",
        )
        await self._consumer.start()
        try:
            while True:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=200)
                for records in batches.values():
                    for record in records:
                        await self._process(record)
                if batches:
                    await self._commit()
        finally:
            consumer, self._consumer = self._consumer, None
            await consumer.stop()

    async def _commit(self) -> None:
        try:
            await self._consumer.commit()
        except KafkaError as exc:
            # Safe to lose: a redelivered command finds its recorded outcome.
            log.warning("command offset commit failed: %s", exc, extra={"service": self._service})

    async def _process(self, record: ConsumerRecord) -> None:
        try:
            command = command_decoder.decode(record.value)
        except msgspec.DecodeError as exc:
            await self._dead_letter(record, f"undecodable command: {exc}")
            return
        await self.decide(command, record)

    async def decide(self, command: CommandEnvelope, record: ConsumerRecord | None = None) -> None:
        """Decides a command exactly once; also used for the service's own (background) commands."""
        attempt = 0
        backoff = 0.1
        while True:
            try:
                await self._decide_once(command)
                return
            except ConcurrencyConflict:
                attempt += 1
                if attempt >= CONFLICT_RETRIES:
                    if record is not None:
                        await self._dead_letter(record, "concurrency conflict persisted")
                    await self._record_failure(command, 503, "The resource is busy; retry the request.")
                    return
            except RETRIABLE as exc:
                # Postgres is away: hold this command (nothing is skipped) until it is back.
                log.warning("command waits for Postgres: %s", exc, extra={"command_id": command.command_id})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            except Exception:
                log.exception("command handler failed", extra={"command_id": command.command_id,
                                                               "command_type": command.type})
                if record is not None:
                    await self._dead_letter(record, "handler raised")
                await self._record_failure(command, 500, "Server Error")
                return

    async def _seen(self, db, command: CommandEnvelope) -> bool:
        return bool(await db.fetchval(
            f"SELECT 1 FROM {self._schema}.command_outcomes WHERE command_id = $1", command.command_id))

    async def _decide_once(self, command: CommandEnvelope) -> None:
        prepared = None
        if self._prepare is not None and not await self._seen(self._pool, command):
            prepared = await self._prepare(command)
        async with self._pool.acquire() as conn, conn.transaction():
            if not await self._seen(conn, command):
                decision = await self._handler(conn, command, prepared)
                await eventstore.append(conn, self._schema, self._events_topic, decision.events)
                for event in decision.events:
                    await self._project_state(conn, event)
                body = decision.body
                if decision.body_from_state is not None:
                    body = await decision.body_from_state(conn)
                await self._save_outcome(conn, command, decision.status, body)
            # A redelivery re-announces: its sender may be waiting again after a retry.
            await conn.execute("SELECT pg_notify($1, $2)", self._channel, command.command_id)

    async def _save_outcome(self, conn: asyncpg.Connection, command: CommandEnvelope, status: int,
                            body: object | None) -> None:
        await conn.execute(
            f"INSERT INTO {self._schema}.command_outcomes (command_id, fingerprint, status, body)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (command_id) DO NOTHING",
            command.command_id, command.fingerprint, status, None if body is None else encode(body),
        )

    async def _record_failure(self, command: CommandEnvelope, status: int, message: str) -> None:
        with contextlib.suppress(*RETRIABLE):
            async with self._pool.acquire() as conn, conn.transaction():
                await self._save_outcome(conn, command, status, {"message": message})
                await conn.execute("SELECT pg_notify($1, $2)", self._channel, command.command_id)

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        log.error("command sent to dead-letter topic: %s", reason,
                  extra={"topic": record.topic, "partition": record.partition, "offset": record.offset})
        headers = [("reason", reason.encode()), ("source_offset", str(record.offset).encode())]
        await self._producer.send_and_wait(self._dead_letter_topic, record.value, key=record.key, headers=headers)


class CommandBus:
    """The gateway's side: send a command, wait for the outcome its owner commits."""

    def __init__(self, pool: asyncpg.Pool, producer: AIOKafkaProducer, outcome_channel: str) -> None:
        self._pool = pool
        self._producer = producer
        self._channel = outcome_channel
        self._waiters: dict[str, list[asyncio.Future]] = {}

    async def start(self) -> None:
        self._listening = asyncio.Event()
        self._listen_task = asyncio.create_task(self._listen_forever(), name="command-bus.listen")
        await asyncio.wait_for(self._listening.wait(), timeout=30)

    async def stop(self) -> None:
        self._listen_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._listen_task

    async def _listen_forever(self) -> None:
        def connected() -> None:
            self._listening.set()
            self._wake_all()  # outcomes decided while we were not listening

        await listen_forever(self._pool, self._channel, self._on_notify, connected)

    def _wake_all(self) -> None:
        waiters, self._waiters = self._waiters, {}
        for futures in waiters.values():
            for future in futures:
                if not future.done():
                    future.set_result(None)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, command_id: str) -> None:
        for future in self._waiters.pop(command_id, []):
            if not future.done():
                future.set_result(None)

    async def existing_outcome(self, schema: str, command_id: str) -> Outcome | None:
        try:
            row = await self._pool.fetchrow(
                f"SELECT status, body, fingerprint FROM {schema}.command_outcomes WHERE command_id = $1",
                command_id,
            )
        except asyncpg.UndefinedTableError:
            return None
        except RETRIABLE as exc:
            raise InfrastructureUnavailable(f"Postgres unreachable: {exc}") from exc
        if row is None:
            return None
        body = msgspec.Raw(row["body"]) if row["body"] is not None else None
        return Outcome(status=row["status"], body=body, fingerprint=row["fingerprint"])

    async def execute(self, topic: str, schema: str, command: CommandEnvelope, timeout: float) -> Outcome:
        """Sends the command and returns its outcome; raises InfrastructureUnavailable or
        OutcomeTimeout (answer 503). A caller retrying under a known id checks `existing_outcome` first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        sent = False
        while True:
            # Register before checking: a notification between the check and the wait is not lost.
            future = self._register(command.command_id)
            try:
                if not sent:
                    await self._send(topic, command, timeout)
                    sent = True
                else:
                    outcome = await self.existing_outcome(schema, command.command_id)
                    if outcome is not None:
                        return outcome
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise OutcomeTimeout(command.command_id)
                # The poll interval is the backstop for a notification lost to a reconnect.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(future, timeout=min(remaining, 1.0))
            finally:
                self._unregister(command.command_id, future)

    async def _send(self, topic: str, command: CommandEnvelope, timeout: float) -> None:
        try:
            await asyncio.wait_for(
                self._producer.send_and_wait(topic, encode(command), key=command.partition_key.encode()),
                timeout=timeout,
            )
        except (KafkaError, TimeoutError) as exc:
            raise InfrastructureUnavailable(f"Kafka did not accept the command: {exc!r}") from exc

    def _register(self, command_id: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(command_id, []).append(future)
        return future

    def _unregister(self, command_id: str, future: asyncio.Future) -> None:
        waiters = self._waiters.get(command_id)
        if waiters and future in waiters:
            waiters.remove(future)
            if not waiters:
                del self._waiters[command_id]


def local_command(payload: msgspec.Struct, *, cluster_id: str, actor: str) -> CommandEnvelope:
    """A command a service gives itself (a background check's result), decided like any other."""
    from .ids import uuid7
    from .timefmt import utc_now

    command_id = uuid7()
    return CommandEnvelope(command_id=command_id, type=type(payload).__struct_config__.tag, cluster_id=cluster_id,
                           partition_key=cluster_id, issued_at=utc_now(), correlation_id=command_id, actor=actor,
                           fingerprint="", payload=msgspec.Raw(encode(payload)))


def decode_outcome_body(outcome: Outcome) -> object:
    return None if outcome.body is None else msgspec.json.decode(outcome.body)


__all__ = ["CommandBus", "CommandProcessor", "Decision", "decode_outcome_body", "outcome_decoder"]
