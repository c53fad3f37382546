"""Banli settings: one file, every production value read from the environment.

Runs on SQLite right after checkout; set DATABASE_URL (PostgreSQL) and the
BANLI_* variables below for production.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("BANLI_DEBUG", default=False)
# The fallback key is for the embedded demo only; production sets BANLI_SECRET_KEY (`check --deploy`
# refuses to pass without it).
DEMO_SECRET_KEY = "banli-embedded-demo-key-not-for-production"
SECRET_KEY = env_str("BANLI_SECRET_KEY") or DEMO_SECRET_KEY
ALLOWED_HOSTS = env_list("BANLI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("BANLI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "proposals.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "proposals",
    "replies",
    "feedback",
    "legacy",
    "workspace",
    "supervision",
    "notifications",
    "printing",
    "accounts",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Without BANLI_SITE_URL (development), links in e-mails point to the address the request came in on.
    "proposals.site.SiteURLMiddleware",
    # Refuses an oversized upload from its Content-Length before the body is read (and so before CSRF parses it).
    "feedback.middleware.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Records who made each change of a reply, also when it is edited in the admin.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends a session that was ended elsewhere, idle too long (staff) or past its absolute limit.
    "accounts.sessions.SessionMiddleware",
    # Holds a signed-in user who still owes the second factor to the pages that take it.
    "accounts.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Counts unknown one-time links and verification codes per address (accounts/limits.py).
    "accounts.limits.LinkLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
# Load tests only (bench/load.py): adds /bench/bare/, a bare page that measures the machine's ceiling.
BANLI_BENCH = env_bool("BANLI_BENCH", default=False)
if BANLI_BENCH:
    ROOT_URLCONF = "config.bench_urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "workspace.context_processors.navigation",
                "notifications.context_processors.unread",
                "accounts.context_processors.second_factor_owed",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite is the embedded default. WAL lets readers work while one writer writes;
# IMMEDIATE takes the write lock at BEGIN so two writers queue instead of failing
# with "database is locked" half-way through a transaction.
SQLITE_PATH = env_str("BANLI_SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("BANLI_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if env_bool("BANLI_DB_PREPARED", default=True):
        # Parameters sent apart from the SQL, and a statement run twice on a connection prepared,
        # so PostgreSQL plans it once per connection: planning a look-up that joins a few tables
        # (the form's reply with its proposal, session, lead and unit) takes far longer than
        # running it, and was most of what the database did for a form page.
        # Off (BANLI_DB_PREPARED=0) behind a pooler in transaction mode that cannot keep
        # prepared statements (pgbouncer before 1.21, or without max_prepared_statements).
        # Added to what the URL says (?sslmode=… lands in OPTIONS too).
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # Keep each thread's connection: opening one re-runs the PRAGMAs, and closing the
            # last one checkpoints and removes the WAL, which made every request ~5 ms slower.
            "CONN_MAX_AGE": env_int("BANLI_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------
REDIS_URL = env_str("BANLI_REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Password sign-in; also loads the user of each request with its roles and member (accounts/backends.py).
    "accounts.backends.PasswordBackend",
    # Single sign-on (accounts/oidc.py): answers only while BANLI_OIDC_ENABLED is on.
    "accounts.oidc.Backend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("BANLI_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("BANLI_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    # Writes each upload to a temporary file and renames it into place: a full disk never
    # leaves a truncated file behind (proposals/files.py).
    "default": {"BACKEND": "proposals.files.AtomicFileSystemStorage"},
    # WhiteNoise serves the collected static files from the app itself.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise like static files.
WHITENOISE_ROOT = BASE_DIR / "webroot"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# --- Security (production values come from the environment) -------------------------
SECURE_SSL_REDIRECT = env_bool("BANLI_SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("BANLI_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("BANLI_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
BEHIND_PROXY = env_bool("BANLI_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A sign-in lasts at most this long, however active (accounts/sessions.py ends it then).
SESSION_COOKIE_AGE = env_int("BANLI_SESSION_SECONDS", 8 * 3600)

EMAIL_BACKEND = env_str("BANLI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("BANLI_FROM_EMAIL", "banli@localhost")
# Text messages (notifications/sms.py): console in development, a file for a test server, a provider in production.
BANLI_SMS_BACKEND = env_str("BANLI_SMS_BACKEND", "notifications.sms.ConsoleBackend")
BANLI_SMS_FILE_PATH = env_str("BANLI_SMS_FILE_PATH", str(BASE_DIR / "test-output" / "sms"))
# Tencent Cloud SMS (notifications.sms.TencentBackend): the account's keys, the SMS application,
# the approved signature and a template whose one parameter ({1}) is the message.
BANLI_SMS_TENCENT_SECRET_ID = env_str("BANLI_SMS_TENCENT_SECRET_ID")
BANLI_SMS_TENCENT_SECRET_KEY = env_str("BANLI_SMS_TENCENT_SECRET_KEY")
BANLI_SMS_TENCENT_APP_ID = env_str("BANLI_SMS_TENCENT_APP_ID")
BANLI_SMS_TENCENT_SIGN_NAME = env_str("BANLI_SMS_TENCENT_SIGN_NAME")
BANLI_SMS_TENCENT_TEMPLATE_ID = env_str("BANLI_SMS_TENCENT_TEMPLATE_ID")
BANLI_SMS_TENCENT_REGION = env_str("BANLI_SMS_TENCENT_REGION", "ap-guangzhou")
# The API's address: the provider's by default; a government network's gateway or a test server otherwise.
BANLI_SMS_TENCENT_ENDPOINT = env_str("BANLI_SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One-time link tokens (/f/<token>/) are taken out of every line (config/logs.py).
    "filters": {"redact_tokens": {"()": "config.logs.RedactLinkTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("BANLI_LOG_LEVEL", "WARNING")},
    # The development server's request lines, through the same filter.
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# --- The domain's own settings ------------------------------------------------------
# Days before the due date at which an assignment counts as "due soon".
BANLI_DUE_SOON_DAYS = env_int("BANLI_DUE_SOON_DAYS", 7)
# The supervision office as it signs its 督办通知单.
BANLI_SUPERVISION_OFFICE = env_str("BANLI_SUPERVISION_OFFICE", "市人民政府督查室")
# How long the supervision dashboard's figures are reused before being computed again (0: never).
BANLI_DASHBOARD_CACHE_SECONDS = env_int("BANLI_DASHBOARD_CACHE_SECONDS", 60)
# Default deadline rules for a new session; each session keeps its own copy.
BANLI_DEFAULT_REPLY_DAYS = env_int("BANLI_DEFAULT_REPLY_DAYS", 90)
BANLI_DEFAULT_CO_OPINION_DAYS = env_int("BANLI_DEFAULT_CO_OPINION_DAYS", 30)
BANLI_DEFAULT_REDO_DAYS = env_int("BANLI_DEFAULT_REDO_DAYS", 30)
BANLI_DEFAULT_SIGN_FOR_DAYS = env_int("BANLI_DEFAULT_SIGN_FOR_DAYS", 5)

# --- Member feedback (feedback app) ---------------------------------------------------
# Who gives feedback on a reply: "lead" (the lead proposer only) or "all" (every co-signer too).
BANLI_FEEDBACK_FROM = env_str("BANLI_FEEDBACK_FROM", "lead")
if BANLI_FEEDBACK_FROM not in ("lead", "all"):
    raise ImproperlyConfigured(f"BANLI_FEEDBACK_FROM must be lead or all, not {BANLI_FEEDBACK_FROM!r}")
# A one-time feedback link is valid this many days; once opened it becomes a session this short.
BANLI_FEEDBACK_LINK_DAYS = env_int("BANLI_FEEDBACK_LINK_DAYS", 30)
BANLI_FEEDBACK_LINK_SESSION_SECONDS = env_int("BANLI_FEEDBACK_LINK_SESSION_SECONDS", 3600)
# The form opened by a link warns this many seconds before its session runs out.
BANLI_FEEDBACK_EXPIRY_WARNING_SECONDS = env_int("BANLI_FEEDBACK_EXPIRY_WARNING_SECONDS", 300)
# Members who have not answered this many days after their first link are reminded once, with a
# fresh link (`manage.py remind_feedback`, run daily); 0 turns reminders off.
BANLI_FEEDBACK_REMINDER_DAYS = env_int("BANLI_FEEDBACK_REMINDER_DAYS", 14)
# The site's public address: links in e-mails and the QR code on a signed feedback form point here.
# Unset in development: the address the request came in on (proposals/site.py). Production must
# set it, with https (`check --deploy` says so).
BANLI_SITE_URL = env_str("BANLI_SITE_URL").rstrip("/")
# The seal of a signed feedback form is an HMAC-SHA256 with a key kept outside the database:
# BANLI_SEAL_KEY="<key id>:<secret of 32 characters or more>". To change keys, give the new one
# here and list the old ones in BANLI_SEAL_OLD_KEYS ("<id>:<secret>,..."): forms sealed with
# them still verify. Development uses a fixed key that `check --deploy` refuses.
DEVELOPMENT_SEAL_KEY = "dev:banli-development-seal-key-not-for-production"


def _seal_keys():
    keys = {}
    for item in [env_str("BANLI_SEAL_KEY") or DEVELOPMENT_SEAL_KEY, *env_list("BANLI_SEAL_OLD_KEYS")]:
        key_id, sep, secret = item.partition(":")
        if not sep or not secret or not key_id.replace("-", "").replace("_", "").isalnum() or len(key_id) > 16:
            raise ImproperlyConfigured(
                "BANLI_SEAL_KEY and BANLI_SEAL_OLD_KEYS take <key id>:<secret> (id: letters, digits, - or _, at most 16)"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"Seal key id {key_id!r} is given twice")
        keys[key_id] = secret.encode()
    return keys


BANLI_SEAL_KEYS = _seal_keys()
BANLI_SEAL_KEY_ID = next(iter(BANLI_SEAL_KEYS))
# The 索引号 a reply gets when it is published: {code} (the unit's 信息公开机构代码, or its number),
# {year} and {serial} (the unit's sequence of the year), e.g. 011043170/2026-00012.
BANLI_INDEX_NUMBER_FORMAT = env_str("BANLI_INDEX_NUMBER_FORMAT", "{code}/{year}-{serial:05d}")
# Uploaded signatures: PNG or JPEG, at most this many bytes and pixels (checked before decoding).
BANLI_SIGNATURE_MAX_BYTES = env_int("BANLI_SIGNATURE_MAX_BYTES", 2 * 1024 * 1024)
BANLI_SIGNATURE_MAX_WIDTH = env_int("BANLI_SIGNATURE_MAX_WIDTH", 3000)
BANLI_SIGNATURE_MAX_HEIGHT = env_int("BANLI_SIGNATURE_MAX_HEIGHT", 1500)
# Scans of paper forms entered by the office (PDF, PNG or JPEG).
BANLI_PAPER_SCAN_MAX_BYTES = env_int("BANLI_PAPER_SCAN_MAX_BYTES", 10 * 1024 * 1024)

# Which body's committee office countersigns feedback, as printed on the form.
BANLI_OFFICE_NAMES = {
    "npc": _("人大代表室"),
    "cppcc": _("政协提案委"),
}

# --- The clerk and office workspace ---------------------------------------------------
# What a reply must carry before 签发 (答复要件) is reference data: replies.RequiredElement.
# After 签发, the supervisor (督查室) reviews the reply before it is issued.
BANLI_SUPERVISOR_REVIEW = env_bool("BANLI_SUPERVISOR_REVIEW", default=False)
# The sealed scan of an issued reply: PDF, JPEG or PNG up to this size.
BANLI_SCAN_MAX_BYTES = env_int("BANLI_SCAN_MAX_BYTES", 10 * 1024 * 1024)
# Rows per page of the inbox.
BANLI_INBOX_PAGE_SIZE = env_int("BANLI_INBOX_PAGE_SIZE", 30)
# --- Printing (printing/) -------------------------------------------------------------
# Font families for PDFs, first installed one wins; comma-separated in the environment.
# Debian's fonts-noto-cjk by default; an office with licensed fonts sets e.g.
# BANLI_PDF_SERIF="仿宋_GB2312,Noto Serif CJK SC" and BANLI_PDF_TITLE="方正小标宋简体,Noto Serif CJK SC".
# Letters (Typst) use only the fonts in BANLI_FONT_PATHS, never the system's; an office drops its
# licensed fonts into a folder of its own and lists it first.
BANLI_FONT_PATHS = env_list(
    "BANLI_FONT_PATHS",
    str(BASE_DIR / "fonts") + ",/usr/share/fonts/opentype/noto,/usr/share/fonts/truetype/lxgw-wenkai"
    ",/usr/share/fonts/truetype/arphic",
)
BANLI_PDF_TITLE = env_list(
    "BANLI_PDF_TITLE", "方正小标宋简体,FZXiaoBiaoSong-B05S,Noto Serif CJK SC"
)  # 标题、版头 (小标宋)
BANLI_PDF_SERIF = env_list("BANLI_PDF_SERIF", "仿宋_GB2312,FangSong_GB2312,FangSong,Noto Serif CJK SC")  # 正文 (仿宋)
BANLI_PDF_SANS = env_list("BANLI_PDF_SANS", "黑体,SimHei,Noto Sans CJK SC")  # 一级标题 (黑体)
BANLI_PDF_KAI = env_list("BANLI_PDF_KAI", "楷体_GB2312,KaiTi_GB2312,KaiTi,LXGW WenKai,AR PL UKai CN")  # 二级标题 (楷体)
BANLI_PDF_SYMBOL = env_list("BANLI_PDF_SYMBOL", "DejaVu Sans,Noto Sans CJK SC")  # ☑ ☐ on the feedback form
# Subset the CJK fonts of WeasyPrint's forms once, to just the glyphs used (printing/fontpack.py).
BANLI_PDF_COMPACT_FONTS = env_bool("BANLI_PDF_COMPACT_FONTS", default=True)
# Most documents one batch print may hold (each letter is a few pages).
BANLI_PDF_BATCH_MAX = env_int("BANLI_PDF_BATCH_MAX", 300)
# Background work (batch printing) runs as django-tasks: "immediate" runs a task at once in the
# process that asks for it (the embedded default, one server); "database" queues it in the
# database for `manage.py db_worker` processes (production, several app servers).
BANLI_TASKS_BACKEND = env_str("BANLI_TASKS_BACKEND", "immediate")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if BANLI_TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"BANLI_TASKS_BACKEND must be immediate or database, not {BANLI_TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[BANLI_TASKS_BACKEND]}}

# --- Accounts (accounts/): sign-in, second factor, sessions, throttling -----------------------
# Staff (not members) are signed out after this many minutes without a request (0: never).
BANLI_STAFF_IDLE_MINUTES = env_int("BANLI_STAFF_IDLE_MINUTES", 30)
# The second factor (TOTP + recovery codes): required for supervisors, committee offices and
# superusers; for clerks and signers too when BANLI_SECOND_FACTOR_FOR_UNIT_STAFF is on. The admin
# always requires it. BANLI_SECOND_FACTOR=0 switches it off altogether (tests; `check --deploy` warns).
BANLI_SECOND_FACTOR = env_bool("BANLI_SECOND_FACTOR", default=True)
BANLI_SECOND_FACTOR_FOR_UNIT_STAFF = env_bool("BANLI_SECOND_FACTOR_FOR_UNIT_STAFF", default=False)
OTP_TOTP_ISSUER = env_str("BANLI_OTP_ISSUER", "办理")
# Login throttling (accounts/throttle.py): free failures per username, then a delay that doubles
# from BANLI_LOGIN_DELAY_SECONDS up to BANLI_LOGIN_MAX_DELAY_SECONDS; failures per address across
# usernames; failures a trusted browser may make for its own user; all within the window.
BANLI_LOGIN_WINDOW_MINUTES = env_int("BANLI_LOGIN_WINDOW_MINUTES", 60)
BANLI_LOGIN_FREE_FAILURES = env_int("BANLI_LOGIN_FREE_FAILURES", 5)
BANLI_LOGIN_DELAY_SECONDS = env_int("BANLI_LOGIN_DELAY_SECONDS", 30)
BANLI_LOGIN_MAX_DELAY_SECONDS = env_int("BANLI_LOGIN_MAX_DELAY_SECONDS", 900)
BANLI_LOGIN_ADDRESS_FAILURES = env_int("BANLI_LOGIN_ADDRESS_FAILURES", 30)
BANLI_LOGIN_DEVICE_FAILURES = env_int("BANLI_LOGIN_DEVICE_FAILURES", 10)
BANLI_DEVICE_COOKIE_DAYS = env_int("BANLI_DEVICE_COOKIE_DAYS", 180)
# Members' one-time sign-in codes: minutes valid, wrong tries per code, codes per phone or e-mail
# and per address an hour, wrong codes per address an hour.
BANLI_MEMBER_CODE_MINUTES = env_int("BANLI_MEMBER_CODE_MINUTES", 10)
BANLI_MEMBER_CODE_TRIES = env_int("BANLI_MEMBER_CODE_TRIES", 5)
BANLI_MEMBER_CODE_SENDS = env_int("BANLI_MEMBER_CODE_SENDS", 5)
BANLI_MEMBER_CODE_ADDRESS_SENDS = env_int("BANLI_MEMBER_CODE_ADDRESS_SENDS", 20)
BANLI_MEMBER_CODE_ADDRESS_CHECKS = env_int("BANLI_MEMBER_CODE_ADDRESS_CHECKS", 30)
# Unknown one-time links (/f/) and verification codes (/verify/) one address may try in ten
# minutes before it gets 429 (counted in the cache: Redis in production).
BANLI_LINK_MISSES = env_int("BANLI_LINK_MISSES", 20)

# Single sign-on with the city's identity service (OpenID Connect), off by default. deploy/identity.md
# lists what an office sets; `manage.py oidc_discover ISSUER` prints the endpoint lines.
BANLI_OIDC_ENABLED = env_bool("BANLI_OIDC_ENABLED", default=False)
BANLI_OIDC_ISSUER = env_str("BANLI_OIDC_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("BANLI_OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("BANLI_OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("BANLI_OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("BANLI_OIDC_JWKS_ENDPOINT")
BANLI_OIDC_END_SESSION_ENDPOINT = env_str("BANLI_OIDC_END_SESSION_ENDPOINT")
OIDC_RP_CLIENT_ID = env_str("BANLI_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("BANLI_OIDC_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env_str("BANLI_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("BANLI_OIDC_SCOPES", "openid profile email")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's end-session request at sign-out
OIDC_TIMEOUT = env_int("BANLI_OIDC_TIMEOUT_SECONDS", 10)
OIDC_CALLBACK_CLASS = "accounts.oidc.CallbackView"
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_CREATE_USER = env_bool("BANLI_OIDC_CREATE_USERS", default=True)
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
BANLI_OIDC_USERNAME_CLAIM = env_str("BANLI_OIDC_USERNAME_CLAIM", "preferred_username")
BANLI_OIDC_NAME_CLAIM = env_str("BANLI_OIDC_NAME_CLAIM", "name")
BANLI_OIDC_EMAIL_CLAIM = env_str("BANLI_OIDC_EMAIL_CLAIM", "email")
BANLI_OIDC_UNIT_CLAIM = env_str("BANLI_OIDC_UNIT_CLAIM")
BANLI_OIDC_ROLE_CLAIM = env_str("BANLI_OIDC_ROLE_CLAIM")
BANLI_OIDC_ROLE_VALUES = env_list("BANLI_OIDC_ROLE_VALUES", "clerk:clerk,signer:signer,经办人:clerk,签发人:signer")
# Off: staff (anyone with a role) must sign in through the identity service; members and
# superusers (the break-glass account) keep their passwords.
BANLI_OIDC_STAFF_PASSWORDS = env_bool("BANLI_OIDC_STAFF_PASSWORDS", default=True)
BANLI_OIDC_BUTTON_LABEL = env_str("BANLI_OIDC_BUTTON_LABEL", "统一身份认证登录")
# Signing out (a form) may end at the identity service: browsers check that redirect against the
# page's form-action, so the service's origin is allowed there.
BANLI_CSP_FORM_ACTION = []
if BANLI_OIDC_ENABLED and BANLI_OIDC_END_SESSION_ENDPOINT:
    _end = urlsplit(BANLI_OIDC_END_SESSION_ENDPOINT)
    BANLI_CSP_FORM_ACTION = [f"{_end.scheme}://{_end.netloc}"]
