"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, parsed.

Replies can be scripted per recipient (a 550 for a dead address, 451 a few times for a busy one),
and hooks run while a message is being handed over, so a test can kill the sender right there.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.replies: dict[str, list[str]] = {}  # recipient -> scripted RCPT replies, in order
        self.always: dict[str, str] = {}  # recipient -> reply every time
        self.on_mail: Callable[[int], None] | None = None  # before a message: messages so far
        self.on_data: Callable[[int], None] | None = None  # message received, reply not sent
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        if self.on_mail:
            self.on_mail(len(self.messages))
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.always:
            return self.always[address]
        scripted = self.replies.get(address)
        if scripted:
            return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        if self.on_data:
            self.on_data(len(self.messages))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
