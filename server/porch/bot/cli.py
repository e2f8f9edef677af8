"""`porch kb add|list|remove`: a site's knowledge base from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from porch.config import Config


def add_commands(commands: Any, storage: argparse.ArgumentParser) -> None:
    kb = commands.add_parser("kb", help="the bot's knowledge base").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add = kb.add_parser("add", parents=[storage], help="add pages, a sitemap or files")
    add.add_argument("--site", required=True, metavar="KEY", help="the site key")
    add.add_argument(
        "targets",
        nargs="+",
        metavar="PATH_OR_URL",
        help="a page, a sitemap (.xml), a file (md, txt, html, pdf), or `shopify:` for the"
        " store's products and policies",
    )
    add.set_defaults(handler=cmd_kb_add)
    listing = kb.add_parser("list", parents=[storage], help="list knowledge sources")
    listing.add_argument("--site", metavar="KEY", help="only this site")
    listing.set_defaults(handler=cmd_kb_list)
    remove = kb.add_parser("remove", parents=[storage], help="remove a knowledge source")
    remove.add_argument("--site", required=True, metavar="KEY")
    remove.add_argument("source_id", type=int, metavar="ID")
    remove.set_defaults(handler=cmd_kb_remove)


def _config(args: argparse.Namespace) -> Config:
    from porch.cli import _config as config

    return config(args)


def cmd_kb_add(args: argparse.Namespace) -> int:
    from porch.bot import settings
    from porch.bot.knowledge.store import KnowledgeBase
    from porch.cli import _with_services
    from porch.errors import Invalid
    from porch.integrations.shopify.admin import ShopifyError
    from porch.services import Services

    async def run(s: Services) -> int:
        site = await s.sites.by_key(args.site)
        if site is None:
            print(f"No site with key {args.site}.")
            return 1
        async with s.db.connect() as conn:
            allowed = (await settings.load(conn, site.id)).allow_private_urls
        allow = allowed or s.config.allow_private_targets
        kb, failed = KnowledgeBase(s.db, s.clock), 0
        for target in args.targets:
            try:
                added = await _add(s, kb, site, target, allow)
            except (Invalid, ShopifyError) as error:
                print(f"{target}: {error}")
                failed += 1
                continue
            for source in added:
                failed += source.status != "ready"
                _print(source)
        return 1 if failed else 0

    return _with_services(_config(args), run)


async def _add(services: Any, kb: Any, site: Any, target: str, allow: bool) -> list[Any]:
    if target != "shopify:":
        return list(await kb.add(site.id, target, allow_private=allow))
    from porch.bot.knowledge.shopify import import_store
    from porch.integrations.shopify.service import ShopifyApp

    s = services
    app = ShopifyApp(s.config, s.db, s.events, s.sites, s.locks)
    return await import_store(kb, app, site)


def cmd_kb_list(args: argparse.Namespace) -> int:
    from porch.bot.knowledge.store import KnowledgeBase
    from porch.cli import _with_services
    from porch.services import Services

    async def run(s: Services) -> int:
        sites = [await s.sites.by_key(args.site)] if args.site else await s.sites.all()
        for site in sites:
            if site is None:
                print(f"No site with key {args.site}.")
                return 1
            sources = await KnowledgeBase(s.db, s.clock).sources(site.id)
            print(f"{site.name} ({site.key}): {len(sources)} sources")
            for source in sources:
                _print(source)
        return 0

    return _with_services(_config(args), run)


def cmd_kb_remove(args: argparse.Namespace) -> int:
    from porch.bot.knowledge.store import KnowledgeBase
    from porch.cli import _with_services
    from porch.errors import NotFound
    from porch.services import Services

    async def run(s: Services) -> int:
        site = await s.sites.by_key(args.site)
        if site is None:
            print(f"No site with key {args.site}.")
            return 1
        try:
            await KnowledgeBase(s.db, s.clock).remove(site.id, args.source_id)
        except NotFound as error:
            print(error)
            return 1
        print(f"Removed source {args.source_id}.")
        return 0

    return _with_services(_config(args), run)


def _print(source: Any) -> None:
    when = source.refreshed_at.strftime("%Y-%m-%d %H:%M UTC")
    status = source.status if source.status == "ready" else f"failed: {source.error}"
    print(
        f"  #{source.id} [{source.kind}] {source.title} <{source.location}>"
        f"  {status}, {source.size} chars, {source.chunks} chunks, refreshed {when}"
    )
