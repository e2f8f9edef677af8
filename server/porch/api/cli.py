"""`porch api-key create|list|revoke` and `porch webhook add|list` (docs/api.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from porch.config import Config
from porch.services import Services

T = TypeVar("T")
WithServices = Callable[[Config, Callable[[Services], Awaitable[Any]]], Any]
ConfigOf = Callable[[argparse.Namespace], Config]


def add_commands(
    commands: Any,
    storage: argparse.ArgumentParser,
    config_of: ConfigOf,
    with_services: WithServices,
) -> None:
    keys = commands.add_parser("api-key", help="manage REST API keys").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create = keys.add_parser("create", parents=[storage], help="make a key (printed once)")
    create.add_argument("--site", required=True, metavar="KEY", help="the site key")
    create.add_argument("--name", required=True, help="what the key is for")
    create.add_argument("--scope", choices=["read", "write"], default="read")
    create.set_defaults(handler=lambda a: cmd_api_key_create(a, config_of, with_services))
    listing = keys.add_parser("list", parents=[storage], help="list keys (never the tokens)")
    listing.set_defaults(handler=lambda a: cmd_api_key_list(a, config_of, with_services))
    revoke = keys.add_parser("revoke", parents=[storage], help="revoke a key by its id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=lambda a: cmd_api_key_revoke(a, config_of, with_services))

    hooks = commands.add_parser("webhook", help="manage webhook endpoints").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add = hooks.add_parser("add", parents=[storage], help="add an endpoint (prints its secret)")
    add.add_argument("--site", required=True, metavar="KEY", help="the site key")
    add.add_argument("url")
    add.add_argument(
        "--events", default="*", help="comma-separated event names, or * (default) for all"
    )
    add.add_argument("--description", default="")
    add.add_argument(
        "--allow-private",
        action="store_true",
        help="let this endpoint be a loopback or private address (admins only)",
    )
    add.set_defaults(handler=lambda a: cmd_webhook_add(a, config_of, with_services))
    hook_list = hooks.add_parser("list", parents=[storage], help="list endpoints")
    hook_list.set_defaults(handler=lambda a: cmd_webhook_list(a, config_of, with_services))


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_api_key_create(args: argparse.Namespace, config_of: ConfigOf, run: WithServices) -> int:
    from porch.api.keys import KeyService
    from porch.errors import DomainError

    async def create(services: Services) -> Any:
        site = await services.sites.by_key(args.site)
        if site is None:
            return None
        keys = KeyService(services.db, services.clock, services.events)
        return await keys.create(site.id, args.name, args.scope)

    try:
        made = run(config_of(args), create)
    except DomainError as exc:
        return _fail(str(exc))
    if made is None:
        return _fail(f"no site with key {args.site!r} (see `porch site list`)")
    print(f"API key {made.key.name!r} ({made.key.scope}) made. It is shown only this once:")
    print(f"  {made.token}")
    return 0


def cmd_api_key_list(args: argparse.Namespace, config_of: ConfigOf, run: WithServices) -> int:
    from porch.api.keys import KeyService

    found = run(config_of(args), lambda s: KeyService(s.db, s.clock).list())
    for key in found:
        used = key.last_used_at.isoformat() if key.last_used_at else "never"
        state = "revoked" if key.revoked_at else "live"
        print(f"{key.id}\t{key.prefix}…\t{key.name}\t{key.scope}\tsite {key.site_id}\t{state}"
              f"\tlast used {used}")  # fmt: skip
    return 0


def cmd_api_key_revoke(args: argparse.Namespace, config_of: ConfigOf, run: WithServices) -> int:
    from porch.api.keys import KeyService
    from porch.errors import NotFound

    try:
        key = run(config_of(args), lambda s: KeyService(s.db, s.clock, s.events).revoke(args.id))
    except NotFound as exc:
        return _fail(str(exc))
    print(f"API key {key.name!r} revoked.")
    return 0


def cmd_webhook_add(args: argparse.Namespace, config_of: ConfigOf, run: WithServices) -> int:
    from porch.errors import DomainError
    from porch.webhooks.service import WebhookService

    config = config_of(args)
    events = [e.strip() for e in args.events.split(",") if e.strip()]

    async def add(services: Services) -> Any:
        site = await services.sites.by_key(args.site)
        if site is None:
            return None
        webhooks = WebhookService(
            services.db, services.events, services.clock,
            allow_private=config.allow_private_targets,
        )  # fmt: skip
        return await webhooks.create(
            site.id, args.url, events, args.description, allow_private=args.allow_private
        )

    try:
        endpoint = run(config, add)
    except DomainError as exc:
        return _fail(str(exc))
    if endpoint is None:
        return _fail(f"no site with key {args.site!r} (see `porch site list`)")
    print(f"Webhook endpoint {endpoint.id} added for {endpoint.url}.")
    print(f"  Events: {', '.join(endpoint.events)}")
    print(f"  Signing secret: {endpoint.secret}")
    return 0


def cmd_webhook_list(args: argparse.Namespace, config_of: ConfigOf, run: WithServices) -> int:
    from porch.webhooks.service import WebhookService

    found = run(config_of(args), lambda s: WebhookService(s.db, s.events, s.clock).list())
    for e in found:
        state = "enabled" if e.enabled else f"disabled ({e.disabled_reason or 'by hand'})"
        print(f"{e.id}\tsite {e.site_id}\t{e.url}\t{','.join(e.events)}\t{state}")
    return 0
