"""`porch canned list|add|remove --site KEY`: the site's shared canned replies."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from porch.errors import DomainError
from porch.services import Services


def add_commands(commands: Any, storage: argparse.ArgumentParser) -> None:
    canned = commands.add_parser("canned", help="manage shared canned replies").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    site = argparse.ArgumentParser(add_help=False)
    site.add_argument("--site", required=True, metavar="KEY", help="the site key")
    listed = canned.add_parser("list", parents=[storage, site], help="list canned replies")
    listed.set_defaults(handler=cmd_canned_list)
    add = canned.add_parser("add", parents=[storage, site], help="add a shared canned reply")
    add.add_argument("shortcut", help="typed after / in the reply box, e.g. refund")
    add.add_argument("--title", required=True)
    add.add_argument("--body", required=True, help="may hold {{contact.name}} and the like")
    add.set_defaults(handler=cmd_canned_add)
    remove = canned.add_parser(
        "remove", parents=[storage, site], help="remove a shared canned reply"
    )
    remove.add_argument("shortcut")
    remove.set_defaults(handler=cmd_canned_remove)


def _run(args: argparse.Namespace, work: Any) -> int:
    from porch.canned.service import CannedReplies
    from porch.cli import _config, _with_services

    async def run(services: Services) -> int:
        site = await services.sites.by_key(args.site)
        if site is None:
            print(f"error: no site with key {args.site!r}", file=sys.stderr)
            return 1
        try:
            await work(CannedReplies(services.db, services.clock), site.id)
        except DomainError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0

    result: int = _with_services(_config(args), run)
    return result


def cmd_canned_list(args: argparse.Namespace) -> int:
    async def work(canned: Any, site_id: int) -> None:
        replies = await canned.replies(site_id)
        if not replies:
            print("No canned replies yet: add one with `porch canned add SHORTCUT --site KEY`.")
        for reply in replies:
            print(f"/{reply.shortcut}  {reply.title}")
            print(f"  {reply.body}")

    return _run(args, work)


def cmd_canned_add(args: argparse.Namespace) -> int:
    async def work(canned: Any, site_id: int) -> None:
        reply = await canned.add(site_id, args.shortcut, args.title, args.body)
        print(f"Added /{reply.shortcut}")

    return _run(args, work)


def cmd_canned_remove(args: argparse.Namespace) -> int:
    async def work(canned: Any, site_id: int) -> None:
        await canned.remove_shortcut(site_id, args.shortcut)
        print(f"Removed /{args.shortcut.lstrip('/')}")

    return _run(args, work)
