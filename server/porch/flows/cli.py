"""`porch flow list|import FILE|export ID|enable ID|disable ID|add-template NAME --site KEY`
(docs/flows.md)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from porch.errors import DomainError
from porch.flows import templates
from porch.services import Services


def add_commands(commands: Any, storage: argparse.ArgumentParser) -> None:
    flow = commands.add_parser("flow", help="manage a site's flows").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    site = argparse.ArgumentParser(add_help=False)
    site.add_argument("--site", required=True, metavar="KEY", help="the site key")
    listing = flow.add_parser("list", parents=[storage, site], help="list the site's flows")
    listing.set_defaults(handler=cmd_flow_list)
    importing = flow.add_parser(
        "import", parents=[storage, site], help="add a flow from a JSON document (disabled)"
    )
    importing.add_argument("file", help="the document's path, or - for standard input")
    importing.set_defaults(handler=cmd_flow_import)
    for name, handler, text in (
        ("export", cmd_flow_export, "print a flow's JSON document"),
        ("enable", cmd_flow_enable, "turn a flow on"),
        ("disable", cmd_flow_disable, "turn a flow off"),
    ):
        command = flow.add_parser(name, parents=[storage, site], help=text)
        command.add_argument("id", type=int, help="the flow's id (see `porch flow list`)")
        command.set_defaults(handler=handler)
    template = flow.add_parser(
        "add-template", parents=[storage, site], help="add a ready-made flow, enabled"
    )
    template.add_argument("name", choices=templates.NAMES)
    template.set_defaults(handler=cmd_flow_add_template)


def _run(args: argparse.Namespace, action: Any) -> int:
    from porch.cli import _config, _with_services

    async def go(services: Services) -> int:
        site = await services.sites.by_key(args.site)
        if site is None:
            print(f"error: no site with key {args.site}", file=sys.stderr)
            return 1
        from porch.flows.store import FlowStore

        store = FlowStore(services.db, services.events, services.clock)
        try:
            code: int = await action(store, site.id)
        except DomainError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return code

    return _with_services(_config(args), go)


def _owned(flow: Any, site_id: int) -> None:
    from porch.errors import NotFound

    if flow.site_id != site_id:
        raise NotFound(f"no flow {flow.id} on this site")


def cmd_flow_list(args: argparse.Namespace) -> int:
    async def action(store: Any, site_id: int) -> int:
        found = await store.list(site_id)
        if not found:
            print("No flows yet: `porch flow add-template NAME --site KEY` adds one.")
        for flow in found:
            state = "enabled " if flow.enabled else "disabled"
            print(
                f"{flow.id:>4}  {state}  {flow.trigger_type:<20} p{flow.priority:<3}"
                f" v{flow.version}  {flow.name}"
            )
        return 0

    return _run(args, action)


def cmd_flow_import(args: argparse.Namespace) -> int:
    async def action(store: Any, site_id: int) -> int:
        if args.file == "-":
            text: str | bytes = sys.stdin.read()
        else:
            with open(args.file, "rb") as file:
                text = file.read()
        flow = await store.import_(site_id, text)
        print(f"Imported flow {flow.id} ({flow.name}), disabled: `porch flow enable {flow.id}`.")
        return 0

    return _run(args, action)


def cmd_flow_export(args: argparse.Namespace) -> int:
    async def action(store: Any, site_id: int) -> int:
        flow = await store.get(args.id)
        _owned(flow, site_id)
        print(json.dumps(flow.document, indent=2, ensure_ascii=False))
        return 0

    return _run(args, action)


def _toggle(args: argparse.Namespace, enabled: bool) -> int:
    async def action(store: Any, site_id: int) -> int:
        _owned(await store.get(args.id), site_id)
        flow = await store.set_enabled(args.id, enabled)
        print(f"Flow {flow.id} ({flow.name}) {'enabled' if enabled else 'disabled'}.")
        return 0

    return _run(args, action)


def cmd_flow_enable(args: argparse.Namespace) -> int:
    return _toggle(args, True)


def cmd_flow_disable(args: argparse.Namespace) -> int:
    return _toggle(args, False)


def cmd_flow_add_template(args: argparse.Namespace) -> int:
    async def action(store: Any, site_id: int) -> int:
        document = templates.load(args.name)
        flow = await store.create(site_id, document, enabled=True, template=args.name)
        print(f"Added flow {flow.id} ({flow.name}) from {args.name}, enabled.")
        return 0

    return _run(args, action)
