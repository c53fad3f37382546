"""System checks of Banli's own settings.

With `check --deploy` (production), the embedded defaults are refused: the demo secret key, no
public https address for the links and QR codes, the development key for the seals of signed
forms. Without --deploy only what would break at once is checked (the 索引号 scheme).
"""

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

MIN_SEAL_SECRET = 32


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs=None, **kwargs):
    errors = []
    if settings.SECRET_KEY == settings.DEMO_SECRET_KEY:
        errors.append(
            checks.Error(
                _("未设置 BANLI_SECRET_KEY：正在使用演示用的密钥，任何人都能伪造登录状态。"),
                hint=_("设置 BANLI_SECRET_KEY 为 50 个以上随机字符。"),
                id="banli.E001",
            )
        )
    if not settings.BANLI_SITE_URL.startswith("https://"):
        errors.append(
            checks.Error(
                _("BANLI_SITE_URL 未设置或不是 https 地址：邮件中的填表链接和意见表上的二维码会指向错误的地址。"),
                hint=_("设置 BANLI_SITE_URL 为本系统的公开地址，如 https://banli.example.gov.cn"),
                id="banli.E002",
            )
        )
    current = settings.BANLI_SEAL_KEYS[settings.BANLI_SEAL_KEY_ID]
    if f"{settings.BANLI_SEAL_KEY_ID}:{current.decode()}" == settings.DEVELOPMENT_SEAL_KEY:
        errors.append(
            checks.Error(
                _("未设置 BANLI_SEAL_KEY：意见表的封存签章正在使用开发用密钥，无法证明内容未被改动。"),
                hint=_("设置 BANLI_SEAL_KEY=<密钥编号>:<32 个以上随机字符>，并与数据库分开保管。"),
                id="banli.E003",
            )
        )
    elif len(current) < MIN_SEAL_SECRET:
        errors.append(
            checks.Error(
                _("BANLI_SEAL_KEY 的密钥太短（应不少于 %(n)s 个字符）。") % {"n": MIN_SEAL_SECRET},
                id="banli.E004",
            )
        )
    return errors


@checks.register()
def check_index_number_format(app_configs=None, **kwargs):
    try:
        settings.BANLI_INDEX_NUMBER_FORMAT.format(code="011043170", year=2026, serial=1)
    except (KeyError, IndexError, ValueError) as exc:
        return [
            checks.Error(
                _("BANLI_INDEX_NUMBER_FORMAT 无效（%(error)s）：只能使用 {code}、{year} 与 {serial}。")
                % {"error": exc},
                id="banli.E005",
            )
        ]
    return []
