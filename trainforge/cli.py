"""`trainforge serve | migrate | demo | export-schema | codegen | token EMAIL`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trainforge.config import Settings, get_settings

log = logging.getLogger("trainforge")

CODEGEN_DIR = Path("codegen")

READY_QUERY = """query Programs {
  viewer {
    displayName
    athletes(first: 10) { edges { node { displayName email } } }
    programs(first: 3) {
      totalCount
      edges {
        node {
          name startDate endDate athlete { displayName }
          macrocycles { mesocycles { name phase microcycles { weekNumber isDeload workouts {
            date name type status
            prescription { exercises { exercise sets reps percentOneRm rpe restSeconds } }
          } } } }
        }
      }
    }
  }
}"""


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


async def _migrate(url: str, settings: Settings) -> None:
    from trainforge.db import create_engine, migrate

    engine = create_engine(url, settings)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


class _StopSignals:
    """SIGINT and SIGTERM both stop `serve`: uvicorn first, then the embedded PostgreSQL; exit status 0.

    uvicorn (0.29 and later) catches both signals while it serves, shuts down gracefully, puts back
    the handlers it found and then raises the caught signal again, once more, before `uvicorn.run`
    returns. With Python's default handlers SIGINT becomes a KeyboardInterrupt there (which uvicorn
    swallows), but SIGTERM's default action ends the process on the spot: no `finally`, no atexit
    hook, so the embedded server was left running, with this dead process still counted as one of
    its users. Our handler turns either signal into KeyboardInterrupt, except while the embedded
    server starts or stops: a signal must not cut that in half, so it is only noted then, and acted
    on once the step is done.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: signal.Signals | None = None
        self._holding = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _StopSignals:
        self._previous = {sig: signal.signal(sig, self._handle) for sig in self.SIGNALS}
        return self

    def __exit__(self, *exc_info: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: object) -> None:
        if self.received is None:
            self.received = signal.Signals(signum)
            if self._holding:
                log.info("%s received: stopping once the embedded database is through this step", self.received.name)
        if not self._holding:
            raise KeyboardInterrupt

    @contextmanager
    def held(self) -> Iterator[None]:
        """Only note the signals received in the block."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def act_on_noted(self) -> None:
        if self.received is not None:
            raise KeyboardInterrupt


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from trainforge.db import open_database
    from trainforge.websocket import SharedFrameProtocol

    with _StopSignals() as signals:
        with signals.held():
            db = open_database(settings)
        try:
            signals.act_on_noted()
            asyncio.run(_migrate(db.url, settings))
            log.info("database migrated; serving GraphQL on http://%s:%s/graphql", args.host, args.port)
            # Workers (even one) build the app from the environment, so hand them the resolved URL.
            os.environ["DATABASE_URL"] = db.url
            uvicorn.run(
                "trainforge.app:app_from_environment",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level=settings.log_level,
                access_log=args.access_log,
                ws_max_size=1 << 20,
                ws=SharedFrameProtocol,
            )
        except KeyboardInterrupt:
            pass  # SIGINT or SIGTERM: stopped on purpose
        except SystemExit:
            # uvicorn exits with status 3 when told to stop before it was serving.
            if signals.received is None:
                raise
        finally:
            with signals.held():
                db.close()
    if signals.received is not None:
        log.info("stopped (%s)", signals.received.name)
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from trainforge.db import database

    with database(settings) as db:
        asyncio.run(_migrate(db.url, settings))
    print("database is at the latest revision")
    return 0


def cmd_cleanup(args: argparse.Namespace, settings: Settings) -> int:
    """The periodic cleanups, once, now (a worker runs them every 10 minutes)."""
    from trainforge import background
    from trainforge.db import create_engine, database

    async def run(url: str) -> dict[str, int]:
        await _migrate(url, settings)
        engine = create_engine(url, settings)
        try:
            return await background.cleanup(engine)
        finally:
            await engine.dispose()

    with database(settings) as db:
        removed = asyncio.run(run(db.url))
    for what, count in removed.items():
        print(f"removed {count} {what}")
    return 0


def cmd_rotate_token_keys(args: argparse.Namespace, settings: Settings) -> int:
    """Seal every wearable's credentials under the first of TRAINFORGE_TOKEN_KEYS, in one transaction."""
    from cryptography.fernet import InvalidToken

    from trainforge.db import create_engine, database, session_factory
    from trainforge.services import wearables

    try:
        vault = wearables.Vault.from_settings(settings)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def progress(done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            print(f"re-sealed {done}/{total}", file=sys.stderr, flush=True)

    async def run(url: str) -> int:
        await _migrate(url, settings)
        engine = create_engine(url, settings)
        try:
            async with session_factory(engine).begin() as session:
                return await wearables.rotate_keys(session, vault, progress)
        finally:
            await engine.dispose()

    with database(settings) as db:
        try:
            count = asyncio.run(run(db.url))
        except InvalidToken:
            print("error: some credentials were sealed under none of TRAINFORGE_TOKEN_KEYS; nothing changed "
                  "(keep the old key in the list until the rotation is done)", file=sys.stderr)
            return 1
    print(f"{count} credential(s) sealed under the first key")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """A background worker in the foreground, until Ctrl-C or SIGTERM (`serve` runs one in-process too)."""
    from trainforge import background
    from trainforge.db import create_engine, database

    async def run(url: str) -> None:
        await _migrate(url, settings)
        engine = create_engine(url, settings)
        app = background.make_app(engine)
        try:
            async with app.open_async():
                print("worker running; Ctrl-C stops it", file=sys.stderr)
                await app.run_worker_async(name="worker", delete_jobs="successful", concurrency=args.concurrency)
        finally:
            await engine.dispose()

    with database(settings) as db:
        asyncio.run(run(db.url))
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from trainforge.db import create_engine, database, session_factory
    from trainforge.models import Role
    from trainforge.services import auth, demo, statistics

    async def run(url: str) -> tuple[demo.DemoResult, str]:
        await _migrate(url, settings)
        engine = create_engine(url, settings)
        try:
            with tqdm(total=args.programs, unit="program", desc="demo programs", file=sys.stderr) as bar:
                async with session_factory(engine).begin() as session:
                    result = await demo.create_demo(
                        session,
                        settings,
                        programs=args.programs,
                        mesocycles=args.mesocycles,
                        weeks_per_mesocycle=args.weeks,
                        days_per_week=args.days,
                        on_progress=bar.update,
                    )
            # Committed: give the planner statistics for what was just loaded
            # rather than leave the first queries to plans for empty tables.
            async with engine.connect() as conn:
                analyzed = await statistics.analyze_stale(conn, statistics.ACCOUNT_TABLES + statistics.PROGRAM_TABLES)
                await conn.commit()
            log.info("analyzed %s", ", ".join(analyzed) or "no table (statistics were fresh)")
        finally:
            await engine.dispose()
        token = auth.issue_token(settings, auth.Viewer(result.coach_id, Role.COACH))
        return result, token

    with database(settings) as db:
        result, token = asyncio.run(run(db.url))
    print(f"\nCreated coach {demo.COACH_EMAIL} with athletes {', '.join(a[0] for a in demo.ATHLETES)}")
    print(f"  {len(result.program_ids)} programs; every password is '{demo.DEMO_PASSWORD}'.")
    print("\nBearer token for the coach (paste into GraphiQL's Headers tab):")
    print(f'  {{"Authorization": "Bearer {token}"}}')
    print(f"\nThen run this query at http://{settings.host}:{settings.port}/graphql :\n")
    print(READY_QUERY)
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from trainforge.db import create_engine, database
    from trainforge.services import accounts, auth

    async def find(url: str):  # noqa: ANN202
        engine = create_engine(url, settings)
        try:
            async with engine.connect() as conn:
                return await accounts.user_by_email(conn, args.email)
        finally:
            await engine.dispose()

    with database(settings) as db:
        user = asyncio.run(find(db.url))
    if user is None:
        print(f"no user with email {args.email}", file=sys.stderr)
        return 1
    print(auth.issue_token(settings, auth.Viewer(user.id, user.role)))
    return 0


def cmd_export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from trainforge.schema import export_sdl

    sdl = export_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl)
        print(f"wrote {args.output}")
    return 0


def cmd_codegen(args: argparse.Namespace, settings: Settings) -> int:
    from trainforge.tools.codegen import write_sdl

    print(f"wrote {write_sdl(Path(args.dir))}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trainforge", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, then serve GraphQL (starts the embedded PostgreSQL if needed)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=None)
    serve.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True)
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("cleanup", help="run the periodic cleanups once, now").set_defaults(func=cmd_cleanup)
    sub.add_parser(
        "rotate-token-keys", help="seal every wearable's credentials under the first of TRAINFORGE_TOKEN_KEYS"
    ).set_defaults(func=cmd_rotate_token_keys)
    worker = sub.add_parser("worker", help="run a background worker (serve runs one in-process too)")
    worker.add_argument("--concurrency", type=_positive, default=2, help="jobs run at once (default 2)")
    worker.set_defaults(func=cmd_worker)

    demo = sub.add_parser("demo", help="fill the database with a coach, two athletes and their programs")
    demo.add_argument("--programs", type=_positive, default=2, help="programs in all, shared by the athletes (default 2)")
    demo.add_argument("--mesocycles", type=_positive, default=3, help="mesocycles per program (default 3)")
    demo.add_argument("--weeks", type=_positive, default=4, help="weeks per mesocycle, the last a deload (default 4)")
    demo.add_argument("--days", type=int, choices=range(1, 7), default=4, help="workouts per week, 1 to 6 (default 4)")
    demo.set_defaults(func=cmd_demo)

    export = sub.add_parser("export-schema", help="print or write the GraphQL SDL")
    export.add_argument("--output", "-o", default="-")
    export.set_defaults(func=cmd_export_schema)

    codegen = sub.add_parser(
        "codegen", help="write codegen/schema.graphql (`make codegen` then generates the TypeScript types from it)"
    )
    codegen.add_argument("--dir", default=str(CODEGEN_DIR))
    codegen.set_defaults(func=cmd_codegen)

    token = sub.add_parser("token", help="print a bearer token for a user (development)")
    token.add_argument("email")
    token.set_defaults(func=cmd_token)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = get_settings()
    if args.command == "serve":
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers)) if v}
        settings = settings.model_copy(update=overrides)
        args.host, args.port, args.workers = settings.host, settings.port, settings.workers
    _configure_logging(settings)
    return args.func(args, settings)


if __name__ == "__main__":
    raise SystemExit(main())
