"""The `porch` command: demo, serve, migrate, operator add, site add/list/update/secret."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

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


def build_parser() -> argparse.ArgumentParser:
    storage, server = _storage_options(), _server_options()
    parser = argparse.ArgumentParser(prog="porch", description="Self-hosted live chat.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", parents=[storage, server], help="seed a demo site and run the server"
    )
    demo.set_defaults(handler=cmd_demo)
    serve = commands.add_parser("serve", parents=[storage, server], help="run the server")
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
    return parser


def _config(args: argparse.Namespace, demo: bool = False) -> Config:
    return load_config(
        data=args.data,
        database_url=args.database_url,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        demo=demo,
    )


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

    return asyncio.run(run())


def _serve(config: Config) -> None:
    import uvicorn

    from porch.app import create_app
    from porch.runtime import tune_gc

    app = create_app(config)
    tune_gc()  # start-up is over: keep its objects out of the collector's way
    uvicorn.run(app, host=config.host, port=config.port, log_level="info")


def cmd_migrate(args: argparse.Namespace) -> int:
    config = _config(args)
    upgrade(config.database_url)
    print(f"Database is up to date: {_redacted(config.database_url)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    config = _config(args)
    if not args.no_migrate:
        upgrade(config.database_url)
    print(f"Porch is running at {config.base_url} (panel: {config.base_url}/panel)")
    _serve(config)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from porch.demo.seed import seed_demo
    from porch.widget.snippet import snippet

    config = _config(args, demo=True)
    upgrade(config.database_url)
    demo = _with_services(config, seed_demo)
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
    from porch.chat.errors import SiteError
    from porch.widget.snippet import snippet

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
    from porch.widget.snippet import snippet

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


def cmd_site_update(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from porch.chat.settings import SiteSettingsUpdate, settings_problems

    given = {"color": args.color, "greeting": args.greeting}
    if args.typing_preview:
        given["typing_preview"] = args.typing_preview == "on"
    try:
        update = SiteSettingsUpdate(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        problems = settings_problems(exc).items()
        print(
            "error: " + "; ".join(f"--{k.replace('_', '-')}: {v}" for k, v in problems),
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

    args = build_parser().parse_args(argv)
    try:
        sys.exit(args.handler(args))
    except (DBAPIError, OSError) as exc:
        url = getattr(args, "database_url", None) or "the configured database"
        reason = getattr(exc, "orig", None) or exc
        print(
            f"error: cannot use {_redacted(url) if '://' in url else url}: {reason}",
            file=sys.stderr,
        )
        sys.exit(1)
