"""The `porch` command: demo, serve, migrate, operator, site, worker, jobs, api-key,
webhook."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import IO, Any, TypeVar

from porch.api import cli as api_cli
from porch.canned import cli as canned_cli
from porch.config import Config, load_config
from porch.db.migrate import upgrade
from porch.services import Services

T = TypeVar("T")


def _storage_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--data", metavar="DIR", help="data directory (env PORCH_DATA)")
    parent.add_argument(
        "--database-url", metavar="URL", help="SQLAlchemy URL (env PORCH_DATABASE_URL)"
    )
    return parent


def _server_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--host", help="address to listen on (env PORCH_HOST, 127.0.0.1)")
    parent.add_argument("--port", type=int, help="port to listen on (env PORCH_PORT, 8000)")
    return parent


def _redis_options() -> argparse.ArgumentParser:
    """Several processes: the Redis they share (docs/operations.md, "Several processes")."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--redis-url",
        metavar="URL",
        help="Redis shared by several processes, e.g. redis://127.0.0.1:6379/0 (env"
        " PORCH_REDIS_URL; needs PostgreSQL; none: one process, state in memory)",
    )
    parent.add_argument(
        "--redis-prefix",
        metavar="PREFIX",
        help="start of every Redis key and channel, to share one Redis between installs"
        " (env PORCH_REDIS_PREFIX, porch:)",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    from porch.operators import cli as operator_cli

    storage, server, redis = _storage_options(), _server_options(), _redis_options()
    parser = argparse.ArgumentParser(
        prog="porch",
        description="Self-hosted live chat and help desk: widget, inbox, tickets, email, "
        "flows, AI bot, REST API.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", parents=[storage, server], help="seed a demo site and run the server"
    )
    demo.set_defaults(handler=cmd_demo)
    serve = commands.add_parser("serve", parents=[storage, server, redis], help="run the server")
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate on start")
    serve.set_defaults(handler=cmd_serve)
    migrate = commands.add_parser("migrate", parents=[storage], help="migrate the database")
    migrate.set_defaults(handler=cmd_migrate)

    operator = commands.add_parser("operator", help="manage operators").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add_operator = operator.add_parser("add", parents=[storage], help="add an operator")
    add_operator.add_argument("email")
    add_operator.add_argument("--name", required=True)
    add_operator.add_argument(
        "--password", help="prompted for when omitted (keeps it out of history)"
    )
    add_operator.set_defaults(handler=cmd_operator_add)
    operator_cli.add_commands(operator, storage, server)  # --role, invite, list, deactivate…

    site = commands.add_parser("site", help="manage sites").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add_site = site.add_parser("add", parents=[storage, server], help="add a site")
    add_site.add_argument("name")
    add_site.add_argument(
        "--origin", action="append", required=True, help="allowed origin (repeatable)"
    )
    add_site.set_defaults(handler=cmd_site_add)
    list_sites = site.add_parser("list", parents=[storage, server], help="list sites")
    list_sites.set_defaults(handler=cmd_site_list)
    update_site = site.add_parser("update", parents=[storage], help="change a site's settings")
    update_site.add_argument("key", help="the site key (see `porch site list`)")
    update_site.add_argument(
        "--typing-preview", choices=["on", "off"], help="operators see drafts as visitors type"
    )
    update_site.add_argument("--color", help="widget accent colour, #rrggbb")
    update_site.add_argument("--greeting", help="shown at the top of an empty chat")
    update_site.add_argument(
        "--reopen-window",
        type=float,
        metavar="HOURS",
        help="a message this soon after a close reopens the conversation (0: always a new one;"
        " default 24)",
    )
    update_site.add_argument(
        "--support-email", metavar="ADDRESS", help="mail to it becomes tickets (docs/email.md)"
    )
    update_site.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SETTING=JSON",
        help="any setting by its name, its value as JSON (repeatable), e.g."
        ' --set \'sla_targets={"high": {"first_response": 30, "resolution": 240}}\''
        " (docs/tickets.md, docs/business-hours.md)",
    )
    update_site.set_defaults(handler=cmd_site_update)
    secret = site.add_parser(
        "secret", parents=[storage], help="print (or rotate) a site's identity secret"
    )
    secret.add_argument("key", help="the site key (see `porch site list`)")
    secret.add_argument(
        "--rotate",
        action="store_true",
        help="replace it (hashes made with the old one stop verifying)",
    )
    secret.set_defaults(handler=cmd_site_secret)
    _add_job_commands(commands, storage, redis)
    canned_cli.add_commands(commands, storage)
    api_cli.add_commands(commands, storage, _config, _with_services)
    from porch.flows import cli as flow_cli

    flow_cli.add_commands(commands, storage)
    _add_bot_commands(commands, storage)
    _add_ops_options(commands)
    from porch.email.cli import add_commands as add_email_commands

    add_email_commands(commands)
    return parser


def _add_bot_commands(commands: Any, storage: argparse.ArgumentParser) -> None:
    from porch.bot.cli import add_commands

    add_commands(commands, storage)


def _add_ops_options(commands: Any) -> None:
    """Logs, health, metrics and shutdown of the long-running commands (docs/operations.md)."""
    from porch.config import LOG_FORMATS, LOG_LEVELS

    for name in ("serve", "demo", "worker"):
        ops = commands.choices[name].add_argument_group("operations")
        ops.add_argument(
            "--log-format",
            choices=LOG_FORMATS,
            help="json lines, or text (env PORCH_LOG_FORMAT; auto: text on a terminal, else json)",
        )
        ops.add_argument(
            "--log-level", choices=LOG_LEVELS, help="env PORCH_LOG_LEVEL (default info)"
        )
        ops.add_argument(
            "--admin-listen",
            metavar="HOST:PORT",
            help="also listen here for /metrics, /healthz and /readyz only, without a token"
            " (env PORCH_ADMIN_LISTEN), e.g. 127.0.0.1:9464",
        )
        ops.add_argument(
            "--shutdown-timeout",
            type=float,
            metavar="SECONDS",
            help="on SIGTERM, how long requests and running jobs get to finish (env"
            " PORCH_SHUTDOWN_TIMEOUT, default 10)",
        )
        if name != "worker":
            ops.add_argument(
                "--drain-delay",
                type=float,
                metavar="SECONDS",
                help="on SIGTERM, keep serving this long with /readyz at 503 before closing"
                " (env PORCH_DRAIN_DELAY, default 0)",
            )


def _ops_flags(args: argparse.Namespace) -> dict[str, Any]:
    names = ("log_format", "log_level", "admin_listen", "shutdown_timeout", "drain_delay")
    return {name: getattr(args, name, None) for name in names}


def _configure_logs(config: Config) -> None:
    from porch.ops.logs import configure_logging

    configure_logging(config.ops.log_format, config.ops.log_level)


def _add_job_commands(
    commands: Any, storage: argparse.ArgumentParser, redis: argparse.ArgumentParser
) -> None:
    """`porch worker` and `porch jobs list|retry|probe` (see docs/jobs.md)."""
    worker = commands.add_parser(
        "worker", parents=[storage, redis], help="run background job workers only (no HTTP)"
    )
    worker.add_argument("--no-migrate", action="store_true", help="do not migrate on start")
    worker.add_argument(
        "--concurrency", type=int, default=32, help="jobs running at once (default 32)"
    )
    worker.add_argument(
        "--lease",
        type=float,
        default=30,
        metavar="SECONDS",
        help="how long a job stays locked to a worker that stops answering (default 30)",
    )
    worker.set_defaults(handler=cmd_worker)
    jobs = commands.add_parser("jobs", help="inspect and retry background jobs").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    list_jobs = jobs.add_parser("list", parents=[storage], help="list queued and failed jobs")
    list_jobs.add_argument(
        "--failed", action="store_true", help="only dead jobs and jobs waiting to retry"
    )
    list_jobs.add_argument("--limit", type=int, default=200, help="at most this many (200)")
    list_jobs.set_defaults(handler=cmd_jobs_list)
    retry = jobs.add_parser("retry", parents=[storage], help="run a failed or dead job again")
    retry.add_argument("id", type=int, help="the job's id (see `porch jobs list --failed`)")
    retry.set_defaults(handler=cmd_jobs_retry)
    probe = jobs.add_parser(
        "probe", parents=[storage], help="check that a worker (server or `porch worker`) runs jobs"
    )
    probe.add_argument("--timeout", type=float, default=10, help="seconds to wait (10)")
    probe.set_defaults(handler=cmd_jobs_probe)


def _config(args: argparse.Namespace, demo: bool = False) -> Config:
    if demo:  # the demo is one process on SQLite: no Redis, even from the environment
        return dataclasses.replace(_loaded_config(args, demo=True), redis_url="")
    return _loaded_config(args)


def _loaded_config(args: argparse.Namespace, demo: bool = False) -> Config:
    return load_config(
        data=args.data,
        database_url=args.database_url,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        demo=demo,
        redis_url=getattr(args, "redis_url", None),
        redis_prefix=getattr(args, "redis_prefix", None),
        smtp_listen=getattr(args, "smtp_listen", None),
        ops=_ops_flags(args),
    )


def _claim(config: Config) -> IO[str] | int | None:
    """A long-running process's claim on its database (see `porch.db.single_process`):
    the SQLite lock to keep open, or exit status 1 after saying why it may not start."""
    from porch.db.single_process import OneProcessOnly, claim

    try:
        return claim(config)
    except OneProcessOnly as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _with_services(config: Config, fn: Callable[[Services], Awaitable[T]]) -> T:
    """Run `fn` against an up-to-date database (admin commands work on a fresh data dir)."""
    from porch.app import build_services

    upgrade(config.database_url)

    async def run() -> T:
        services = build_services(config)
        try:
            return await fn(services)
        finally:
            await services.db.dispose()
            if services.backplane is not None:  # PORCH_REDIS_URL in the environment
                await services.backplane.close()

    return asyncio.run(run())


def _serve(config: Config) -> None:
    from porch.app import create_app
    from porch.ops.server import serve
    from porch.runtime import tune_gc

    app = create_app(config)
    tune_gc()  # start-up is over: keep its objects out of the collector's way
    serve(app, config)  # uvicorn, with porch.ops's logs and graceful shutdown


def cmd_migrate(args: argparse.Namespace) -> int:
    config = _config(args)
    upgrade(config.database_url)
    print(f"Database is up to date: {_redacted(config.database_url)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    config = _config(args)
    _configure_logs(config)
    if isinstance(held := _claim(config), int):
        return held
    if not args.no_migrate:
        upgrade(config.database_url)
    print(f"Porch is running at {config.base_url} (panel: {config.base_url}/panel)")
    _serve(config)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from porch.demo.seed import Demo, seed_demo
    from porch.demo.showcase import seed_showcase
    from porch.embed.snippet import snippet

    config = _config(args, demo=True)
    _configure_logs(config)
    if isinstance(held := _claim(config), int):
        return held
    upgrade(config.database_url)

    async def seed(services: Services) -> Demo:
        demo = await seed_demo(services)
        await seed_showcase(services, demo)
        return demo

    demo = _with_services(config, seed)
    print(
        "\n".join(
            [
                "",
                "Porch demo is running.",
                f"  Storefront (visitor): {config.base_url}/demo",
                f"  Inbox (operator):     {config.base_url}/panel",
                f"  Operator login:       {demo.operator.email} / {demo.password}",
                f"  Data directory:       {config.data_dir}",
                "  Install snippet:",
                f"    {snippet(config.base_url, demo.site.key)}",
                "",
                "Open the storefront and the inbox in two windows and chat. Ctrl+C stops.",
                "",
            ]
        ),
        flush=True,
    )
    _serve(config)
    return 0


def cmd_operator_add(args: argparse.Namespace) -> int:
    from porch.operators.service import OperatorError

    config = _config(args)
    password = args.password or _ask_password()
    try:
        operator = _with_services(
            config, lambda s: s.operators.create(args.email, args.name, password)
        )
    except OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Operator {operator.name} <{operator.email}> added (id {operator.id}).")
    return 0


def cmd_site_add(args: argparse.Namespace) -> int:
    from porch.embed.snippet import snippet
    from porch.errors import SiteError

    config = _config(args)
    try:
        site = _with_services(config, lambda s: s.sites.create(args.name, args.origin))
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Site {site.name!r} added.")
    print(f"  Site key: {site.key}")
    print(f"  Allowed origins: {', '.join(site.allowed_origins)}")
    print(f"  Identity secret: {site.identity_secret}  (server-side only; docs/identity.md)")
    print("  Paste this before </body> on every page:")
    print(f"    {snippet(config.base_url, site.key)}")
    return 0


def cmd_site_list(args: argparse.Namespace) -> int:
    from porch.embed.snippet import snippet

    config = _config(args)
    sites = _with_services(config, lambda s: s.sites.all())
    if not sites:
        print("No sites yet: add one with `porch site add NAME --origin URL`.")
    for site in sites:
        print(f"{site.name}  ({site.key})")
        print(f"  Allowed origins: {', '.join(site.allowed_origins)}")
        settings = ", ".join(f"{k}={v!r}" for k, v in sorted(site.settings.items()))
        print(f"  Settings: {settings}")
        print(f"  Snippet: {snippet(config.base_url, site.key)}")
    return 0


def _flag(setting: str) -> str:
    return "reopen-window" if setting == "reopen_window_hours" else setting.replace("_", "-")


def _json_or_text(raw: str) -> Any:
    """A `--set` value: JSON when it parses (numbers, true, objects…), else the text."""
    import json

    try:
        return json.loads(raw)
    except ValueError:
        return raw


def cmd_site_update(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from porch.sites.settings import SiteSettingsUpdate, settings_problems

    given = {
        "color": args.color,
        "greeting": args.greeting,
        "reopen_window_hours": args.reopen_window,
        "support_email": args.support_email,
    }
    if args.typing_preview:
        given["typing_preview"] = args.typing_preview == "on"
    for item in args.set:
        name, equals, raw = item.partition("=")
        if not equals or not name:
            print(f"error: --set takes SETTING=JSON, not {item!r}", file=sys.stderr)
            return 1
        given[name.strip()] = _json_or_text(raw)
    try:
        update = SiteSettingsUpdate(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        problems = settings_problems(exc).items()
        print(
            "error: " + "; ".join(f"--{_flag(k)}: {v}" for k, v in problems),
            file=sys.stderr,
        )
        return 1
    changes = update.changes()
    if not changes:
        print("error: nothing to change (see `porch site update --help`)", file=sys.stderr)
        return 1

    async def run(services: Services) -> str | None:
        site = await services.sites.by_key(args.key)
        if site is None:
            return None
        site = await services.sites.update(site.id, settings=update)
        return ", ".join(f"{k}={site.settings[k]!r}" for k in sorted(changes))

    updated = _with_services(_config(args), run)
    if updated is None:
        print(f"error: no site with key {args.key!r} (see `porch site list`)", file=sys.stderr)
        return 1
    print(f"Updated {args.key}: {updated}")
    return 0


def cmd_site_secret(args: argparse.Namespace) -> int:
    async def run(services: Services) -> str | None:
        site = await services.sites.by_key(args.key)
        if site is not None and args.rotate:
            site = await services.sites.rotate_identity_secret(site.id)
        return site.identity_secret if site else None

    secret = _with_services(_config(args), run)
    if secret is None:
        print(f"error: no site with key {args.key!r} (see `porch site list`)", file=sys.stderr)
        return 1
    print(secret)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    config = _config(args)
    _configure_logs(config)
    if isinstance(held := _claim(config), int):
        return held
    if not args.no_migrate:
        upgrade(config.database_url)
    print(f"Porch worker is running on {_redacted(config.database_url)}. Ctrl+C stops.", flush=True)
    asyncio.run(_run_worker(config, args.concurrency, args.lease))
    return 0


async def _run_worker(config: Config, concurrency: int, lease: float) -> None:
    """Every feature installed, as in a server, with its start/stop hooks, but no HTTP:
    the job workers run until SIGINT or SIGTERM, then finish their jobs and stop."""
    import signal
    from datetime import timedelta

    from porch.app import FEATURES, build_services

    services = build_services(config)
    services.jobs.settings = dataclasses.replace(
        services.jobs.settings, concurrency=concurrency, lease=timedelta(seconds=lease)
    )
    for install in FEATURES:
        install(services)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        for start in services.on_startup:
            await start()
        await stopping.wait()
    finally:
        for stop in reversed(services.on_shutdown):
            await stop()
        await services.db.dispose()


def cmd_jobs_list(args: argparse.Namespace) -> int:
    listed = _with_services(_config(args), lambda s: s.jobs.list(args.failed, args.limit))
    if not listed:
        print("No failed jobs." if args.failed else "No jobs waiting, running or dead.")
    for job in listed:
        when = job.run_at if job.status == "queued" else job.updated_at
        error = (job.last_error or "").split("\n", 1)[0]
        print(
            f"{job.id}  {job.kind}  {job.status}  tries {job.attempts}/{job.max_attempts}"
            f"  {'next ' if job.status == 'queued' else ''}{when:%Y-%m-%d %H:%M:%S}Z"
            + (f"  {error}" if error else "")
        )
    return 0


def cmd_jobs_retry(args: argparse.Namespace) -> int:
    if not _with_services(_config(args), lambda s: s.jobs.retry(args.id)):
        print(f"error: no job {args.id} to retry (it is running, or gone)", file=sys.stderr)
        return 1
    print(f"Job {args.id} is queued to run again.")
    return 0


def cmd_jobs_probe(args: argparse.Namespace) -> int:
    from porch.jobs.builtin import round_trip

    took = _with_services(_config(args), lambda s: round_trip(s.db, args.timeout))
    if took is None:
        print(f"error: no worker ran the probe job within {args.timeout:g} s", file=sys.stderr)
        return 1
    print(f"A worker ran the probe job {took * 1000:.0f} ms after it was queued.")
    return 0


def _ask_password() -> str:
    import getpass

    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != password:
        print("error: the passwords differ", file=sys.stderr)
        sys.exit(1)
    return password


def _redacted(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> None:
    from sqlalchemy.exc import DBAPIError

    from porch.config import ConfigError

    args = build_parser().parse_args(argv)
    try:
        sys.exit(args.handler(args))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except (DBAPIError, OSError) as exc:
        url = getattr(args, "database_url", None) or "the configured database"
        reason = getattr(exc, "orig", None) or exc
        print(
            f"error: cannot use {_redacted(url) if '://' in url else url}: {reason}",
            file=sys.stderr,
        )
        sys.exit(1)
