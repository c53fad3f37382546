"""What the accounts app keeps: login events, the sessions of each user, members' one-time codes,
and the record of staff joining and leaving units."""

import datetime
import hmac
import secrets
import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from proposals.models import HandlingUnit, RoleKind, choice_constraint

from .addresses import client_address


class LoginEventKind(models.TextChoices):
    SUCCESS = "success", _("密码登录成功")
    FAILURE = "failure", _("密码错误")
    DELAYED = "delayed", _("账号暂缓登录")
    ADDRESS_LIMITED = "address_limited", _("地址登录受限")
    PASSWORD_REFUSED = "password_refused", _("须用统一身份认证")
    SSO_SUCCESS = "sso_success", _("统一身份认证登录")
    SSO_FAILURE = "sso_failure", _("统一身份认证失败")
    OTP_ENROLLED = "otp_enrolled", _("启用两步验证")
    OTP_SUCCESS = "otp_success", _("两步验证通过")
    OTP_FAILURE = "otp_failure", _("两步验证码错误")
    RECOVERY_USED = "recovery_used", _("使用恢复码")
    OTP_RESET = "otp_reset", _("重置两步验证")
    CODE_SENT = "code_sent", _("发送登录验证码")
    CODE_SUCCESS = "code_success", _("验证码登录成功")
    CODE_FAILURE = "code_failure", _("验证码错误")
    CODE_LIMITED = "code_limited", _("验证码发送受限")
    LOGOUT = "logout", _("退出")
    SESSION_ENDED = "session_ended", _("会话被结束")


# The kinds a supervisor reads as "someone could not get in".
FAILED_KINDS = (
    LoginEventKind.FAILURE,
    LoginEventKind.DELAYED,
    LoginEventKind.ADDRESS_LIMITED,
    LoginEventKind.PASSWORD_REFUSED,
    LoginEventKind.SSO_FAILURE,
    LoginEventKind.OTP_FAILURE,
    LoginEventKind.CODE_FAILURE,
    LoginEventKind.CODE_LIMITED,
)


class LoginEventQuerySet(models.QuerySet):
    def record(self, *, kind, request=None, username="", user=None, device="", trusted=False, note=""):
        """One line of the login log; the address and browser come from the request."""
        if user is not None and not username:
            username = user.get_username()
        agent = request.headers.get("User-Agent", "") if request is not None else ""
        return self.create(
            kind=kind,
            username=_text(username).strip().lower()[:150],
            user=user,
            ip=client_address(request) if request is not None else None,
            device=device,
            trusted=trusted,
            user_agent=_text(agent)[:200],
            note=_text(note)[:200],
        )


def _text(typed):
    """What a visitor typed or sent, storable: PostgreSQL refuses NUL characters in text."""
    return typed.replace("\x00", "")


class LoginEvent(models.Model):
    """A sign-in step (success, failure, refusal, second factor, code): the supervisor's log and
    the counts login throttling decides from."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("事件"), max_length=20, choices=LoginEventKind)
    # As typed (lower case): failures for a name that does not exist count the same as for one that does.
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="login_events",
    )
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    # A keyed hash of the browser's trusted-device cookie (accounts/throttle.py), never the cookie.
    device = models.CharField(_("设备"), max_length=64, blank=True)
    trusted = models.BooleanField(_("受信任设备"), default=False)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = LoginEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at", "-pk"]
        constraints = [choice_constraint("kind", LoginEventKind)]
        indexes = [
            models.Index(fields=["username", "kind", "at"]),
            models.Index(fields=["ip", "kind", "at"]),
            models.Index(fields=["device", "kind", "at"]),
            models.Index(fields=["user", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    @property
    def failed(self):
        return self.kind in FAILED_KINDS


class SignInMethod(models.TextChoices):
    PASSWORD = "password", _("密码")
    SSO = "sso", _("统一身份认证")
    CODE = "code", _("验证码")
    OTHER = "other", _("其他")


class EndReason(models.TextChoices):
    LOGOUT = "logout", _("退出")
    BY_USER = "by_user", _("本人结束")
    EVERYWHERE = "everywhere", _("在所有设备上退出")
    IDLE = "idle", _("长时间未操作")
    EXPIRED = "expired", _("超过最长登录时间")
    DEACTIVATED = "deactivated", _("账号停用")


class UserSessionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class UserSession(models.Model):
    """One signed-in browser. The session store (database or Redis) keeps the data; this row says
    who, since when, last seen when, and how it ended (accounts/sessions.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="banli_sessions"
    )
    method = models.CharField(_("登录方式"), max_length=16, choices=SignInMethod, default=SignInMethod.OTHER)
    created_at = models.DateTimeField(_("登录时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近活动"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=16, choices=EndReason, blank=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)
    # The session store's key, encrypted with a key derived from SECRET_KEY: what ending the
    # session from elsewhere deletes.
    session_key = models.TextField(blank=True, editable=False)

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-last_seen_at"]
        constraints = [
            choice_constraint("method", SignInMethod),
            choice_constraint("end_reason", EndReason, allow_blank=True),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="") | Q(ended_at__isnull=False) & ~Q(end_reason=""),
                name="%(app_label)s_%(class)s_ended_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self):
        return self.ended_at is None

    def end(self, reason):
        if self.ended_at is None:
            self.ended_at = timezone.now()
            self.end_reason = reason
            UserSession.objects.filter(pk=self.pk, ended_at__isnull=True).update(
                ended_at=self.ended_at, end_reason=reason
            )


class CodeChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class CodeCheck(models.TextChoices):
    OK = "ok", _("正确")
    WRONG = "wrong", _("验证码不正确")
    EXPIRED = "expired", _("验证码已过期")
    USED = "used", _("验证码已使用")


def code_digest(code):
    return salted_hmac("banli.accounts.SignInCode", code).hexdigest()


class SignInCodeQuerySet(models.QuerySet):
    def issue(self, *, user, channel, sent_to, ip=None):
        """A fresh six-digit code for the member (earlier live ones die); returns (row, code)."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        now = timezone.now()
        with transaction.atomic():
            self.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
            row = self.create(
                user=user,
                channel=channel,
                sent_to=sent_to,
                code_hash=code_digest(code),
                expires_at=now + datetime.timedelta(minutes=settings.BANLI_MEMBER_CODE_MINUTES),
                ip=ip,
            )
        return row, code

    def check_code(self, *, user, code):
        """Whether `code` signs the user in now; a right code is spent at once (used_at).

        A wrong code counts against the live code, which dies after BANLI_MEMBER_CODE_TRIES.
        """
        now = timezone.now()
        digest = code_digest(code.strip())
        with transaction.atomic():
            recent = list(
                self.select_for_update()
                .filter(user=user, created_at__gte=now - datetime.timedelta(days=1))
                .order_by("-created_at")
            )
            match = next((r for r in recent if hmac.compare_digest(r.code_hash, digest)), None)
            live = next((r for r in recent if r.used_at is None and r.expires_at > now), None)
            if match is None or match.failures >= settings.BANLI_MEMBER_CODE_TRIES:
                if live is not None:
                    live.failures += 1
                    if live.failures >= settings.BANLI_MEMBER_CODE_TRIES:
                        live.expires_at = now
                    live.save(update_fields=["failures", "expires_at"])
                return CodeCheck.WRONG
            if match.used_at is not None:
                return CodeCheck.USED
            if match.expires_at <= now:
                return CodeCheck.EXPIRED
            match.used_at = now
            match.save(update_fields=["used_at"])
            return CodeCheck.OK


class SignInCode(models.Model):
    """A one-time code sent to a member's registered phone or e-mail; only its keyed hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="sign_in_codes"
    )
    channel = models.CharField(_("发送方式"), max_length=8, choices=CodeChannel)
    sent_to = models.CharField(_("发送至"), max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    ip = models.GenericIPAddressField(_("请求地址"), null=True, blank=True)

    objects = SignInCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        ordering = ["-created_at"]
        constraints = [choice_constraint("channel", CodeChannel)]
        indexes = [models.Index(fields=["user", "created_at"]), models.Index(fields=["ip", "created_at"])]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class StaffChangeKind(models.TextChoices):
    JOINED = "joined", _("加入单位")
    LEFT = "left", _("调离单位")
    DEACTIVATED = "deactivated", _("停用账号")
    REACTIVATED = "reactivated", _("恢复账号")
    HANDED_OVER = "handed_over", _("移交工作")
    SSO_JOINED = "sso_joined", _("统一身份认证加入")


class StaffChange(models.Model):
    """A line of a staff member's history: who added, moved or stopped them, and what was handed to whom."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("变动"), max_length=16, choices=StaffChangeKind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="staff_changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=16, choices=RoleKind, blank=True)
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接手人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("人员变动")
        verbose_name_plural = _("人员变动")
        ordering = ["-at", "-pk"]
        constraints = [
            choice_constraint("kind", StaffChangeKind),
            choice_constraint("role", RoleKind, allow_blank=True),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()} {self.user}"


class ExternalIdentity(models.Model):
    """The identity service's subject (`sub`) for a Banli account: how single sign-on finds it again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(_("身份认证服务"), max_length=200)
    subject = models.CharField(_("身份标识"), max_length=255)
    created_at = models.DateTimeField(_("关联时间"), default=timezone.now)

    class Meta:
        verbose_name = _("统一身份认证账号")
        verbose_name_plural = _("统一身份认证账号")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="%(app_label)s_%(class)s_unique_subject"),
            models.UniqueConstraint(fields=["issuer", "user"], name="%(app_label)s_%(class)s_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.issuer}"
