"""System check: printing without a CJK font gives boxes (tofu) instead of Chinese, so refuse to start."""

from django.core import checks
from django.utils.translation import gettext as _

from . import pdf

ROLES = {
    "title": "BANLI_PDF_TITLE",
    "serif": "BANLI_PDF_SERIF",
    "sans": "BANLI_PDF_SANS",
    "kai": "BANLI_PDF_KAI",
}


@checks.register("printing")
def check_cjk_fonts(app_configs=None, **kwargs):
    installed = pdf.installed_cjk_families()
    if installed is None:
        return [
            checks.Error(
                _("无法查询已安装字体（fc-list 不可用），打印的中文可能显示为方框。"),
                hint=_("安装 fontconfig 与 fonts-noto-cjk：apt-get install fontconfig fonts-noto-cjk"),
                id="printing.E002",
            )
        ]
    errors = []
    families = pdf.font_families()
    for role, setting in ROLES.items():
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
