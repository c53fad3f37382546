"""System checks for printing fonts: which family each role of a letter uses, and none without Chinese.

Letters (Typst) read fonts only from BANLI_FONT_PATHS; forms (WeasyPrint) from fontconfig.
Printing without a CJK font gives boxes (tofu) instead of Chinese, so either refuses to start.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

from . import pdf, typesetting

ROLE_NAMES = {
    "title": "标题、版头",
    "body": "正文",
    "heading1": "一级标题",
    "heading2": "二级标题",
}
FORM_SETTINGS = {"title": "BANLI_PDF_TITLE", "serif": "BANLI_PDF_SERIF", "sans": "BANLI_PDF_SANS"}


@checks.register("printing")
def check_letter_fonts(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Report the family each role of a letter resolves to; an error for a role with no Chinese font."""
    messages: list[checks.CheckMessage] = []
    report: list[str] = []
    for role, (family, bold) in typesetting.resolve_fonts().items():
        setting = typesetting.ROLES[role]
        if family is None or not typesetting.covers_chinese(family):
            names = "、".join(getattr(settings, setting)) or _("（空）")
            messages.append(
                checks.Error(
                    _("答复函的%(role)s（%(setting)s）没有可用的中文字体：%(names)s 都不在 BANLI_FONT_PATHS 中。")
                    % {"role": ROLE_NAMES[role], "setting": setting, "names": names},
                    hint=_(
                        "安装 fonts-noto-cjk 与 fonts-lxgw-wenkai，或把字体文件放进 BANLI_FONT_PATHS 中的文件夹，"
                        "并在 %(setting)s 中写上其字体族名。"
                    )
                    % {"setting": setting},
                    id="printing.E003",
                )
            )
        else:
            report.append(f"{ROLE_NAMES[role]}={family}{'（粗体）' if bold and role == 'title' else ''}")
    if not messages:
        messages.append(checks.Info(_("答复函字体：%(fonts)s") % {"fonts": "；".join(report)}, id="printing.I001"))
    return messages


@checks.register("printing")
def check_form_fonts(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    installed = pdf.installed_cjk_families()
    if installed is None:
        return [
            checks.Error(
                _("无法查询已安装字体（fc-list 不可用），打印的中文可能显示为方框。"),
                hint=_("安装 fontconfig 与 fonts-noto-cjk：apt-get install fontconfig fonts-noto-cjk"),
                id="printing.E002",
            )
        ]
    errors: list[checks.CheckMessage] = []
    families = pdf.font_families()
    for role, setting in FORM_SETTINGS.items():
        if not any(name in installed for name in families[role]):
            errors.append(
                checks.Error(
                    _("%(setting)s 中没有已安装的中文字体：%(names)s。打印的中文会显示为方框。")
                    % {"setting": setting, "names": "、".join(families[role]) or "（空）"},
                    hint=_(
                        "安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），或在 %(setting)s 中填写已安装的中文字体。"
                    )
                    % {"setting": setting},
                    id="printing.E001",
                )
            )
    return errors
