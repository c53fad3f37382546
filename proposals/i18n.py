"""Language of what leaves the system.

The screens follow the user's language (Chinese first, English available), but printed
documents (reply letters, feedback forms, their Word versions) are Chinese official
documents, and e-mails go to deputies, members and units who read Chinese. Both are
produced in Chinese whatever language the person who triggers them has chosen.
"""

import functools

from django.utils import translation
from django.utils.translation import pgettext_lazy

DOCUMENT_LANGUAGE = "zh-hans"

# What timeline lines (Event.verb) say. They are stored in Chinese, like every record, and
# translated when shown (`{% translate e.verb context "timeline" %}`); listed here so makemessages
# finds them (the lazy strings are never evaluated here).
EVENT_VERBS = [
    pgettext_lazy("timeline", "登记"),
    pgettext_lazy("timeline", "交办"),
    pgettext_lazy("timeline", "签收"),
    pgettext_lazy("timeline", "沟通"),
    pgettext_lazy("timeline", "会办意见"),
    pgettext_lazy("timeline", "起草答复"),
    pgettext_lazy("timeline", "提交签发"),
    pgettext_lazy("timeline", "退回修改"),
    pgettext_lazy("timeline", "签发"),
    pgettext_lazy("timeline", "审核通过"),
    pgettext_lazy("timeline", "答复"),
    pgettext_lazy("timeline", "上传盖章件"),
    pgettext_lazy("timeline", "送达"),
    pgettext_lazy("timeline", "征询意见"),
    pgettext_lazy("timeline", "签收征询意见表"),
    pgettext_lazy("timeline", "发送填表链接"),
    pgettext_lazy("timeline", "重办"),
    pgettext_lazy("timeline", "催办"),
    pgettext_lazy("timeline", "申请退回"),
    pgettext_lazy("timeline", "申请延期"),
    pgettext_lazy("timeline", "申请退回：同意"),
    pgettext_lazy("timeline", "申请退回：不同意"),
    pgettext_lazy("timeline", "申请延期：同意"),
    pgettext_lazy("timeline", "申请延期：不同意"),
    pgettext_lazy("timeline", "导入"),
    pgettext_lazy("timeline", "导入核实"),
    pgettext_lazy("timeline", "导入更正"),
]


def stored_text():
    """Context in which text that is saved into a record (timeline notes, sealed forms) is made.

    Records are kept in Chinese whoever writes them, so a line written by someone using the
    English screens reads the same to everyone else, and the sealed hash does not depend on it.
    """
    return translation.override(DOCUMENT_LANGUAGE)


def in_chinese(func):
    """Run `func` with Chinese active (a fresh override per call, so it is thread-safe)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(DOCUMENT_LANGUAGE):
            return func(*args, **kwargs)

    return wrapper
