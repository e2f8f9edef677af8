"""The IMAP mailbox's password, sealed at rest (porch.secrets, purpose IMAP_PASSWORDS).

A site's `email_imap` setting is given with its `password` (CLI, API, `porch site
update`); before it is stored the site directory hands it here and the password becomes
`password_sealed`, so the database, `porch site show`, the API and webhooks never hold
or show it in the clear, and the panel shows only that one is set. Values stored before
sealing existed are sealed when the email feature starts (`seal_stored`); until then the
poller still reads them.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from porch.secrets import IMAP_PASSWORDS, SecretBox

if TYPE_CHECKING:
    from porch.services import Services

log = logging.getLogger(__name__)
SEALED = "password_sealed"


def box(secret_key: str) -> SecretBox:
    return SecretBox(secret_key, IMAP_PASSWORDS)


def seal_settings(secrets: SecretBox, changes: dict[str, Any]) -> dict[str, Any]:
    """The settings changes with the IMAP password, if given, sealed."""
    imap = changes.get("email_imap")
    if not isinstance(imap, dict) or "password" not in imap:
        return changes
    sealed = {k: v for k, v in imap.items() if k != "password"}
    sealed[SEALED] = secrets.seal(str(imap["password"]))
    return {**changes, "email_imap": sealed}


def login(secrets: SecretBox, imap: dict[str, Any]) -> dict[str, Any]:
    """The stored mailbox with its password opened (a legacy clear one as it is); no
    `password` when it was sealed under another secret key."""
    opened = {k: v for k, v in imap.items() if k != SEALED}
    if SEALED in imap:
        password = secrets.open(str(imap[SEALED]))
        if password is not None:
            opened["password"] = password
    return opened


def shown(imap: dict[str, Any]) -> dict[str, Any]:
    """What the panel may show of a mailbox: never the password, only whether one is set."""
    return {
        "user": str(imap.get("user", "")),
        "host": str(imap.get("host", "")),
        "port": imap.get("port", 993),
        "password_set": bool(imap.get(SEALED) or imap.get("password")),
    }


async def seal_stored(services: Services) -> None:
    """Seal IMAP passwords stored in the clear (before migration 0023's release)."""
    from pydantic import ValidationError

    from porch.sites.settings import ImapMailbox, SiteSettingsUpdate

    for site in await services.sites.all():
        imap = site.settings.get("email_imap")
        if not isinstance(imap, dict) or "password" not in imap:
            continue
        try:
            update = SiteSettingsUpdate(email_imap=ImapMailbox(**imap))
        except ValidationError:  # not a mailbox one can set today: leave it, say so
            log.warning("the IMAP settings of site %s are invalid: set them again", site.key)
            continue
        await services.sites.update(site.id, settings=update)
        log.info("sealed the IMAP password of site %s", site.key)


def seal_with(services: Services) -> None:
    """Seal IMAP passwords whenever settings change (in every process and command, so
    `build_services` calls this, not `email.install`)."""
    services.sites.sealers.append(partial(seal_settings, box(services.config.secret_key)))
