"""`porch operator add --role`, `invite`, `list`, `role`, `deactivate`, `reactivate`
(docs/team.md). Registered by `porch.cli.build_parser`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from porch.operators.service import ROLES, Operator, OperatorError
from porch.services import Services


def add_commands(
    actions: Any, storage: argparse.ArgumentParser, server: argparse.ArgumentParser
) -> None:
    """Extend the `porch operator` actions (`actions`: its subparsers)."""
    add = actions.choices["add"]
    add.add_argument("--role", choices=ROLES, default="admin", help="admin (default) or agent")
    add.set_defaults(handler=cmd_operator_add)
    invite = actions.add_parser(
        "invite", parents=[storage, server], help="print a one-time link to join as an operator"
    )
    invite.add_argument("email")
    invite.add_argument("--role", choices=ROLES, default="agent", help="agent (default) or admin")
    invite.set_defaults(handler=cmd_operator_invite)
    listed = actions.add_parser("list", parents=[storage], help="list operators")
    listed.set_defaults(handler=cmd_operator_list)
    role = actions.add_parser("role", parents=[storage], help="make an operator admin or agent")
    role.add_argument("email")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(handler=cmd_operator_role)
    for name, what in (("deactivate", "sign out everywhere, no sign-in"), ("reactivate", "")):
        parser = actions.add_parser(
            name, parents=[storage], help=f"{name} an operator" + (f" ({what})" if what else "")
        )
        parser.add_argument("email")
        parser.set_defaults(handler=cmd_operator_active, active=name == "reactivate")


def _run(args: argparse.Namespace, fn: Any) -> Any:
    from porch.cli import _config, _with_services

    return _with_services(_config(args), fn)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_operator_add(args: argparse.Namespace) -> int:
    from porch.cli import _ask_password

    password = args.password or _ask_password()
    try:
        operator: Operator = _run(
            args, lambda s: s.operators.create(args.email, args.name, password, args.role)
        )
    except OperatorError as exc:
        return _fail(str(exc))
    print(
        f"Operator {operator.name} <{operator.email}> added as {operator.role} (id {operator.id})."
    )
    return 0


def cmd_operator_invite(args: argparse.Namespace) -> int:
    from porch.operators.invites import LIFETIME, InviteService

    async def run(services: Services) -> str:
        invites = InviteService(services.db, services.operators, services.clock, services.events)
        return (await invites.create(args.email, args.role)).link(services.config.base_url)

    try:
        link: str = _run(args, run)
    except OperatorError as exc:
        return _fail(str(exc))
    days = LIFETIME.days
    print(f"Invitation for {args.email.strip().lower()} as {args.role} (works once, {days} days):")
    print(f"  {link}")
    if "127.0.0.1" in link or "localhost" in link:
        print("  (set PORCH_PUBLIC_URL to the address people reach Porch at)")
    return 0


def cmd_operator_list(args: argparse.Namespace) -> int:
    everyone: list[Operator] = _run(args, lambda s: s.operators.list(include_inactive=True))
    if not everyone:
        print("No operators yet: add one with `porch operator add EMAIL --name NAME`.")
    for o in everyone:
        state = "active" if o.active else "deactivated"
        limits = f"chats {o.max_chats or '-'} / tickets {o.max_tickets or '-'}"
        skills = ", ".join(o.skills) or "-"
        print(f"{o.id}  {o.email}  {o.name}  {o.role}  {state}  skills: {skills}  max {limits}")
    return 0


async def _by_email(services: Services, email: str) -> Operator:
    operator = await services.operators.by_email(email)
    if operator is None:
        raise OperatorError(f"no operator with email {email.strip().lower()}")
    return operator


def cmd_operator_role(args: argparse.Namespace) -> int:
    from porch.operators import management

    async def run(services: Services) -> Operator:
        operator = await _by_email(services, args.email)
        return await management.set_role(services, operator.id, args.role)

    try:
        operator: Operator = _run(args, run)
    except OperatorError as exc:
        return _fail(str(exc))
    print(f"{operator.name} <{operator.email}> is now {operator.role}.")
    return 0


def cmd_operator_active(args: argparse.Namespace) -> int:
    from porch.operators import management

    async def run(services: Services) -> Operator:
        operator = await _by_email(services, args.email)
        change = management.reactivate if args.active else management.deactivate
        return await change(services, operator.id)

    try:
        operator: Operator = _run(args, run)
    except OperatorError as exc:
        return _fail(str(exc))
    if operator.active:
        print(f"{operator.name} <{operator.email}> can sign in again.")
    else:
        print(f"{operator.name} <{operator.email}> is deactivated and signed out everywhere.")
    return 0
