"""What the public may read: the replies published by rule (replies.Disclosure, made by
feedback.services.publish_if_agreed once the unit marked the reply 主动公开 and every member who
answers it agreed, 是否公开 = 是), each under the 索引号 it was given then, with phone numbers and
contact details removed.
"""

import re

from replies.models import Publication, Reply, ReplyStatus

MASK = "[已隐去]"

# Mobile numbers, landlines with or without area code, and any other run of 7–12 digits
# (a bare local number like 6288824) unless it is clearly an amount or a count.
PHONE = re.compile(
    r"(?<![\d])"
    r"(?:\+?86[-\s]?)?"
    r"(?:\(?0\d{2,3}\)?[-\s－]?)?"
    r"\d{3,4}[-\s－]?\d{3,4}(?:[-\s－]?\d{1,4})?"
    r"(?![\d.]|\s*(?:元|万|亿|千|百|个|人|家|户|吨|平方|亩|公里|米|台|件|次|项|%|％))"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CONTACT_HANDLE = re.compile(
    r"((?:微信|微信号|QQ|qq|邮箱|电子邮箱|手机|电话|联系电话|传真)\s*(?:号码|号)?\s*[:：]\s*)([^\s，,。；;）)]+)"
)


def _mask_phone(match):
    digits = re.sub(r"\D", "", match.group(0))
    return MASK if len(digits) >= 7 else match.group(0)


def redact(text):
    """The text with phone numbers, e-mail addresses and contact handles replaced by a mask."""
    if not text:
        return text
    text = CONTACT_HANDLE.sub(lambda m: m.group(1) + MASK, text)
    text = EMAIL.sub(MASK, text)
    return PHONE.sub(_mask_phone, text)


def searchable_terms(terms):
    """The terms a visitor may search the published text with.

    The stored body still holds the phone numbers the page hides, so a term that looks like
    contact details (a long run of digits, an e-mail address) is dropped: otherwise searching
    for a number would confirm whether it appears in a reply.
    """
    return [t for t in terms if redact(t) == t and not re.search(r"\d{5,}", t) and "@" not in t]


def public_replies():
    return Reply.objects.filter(
        status=ReplyStatus.ISSUED,
        publication=Publication.PUBLIC,
        disclosure__isnull=False,
        disclosure__withdrawn_at__isnull=True,
    )
