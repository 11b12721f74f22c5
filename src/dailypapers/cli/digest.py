"""`dailypapers digest`: send a period's digests (cron-safe), see the outbox, settle in-flight."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from dailypapers.cli.common import (
    EXIT_ERROR,
    EXIT_NEW,
    EXIT_NOTHING_NEW,
    day_option,
    engine_for_command,
    err,
    guard,
    load_settings,
    out,
)
from dailypapers.db.engine import make_sessionmaker

digest_app = typer.Typer(help="Email digests: send, status, resolve.")


def _day(value: str | None) -> dt.date:
    return day_option(value, "--date") or dt.datetime.now(dt.UTC).date()


@digest_app.command("send")
def send(
    frequency: Annotated[str, typer.Option(help="daily (weekdays) or weekly")] = "daily",
    date: Annotated[
        str | None, typer.Option(help="Day whose digest to send (YYYY-MM-DD, UTC); default today")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    batch: Annotated[int, typer.Option(min=1, help="Readers composed per transaction")] = 1000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=16,
            help="SMTP connections sending at once. A crash can leave one digest per connection "
            "in flight (see `digest status`); 1 keeps that to a single one.",
        ),
    ] = 1,
) -> None:
    """Compose and send one period's digests. Safe to rerun or run twice at once: each reader gets
    at most one digest per period; a rerun sends to whoever did not get one.

    Exit 0 when mail went out, 1 when there was nothing to send, 2 when sending stopped on an error.
    """
    from dailypapers.digest.mail import make_mailer
    from dailypapers.digest.sender import FREQUENCIES, DigestSender
    from dailypapers.search.runtime import load_embedder

    if frequency not in FREQUENCIES:
        err.print("[red]error:[/red] --frequency is daily or weekly")
        raise typer.Exit(EXIT_ERROR)
    day = _day(date)
    settings = load_settings()
    with engine_for_command() as engine:
        sender = DigestSender(
            make_sessionmaker(engine),
            settings,
            lambda: make_mailer(settings),
            load_embedder(),
            batch=batch,
            workers=workers,
        )
        report = guard(lambda: sender.run(frequency, day))
    if as_json:
        out.print_json(json.dumps(report.as_dict()))
    else:
        out.print(
            f"{frequency} {report.period or day}: {report.pool} papers, {report.readers} readers "
            f"composed, {report.planned} new digests ({report.empty} empty, not sent); sent "
            f"{report.sent}, {report.retry_later} to retry later, {report.failed} failed"
        )
    if report.in_flight:
        err.print(
            f"[yellow]{len(report.in_flight)} digest(s) in flight from an interrupted run; "
            "see `dailypapers digest status`[/yellow]"
        )
    if report.stopped:
        err.print(f"[red]stopped:[/red] {report.stopped}")
        raise typer.Exit(EXIT_ERROR if report.period else EXIT_NOTHING_NEW)
    raise typer.Exit(EXIT_NEW if report.sent else EXIT_NOTHING_NEW)


@digest_app.command("status")
def status(
    frequency: Annotated[str | None, typer.Option(help="Only this frequency")] = None,
    period: Annotated[
        str | None, typer.Option(help="Only this period (2026-11-27, 2026-W48)")
    ] = None,
) -> None:
    """Outbox counts by state, and every digest left in flight by an interrupted run.

    An in-flight digest was handed to SMTP (or about to be) when the sender died: it may or may
    not have arrived. Check the SMTP server's log, then `dailypapers digest resolve ID --sent` or
    `--resend`. Nothing resends it on its own.
    """
    from dailypapers.digest.store import DigestStore

    def read() -> tuple[dict[str, int], list[tuple[int, str, str, str, dt.datetime | None]]]:
        with make_sessionmaker(engine)() as session:
            store = DigestStore(session)
            flights = [
                (o.id, o.frequency, o.period, email, o.sending_at) for o, email in store.in_flight()
            ]
            return store.counts(frequency, period), flights

    with engine_for_command() as engine:
        counts, flights = guard(read)
    line = ", ".join(f"{state} {n}" for state, n in sorted(counts.items())) or "empty"
    out.print(f"outbox: {line}")
    if not flights:
        out.print("in flight: none")
        return
    out.print(f"in flight (unknown whether delivered): {len(flights)}")
    for outbox_id, freq, per, email, since in flights:
        out.print(f"  #{outbox_id} {freq} {per} to {email} since {since:%Y-%m-%d %H:%M:%S}Z")


@digest_app.command("resolve")
def resolve(
    outbox_id: Annotated[int, typer.Argument(help="Outbox id from `digest status`")],
    sent: Annotated[bool, typer.Option("--sent", help="It was delivered: mark it sent")] = False,
    resend: Annotated[
        bool, typer.Option("--resend", help="It was not: send it on the next run")
    ] = False,
) -> None:
    """Settle an in-flight digest after checking the SMTP server's log."""
    from dailypapers.digest.store import DigestStore

    if sent == resend:
        err.print("[red]error:[/red] say --sent or --resend")
        raise typer.Exit(EXIT_ERROR)

    def change() -> bool:
        with make_sessionmaker(engine)() as session:
            done = DigestStore(session).resolve(outbox_id, sent=sent)
            session.commit()
            return done

    with engine_for_command() as engine:
        changed = guard(change)
    if not changed:
        err.print(f"[red]error:[/red] #{outbox_id} is not in flight")
        raise typer.Exit(EXIT_ERROR)
    out.print(f"#{outbox_id}: " + ("marked sent" if sent else "will be sent by the next run"))
