"""Text messages (短信), sent through a pluggable backend the way Django sends e-mail.

`BANLI_SMS_BACKEND` names the backend class:
- `notifications.sms.ConsoleBackend` (development default): writes each message to stdout;
- `notifications.sms.FileBackend`: appends one JSON line per message to a file under
  `BANLI_SMS_FILE_PATH` (a test server, or an office trying the system, reads it back);
- `notifications.sms.LocmemBackend` (tests): keeps messages in `notifications.sms.outbox`;
- `notifications.sms.TencentBackend` (production): Tencent Cloud SMS through its SDK,
  configured by `BANLI_SMS_TENCENT_*` (keys, SMS application, signature, a template whose one
  parameter is the message, region, and the API's address).

Only mobile numbers receive text messages (`mobile_number()`): a unit's landline is skipped.

A backend sends what it is given; deciding who gets what, and sending each message once, is
the caller's business.
"""

import json
import re
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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
    def send_messages(self, messages: list[SMSMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"[短信] {message.to}：{message.text}\n")
        sys.stdout.flush()
        return len(messages)


class FileBackend(BaseBackend):
    _lock = threading.Lock()

    def send_messages(self, messages: list[SMSMessage]) -> int:
        folder = Path(settings.BANLI_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            json.dumps({**asdict(m), "at": timezone.now().isoformat()}, ensure_ascii=False) + "\n" for m in messages
        ]
        with self._lock, open(folder / "sms.jsonl", "a", encoding="utf-8") as out:
            out.writelines(lines)
        return len(messages)


class LocmemBackend(BaseBackend):
    def send_messages(self, messages: list[SMSMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


class SendError(Exception):
    """The provider refused a message (bad number, template, quota); the caller's ledger tries again later."""


class TencentBackend(BaseBackend):
    """Tencent Cloud SMS (API 2021-01-11, SendSms): one request per message."""

    def __init__(self) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        scheme, _, host = settings.BANLI_SMS_TENCENT_ENDPOINT.rpartition("://")
        http = HttpProfile(protocol=scheme or "https", endpoint=host, reqTimeout=10)
        self.client = sms_client.SmsClient(
            credential.Credential(settings.BANLI_SMS_TENCENT_SECRET_ID, settings.BANLI_SMS_TENCENT_SECRET_KEY),
            settings.BANLI_SMS_TENCENT_REGION,
            ClientProfile(httpProfile=http),
        )

    @staticmethod
    def request_for(message: SMSMessage) -> Any:
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.BANLI_SMS_TENCENT_APP_ID
        request.SignName = settings.BANLI_SMS_TENCENT_SIGN_NAME
        request.TemplateId = settings.BANLI_SMS_TENCENT_TEMPLATE_ID
        request.TemplateParamSet = [message.text]
        request.PhoneNumberSet = [e164(message.to)]
        return request

    def send_messages(self, messages: list[SMSMessage]) -> int:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        sent = 0
        for message in messages:
            try:
                response = self.client.SendSms(self.request_for(message))
            except TencentCloudSDKException as exc:
                raise SendError(f"{exc.code}: {exc.message}") from exc
            status = (response.SendStatusSet or [None])[0]
            if status is None or status.Code != "Ok":
                raise SendError(f"{getattr(status, 'Code', '')}: {getattr(status, 'Message', '')}")
            sent += 1
        return sent


_SEPARATORS = re.compile(r"[\s\-()（）]")
_MAINLAND_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


def mobile_number(phone: str) -> str:
    """The mainland mobile number in `phone` (11 digits), or "" for a landline or anything else."""
    match = _MAINLAND_MOBILE.match(_SEPARATORS.sub("", phone or ""))
    return match.group(1) if match else ""


def e164(phone: str) -> str:
    """+86 and the 11 digits, as the provider wants it."""
    mobile = mobile_number(phone)
    return f"+86{mobile}" if mobile else phone


def get_backend() -> BaseBackend:
    return import_string(settings.BANLI_SMS_BACKEND)()


def send_sms(to: str, text: str) -> bool:
    """Send one text message; False when there is no number to send it to."""
    to = (to or "").strip()
    if not to:
        return False
    return get_backend().send_messages([SMSMessage(to=to, text=text)]) == 1


def read_file_outbox(folder: str | Path) -> list[SMSMessage]:
    """The messages a FileBackend wrote under `folder`, oldest first."""
    path = Path(folder) / "sms.jsonl"
    if not path.exists():
        return []
    return [
        SMSMessage(to=d["to"], text=d["text"]) for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    ]
