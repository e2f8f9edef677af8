"""Email's commands: `--smtp-listen` on `porch serve` (and `porch worker`), and
`porch email configure KEY …` for a site's mail settings (docs/email.md)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from porch.config import load_config
from porch.db.migrate import upgrade


def add_commands(commands: Any) -> None:
    """`--smtp-listen` on the long-running commands: that process takes forwarded mail."""
    for name in ("serve", "worker"):
        commands.choices[name].add_argument(
            "--smtp-listen",
            metavar="HOST:PORT",
            help="take mail forwarded to the support address here, e.g. 127.0.0.1:2525"
            " (env PORCH_SMTP_LISTEN; run it in one process only)",
        )
    email = commands.add_parser("email", help="a site's mail settings").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    configure = email.add_parser("configure", help="support address, rules, IMAP mailbox")
    configure.add_argument("key", help="the site key (see `porch site list`)")
    configure.add_argument("--data", metavar="DIR", help="data directory (env PORCH_DATA)")
    configure.add_argument("--database-url", metavar="URL", help="env PORCH_DATABASE_URL")
    configure.add_argument("--support-email", metavar="ADDRESS")
    configure.add_argument(
        "--follow-up-days",
        type=float,
        metavar="DAYS",
        help="a reply this soon after a ticket closed reopens it, later opens a follow-up (7)",
    )
    configure.add_argument("--priority", choices=["critical", "high", "medium", "low"])
    configure.add_argument("--assignee", metavar="EMAIL", help="operator who gets mailed tickets")
    configure.add_argument(
        "--tag",
        action="append",
        metavar="KEYWORD=TAG",
        help="tag tickets whose subject has KEYWORD (repeatable; replaces the list)",
    )
    configure.add_argument("--ack", choices=["on", "off"], help="acknowledge new tickets")
    configure.add_argument("--imap-host", metavar="HOST")
    configure.add_argument("--imap-user", metavar="USER")
    configure.add_argument("--imap-port", type=int, metavar="PORT", help="993 (TLS)")
    configure.add_argument("--imap-folder", metavar="FOLDER", help="INBOX")
    configure.add_argument(
        "--imap-password-env",
        metavar="VARIABLE",
        help="environment variable holding the IMAP password (keeps it out of history)",
    )
    configure.set_defaults(handler=cmd_email_configure)


def _changes(args: argparse.Namespace) -> dict[str, Any] | str:
    """The settings the flags give, or what is wrong with them."""
    given: dict[str, Any] = {
        "support_email": args.support_email,
        "email_follow_up_days": args.follow_up_days,
        "email_priority": args.priority,
    }
    if args.ack:
        given["email_ack"] = args.ack == "on"
    if args.tag:
        pairs = [tag.partition("=") for tag in args.tag]
        if any(not sep or not word or not tag for word, sep, tag in pairs):
            return "--tag is KEYWORD=TAG"
        given["email_tags"] = {word: tag for word, _, tag in pairs}
    if args.imap_host:
        password = os.environ.get(args.imap_password_env or "PORCH_IMAP_PASSWORD", "")
        if not args.imap_user or not password:
            return (
                "IMAP needs --imap-user and a password in PORCH_IMAP_PASSWORD (or the"
                " variable named by --imap-password-env)"
            )
        box: dict[str, Any] = {"host": args.imap_host, "user": args.imap_user}
        box["password"] = password
        if args.imap_port:
            box["port"] = args.imap_port
        if args.imap_folder:
            box["folder"] = args.imap_folder
        given["email_imap"] = box
    return {k: v for k, v in given.items() if v is not None}


def cmd_email_configure(args: argparse.Namespace) -> int:
    changes = _changes(args)
    if isinstance(changes, str):
        print(f"error: {changes}", file=sys.stderr)
        return 1
    config = load_config(data=args.data, database_url=args.database_url)
    upgrade(config.database_url)
    outcome = asyncio.run(_configure(config, args.key, changes, args.assignee))
    if isinstance(outcome, str):
        print(f"error: {outcome}", file=sys.stderr)
        return 1
    shown = {k: ("***" if k == "email_imap" else v) for k, v in sorted(outcome.items())}
    print(f"Updated {args.key}: " + ", ".join(f"{k}={v!r}" for k, v in shown.items()))
    return 0


async def _configure(
    config: Any, key: str, changes: dict[str, Any], assignee: str | None
) -> dict[str, Any] | str:
    from pydantic import ValidationError

    from porch.app import build_services
    from porch.sites.settings import SiteSettingsUpdate, settings_problems

    services = build_services(config)
    try:
        site = await services.sites.by_key(key)
        if site is None:
            return f"no site with key {key!r} (see `porch site list`)"
        if assignee:
            found = [o for o in await services.operators.list() if o.email == assignee.lower()]
            operator = found[0] if found else None
            if operator is None:
                return f"no operator {assignee!r}"
            changes["email_assignee_id"] = operator.id
        if not changes:
            return "nothing to change (see `porch email configure --help`)"
        try:
            update = SiteSettingsUpdate(**changes)
        except ValidationError as exc:
            return "; ".join(settings_problems(exc).values())
        site = await services.sites.update(site.id, settings=update)
        return {k: site.settings[k] for k in changes}
    finally:
        await services.db.dispose()
