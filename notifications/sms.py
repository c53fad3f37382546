"""Text messages (短信), sent through a pluggable backend the way Django sends e-mail.

`BANLI_SMS_BACKEND` names the backend class:
- `notifications.sms.ConsoleBackend` (development default): writes each message to stdout;
- `notifications.sms.FileBackend`: appends one JSON line per message to a file under
  `BANLI_SMS_FILE_PATH` (a test server, or an office trying the system, reads it back);
- `notifications.sms.LocmemBackend` (tests): keeps messages in `notifications.sms.outbox`;
- a provider's backend, configured by its own settings.

A backend sends what it is given; deciding who gets what, and sending each message once, is
the caller's business.
"""

import json
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

# LocmemBackend's messages (tests read and clear it, as Django's mail.outbox).
outbox: list["SMSMessage"] = []


@dataclass(frozen=True)
class SMSMessage:
    to: str  # a mobile number as the member or unit gave it
    text: str


class BaseBackend:
    def send_messages(self, messages: list[SMSMessage]) -> int:
        """Send the messages; return how many were sent."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send_messages(self, messages):
        for message in messages:
            sys.stdout.write(f"[短信] {message.to}：{message.text}\n")
        sys.stdout.flush()
        return len(messages)


class FileBackend(BaseBackend):
    _lock = threading.Lock()

    def send_messages(self, messages):
        folder = Path(settings.BANLI_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            json.dumps({**asdict(m), "at": timezone.now().isoformat()}, ensure_ascii=False) + "\n" for m in messages
        ]
        with self._lock, open(folder / "sms.jsonl", "a", encoding="utf-8") as out:
            out.writelines(lines)
        return len(messages)


class LocmemBackend(BaseBackend):
    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


def get_backend() -> BaseBackend:
    return import_string(settings.BANLI_SMS_BACKEND)()


def send_sms(to: str, text: str) -> bool:
    """Send one text message; False when there is no number to send it to."""
    to = (to or "").strip()
    if not to:
        return False
    return get_backend().send_messages([SMSMessage(to=to, text=text)]) == 1


def read_file_outbox(folder) -> list[SMSMessage]:
    """The messages a FileBackend wrote under `folder`, oldest first."""
    path = Path(folder) / "sms.jsonl"
    if not path.exists():
        return []
    return [
        SMSMessage(to=d["to"], text=d["text"]) for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    ]
