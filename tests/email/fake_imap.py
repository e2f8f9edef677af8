"""A small IMAP4rev1 server (the real wire format, the commands imap-tools sends to read
unseen mail): LOGIN, SELECT, UID SEARCH, UID FETCH with literals, UID STORE, LOGOUT. It
stands in for the shop's mail provider, an outside service."""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Stored:
    uid: int
    raw: bytes
    seen: bool = False


@dataclass
class Mailbox:
    user: str
    password: str
    messages: list[Stored] = field(default_factory=list)
    logins: int = 0

    def add(self, raw: bytes) -> None:
        self.messages.append(Stored(len(self.messages) + 1, raw))


def _uids(spec: str) -> set[int]:
    found: set[int] = set()
    for part in spec.split(","):
        low, _, high = part.partition(":")
        found |= set(range(int(low), int(high or low) + 1)) if high != "*" else {int(low)}
    return found


class _Session(socketserver.StreamRequestHandler):
    box: Mailbox

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("* OK fake IMAP4rev1 ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "UID":
                command, _, args = args.partition(" ")
                command = "UID " + command.upper()
            if not self.run(tag, command, args):
                return

    def run(self, tag: str, command: str, args: str) -> bool:
        box = self.box
        if command == "CAPABILITY":
            self.reply("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
        elif command == "LOGIN":
            user, password = [a.strip('"') for a in args.split(" ", 1)]
            if (user, password) != (box.user, box.password):
                self.reply(f"{tag} NO [AUTHENTICATIONFAILED] wrong password")
                return True
            box.logins += 1
        elif command == "SELECT":
            self.reply(f"* {len(box.messages)} EXISTS")
            self.reply("* FLAGS (\\Seen)")
            self.reply(f"{tag} OK [READ-WRITE] SELECT completed")
            return True
        elif command == "UID SEARCH":
            unseen = [str(m.uid) for m in box.messages if not m.seen]
            self.reply("* SEARCH" + "".join(f" {u}" for u in unseen))
        elif command == "UID FETCH":
            spec = args.split(" ", 1)[0]
            for n, m in enumerate(box.messages, 1):
                if m.uid in _uids(spec):
                    flags = "\\Seen" if m.seen else ""
                    head = f"* {n} FETCH (UID {m.uid} FLAGS ({flags}) RFC822.SIZE {len(m.raw)}"
                    self.wfile.write(f"{head} BODY[] {{{len(m.raw)}}}\r\n".encode() + m.raw)
                    self.reply(")")
        elif command == "UID STORE":
            spec = args.split(" ", 1)[0]
            for m in box.messages:
                if m.uid in _uids(spec) and re.search(r"\\Seen", args):
                    m.seen = True
        elif command == "LOGOUT":
            self.reply("* BYE")
            self.reply(f"{tag} OK LOGOUT completed")
            return False
        elif command not in ("NOOP", "CLOSE", "EXPUNGE"):
            self.reply(f"{tag} BAD unknown command {command}")
            return True
        self.reply(f"{tag} OK {command} completed")
        return True


class FakeImap:
    def __init__(self, box: Mailbox) -> None:
        handler = type("Session", (_Session,), {"box": box})
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeImap:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
