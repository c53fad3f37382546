"""Telling people: one function for every event of the workflow.

    from notifications.services import notify

    notify(
        event="assigned",                 # a short name of the kind of event (a slug, ≤ 40)
        key=f"assigned:{assignment.pk}",  # this occurrence; the same key never sends twice
        recipients=[unit, member, user],  # users, members, units (anything with `notification_contact()`)
        subject="【办理】…",               # the e-mail subject and the title in the app
        text="…",                         # the e-mail body and the text in the app
        url=reverse(...),                 # a path on this site (or a full address) to act on it
        mail=None,                        # the e-mail body, when it differs from text + link
        sms=None,                         # the text message; by default the subject and the link
    ) -> Plan

For each recipient, inside the caller's transaction: an in-app notification for each of its
accounts (a member's account, a unit's clerks and signers, the user). After the transaction
commits (`transaction.on_commit`, so rolled-back work tells nobody): one e-mail to its address
and one text message to its phone. Somebody with neither gets only what the app shows, or
nothing; text messages go to mobile numbers only. Every e-mail and text message is recorded in `Delivery` (unique per key, recipient and
channel) before it is sent: calling again with the same key sends nothing new, and a message
that fails to go out is struck from the ledger so a later call sends it. The same address is
written to once per call even when two recipients share it.

`already_notified(key=..., recipient=...)` tells whether a recipient was reached under a key
(for callers that make something per recipient, such as a one-time link, only when it is new).

Texts go out as given: callers write them in Chinese (`proposals.i18n.in_chinese`).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from . import sms as sms_backends
from .models import SUBJECT_MAX, TEXT_MAX, URL_MAX, Channel, Delivery, Notification
from .site import site_url

logger = logging.getLogger("banli.notifications")

EVENT_MAX = 40
KEY_MAX = 160


@dataclass(frozen=True)
class Contact:
    """How to reach one recipient. `ref` names it in the ledger ("member:7")."""

    ref: str
    users: tuple = ()  # accounts that see the notification in the app
    email: str = ""
    phone: str = ""


@dataclass
class Plan:
    """What a call will do: the accounts told in the app, the addresses written to after commit."""

    users: list = field(default_factory=list)
    emails: list = field(default_factory=list)
    phones: list = field(default_factory=list)

    @property
    def reaches_anyone(self) -> bool:
        return bool(self.users or self.emails or self.phones)

    @property
    def sends(self) -> bool:
        """True when an e-mail or a text message goes out (after commit)."""
        return bool(self.emails or self.phones)


def contact_of(recipient: Any) -> Contact:
    """A user, a member, a unit (or anything with `notification_contact()`), or a Contact."""
    if isinstance(recipient, Contact):
        return recipient
    if hasattr(recipient, "notification_contact"):
        return recipient.notification_contact()
    if isinstance(recipient, get_user_model()):
        return Contact(
            ref=f"user:{recipient.pk}",
            users=(recipient,) if recipient.is_active else (),
            email=recipient.email if recipient.is_active else "",
        )
    raise TypeError(f"Cannot notify {recipient!r}")


def absolute(url: str) -> str:
    if not url or "://" in url:
        return url
    return site_url() + url


def already_notified(*, key: str, recipient: Any) -> bool:
    contact = contact_of(recipient)
    if Delivery.objects.filter(key=key, recipient=contact.ref).exists():
        return True
    return bool(contact.users) and Notification.objects.filter(key=key, user__in=contact.users).exists()


def notify(
    *,
    event: str,
    key: str,
    recipients: Iterable[Any],
    subject: str,
    text: str,
    url: str = "",
    mail: str | None = None,
    sms: str | None = None,
) -> Plan:
    """Tell `recipients` about an event once per key; see the module docstring."""
    if not event or len(event) > EVENT_MAX or len(key) > KEY_MAX or not key:
        raise ValueError("event and key must be short non-empty names")
    subject = subject[:SUBJECT_MAX]
    text = text[:TEXT_MAX]
    if len(url) > URL_MAX:
        raise ValueError("url too long")
    plan = Plan()
    seen_users, seen_addresses = set(), set()
    sends = []
    for contact in map(contact_of, recipients):
        for user in contact.users:
            if user.pk not in seen_users:
                seen_users.add(user.pk)
                plan.users.append(user)
        for channel, address, bucket in (
            (Channel.EMAIL, contact.email.strip(), plan.emails),
            (Channel.SMS, sms_backends.mobile_number(contact.phone), plan.phones),
        ):
            if address and (channel, address) not in seen_addresses:
                seen_addresses.add((channel, address))
                bucket.append(address)
                sends.append((contact.ref, channel, address))
    if plan.users:
        Notification.objects.bulk_create(
            [Notification(user=u, event=event, key=key, subject=subject, text=text, url=url) for u in plan.users],
            ignore_conflicts=True,
        )
    if sends:
        full_url = absolute(url)
        if mail is not None:
            body = mail
        else:
            body = f"{text}\n\n{full_url}" if full_url and full_url not in text else text
        sms_text = sms if sms is not None else " ".join(part for part in (subject, full_url) if part)
        for ref, channel, address in sends:
            message = body if channel == Channel.EMAIL else sms_text
            transaction.on_commit(partial(_deliver, event, key, ref, channel, address, subject, message), robust=True)
    return plan


def _deliver(event: str, key: str, ref: str, channel: str, address: str, subject: str, message: str) -> bool:
    """Record, then send; a failure strikes the record so the next call tries again. True if sent."""
    fields = {"event": event, "key": key, "recipient": ref, "channel": channel, "address": address, "subject": subject}
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint: a clash leaves the caller's transaction usable
                row = Delivery.objects.create(**fields)
        else:
            row = Delivery.objects.create(**fields)  # after commit, as usual: one INSERT commits on its own
    except IntegrityError:
        return False  # sent before
    try:
        if channel == Channel.EMAIL:
            EmailMessage(subject, message, settings.DEFAULT_FROM_EMAIL, [address]).send()
        else:
            sms_backends.get_backend().send_messages([sms_backends.SMSMessage(to=address, text=message)])
    except Exception:
        logger.exception("Could not send %s %s to %s", channel, key, ref)
        Delivery.objects.filter(pk=row.pk).delete()
        return False
    return True
