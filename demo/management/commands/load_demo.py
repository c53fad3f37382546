"""Demo data: the three seed cases as real records, a proposal in every state, one user per role.

Every step of the workflow goes through its one write function, as the pages call it, with the
moment it happened (`at=`): 登记, 交办, 签收, contacts, 会办意见, drafting, 送签, 签发, the members'
forms and what they set going (重办, publication). Reference data (sessions, units, members,
users) is made directly.

Idempotent: reference data is found by its natural key, and a proposal the demo already has is
left as it is, so running it twice leaves the same rows. `--volume N` then adds N synthetic
proposals in bulk for benchmarks (that part adds rows on every run, by design).
"""

import base64
import datetime
import io
import random
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone, translation
from PIL import Image, ImageDraw, ImageFont

from accounts import services as accounts_services
from demo import seeds
from feedback import seals
from feedback import services as feedback_services
from feedback.forms import OnlineFeedbackForm
from feedback.models import Channel, Feedback, HandlingEffect, Satisfaction
from proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Body,
    Category,
    Cosigner,
    Deadline,
    DeadlineKind,
    HandlingUnit,
    Member,
    MemberKind,
    Period,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
    RoleKind,
    Session,
)
from replies import body as reply_body
from replies.models import (
    CoHandlingOpinion,
    ContactMethod,
    ContactRecord,
    Disclosure,
    Publication,
    Reply,
    ReplyStatus,
    ResultClass,
    format_index_number,
)
from supervision import escalation
from supervision.models import KeyTopic

DEMO_PASSWORD = "banli-demo"
# Debian's fonts-noto-cjk, which the project installs for printing; only the stand-in scan uses it.
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

UNITS = [
    # full name, short name, 文号 prefix, contact, phone, code its 索引号 start with (made up for the demo)
    ("黄石市经济和信息化局", "市经信局", "黄经信函", "刘文明", "6288824", "HS-JXJ"),
    ("黄石市财政局", "市财政局", "黄财函", "周丽", "6222301", "HS-CZJ"),
    ("黄石市住房和城乡建设局", "市住建局", "黄建函", "吴刚", "6233015", "HS-ZJJ"),
    ("黄石市教育局", "市教育局", "黄教函", "郑芳", "6245120", "HS-JYJ"),
    ("黄石市交通运输局", "市交通运输局", "黄交函", "冯涛", "6251188", "HS-JTJ"),
    ("惠济区科技和工业信息化局", "区科工信局", "惠科工信函", "", "", "HJ-KGXJ"),
    ("安康市工业和信息化局", "安康市工信局", "安工信函", "", "", "AK-GXJ"),
]

# Addresses for the demo's people, so the demo mails and texts (console in development). Made up:
# example.org is reserved for examples, and the mobiles are in one made-up block.
MEMBER_CONTACTS = {
    "程玮": ("chengwei", "13800000101"),
    "王秋红": ("wangqiuhong", "13800000102"),
    "张伟": ("zhangwei", "13800000103"),
    "李娜": ("lina", "13800000104"),
    "王强": ("wangqiang", "13800000105"),
    "刘洋": ("liuyang", "13800000106"),
    "赵敏": ("zhaomin", "13800000107"),
    "孙磊": ("sunlei", "13800000108"),
    "市工商联": ("gsl", "13800000109"),
    "何昕": ("hexin", "13800000110"),
}

CATEGORIES = ["经济建设", "城乡建设", "教育科技", "文化卫生", "社会法制", "农业农村", "生态环境", "其他"]

NPC_DEPUTIES = [
    ("张伟", "黄石港区代表团"),
    ("李娜", "西塞山区代表团"),
    ("王强", "下陆区代表团"),
    ("刘洋", "大冶市代表团"),
]
CPPCC_EXTRA = [("赵敏", "经济界"), ("孙磊", "教育界")]

# (title, kind, state, lead unit, co-handling unit, days since 交办, key)
SYNTHETIC = [
    ("关于加快老旧小区改造的建议", "npc", "pending", "市住建局", "市财政局", 3, True),
    ("关于优化城区公交线网的建议", "npc", "handling", "市交通运输局", None, 40, False),
    ("关于完善农村养老服务体系的建议", "npc", "handling", "市财政局", None, 86, False),
    ("关于规范电动自行车停放充电的建议", "npc", "awaiting_signoff", "市住建局", None, 60, False),
    ("关于加强中小学课后服务的提案", "cppcc", "pending", "市教育局", "市财政局", 8, False),
    ("关于支持专精特新企业融资的提案", "cppcc", "handling", "市经信局", "市财政局", 95, True),
    ("关于推动制造业数字化转型的提案", "cppcc", "handling", "市经信局", None, 84, False),
    ("关于提升园区标准化厂房利用率的提案", "cppcc", "awaiting_signoff", "市经信局", None, 70, False),
    ("关于加大高校毕业生留黄就业支持的提案", "cppcc", "in_review", "市经信局", "市教育局", 75, False),
    ("关于建设城市智慧停车系统的提案", "cppcc", "replied", "市交通运输局", "市经信局", 80, False),
    # Issued and waiting for 程玮's feedback form, so the member portal has one to fill.
    ("关于降低中小企业用电成本的提案", "cppcc", "issued", "市经信局", None, 88, False),
    ("关于推进工业固废综合利用的提案", "cppcc", "redo", "市经信局", None, 120, True),
    ("关于支持老字号企业传承发展的提案", "cppcc", "pending", "市经信局", "市财政局", 2, False),
]

# How far each synthetic proposal's reply gets (the assignment's state follows from the steps).
REPLY_STATES = {
    "awaiting_signoff": ReplyStatus.AWAITING_SIGNOFF,
    "in_review": ReplyStatus.IN_REVIEW,
    "replied": ReplyStatus.ISSUED,
    "issued": ReplyStatus.ISSUED,
    "redo": ReplyStatus.ISSUED,
}


class Command(BaseCommand):
    help = "载入演示数据（可重复执行）；--volume N 另外批量生成 N 件建议提案用于性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--volume", type=int, default=0, help="另外生成的建议提案件数")
        parser.add_argument("--seed", type=int, default=2021, help="随机数种子")

    def handle(self, *args, volume, seed, **options):
        started = time.monotonic()
        # The demo's steps happened in the past: their in-app notices stay, but nobody is texted
        # or mailed about them (the commit, and with it the last notices, happens inside).
        quiet = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            BANLI_SMS_BACKEND="notifications.sms.LocmemBackend",
        )
        # In Chinese whatever language the caller has active: the seeds' labels (上门走访, …) are
        # matched against the choices' labels, and the timeline's notes are written in Chinese.
        with quiet, translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            DemoData(today=timezone.localdate()).build()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示）：")
        for username, what in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {what}")
        if volume:
            VolumeData(rng=random.Random(seed), today=timezone.localdate()).build(volume)
            if connection.vendor == "postgresql":
                # Fresh planner statistics: after a bulk load PostgreSQL otherwise estimates a few
                # dozen rows per table (nested loops: the dashboard took seconds) until autovacuum,
                # where it runs at all, gets round to it.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            self.stdout.write(
                self.style.SUCCESS(f"另生成 {volume} 件建议提案，用时 {time.monotonic() - started:.1f} 秒。")
            )


DEMO_USERS = [
    ("admin", "系统管理员"),
    ("supervisor", "市政府督查室"),
    ("office", "政协提案委 李慧"),
    ("office_npc", "人大代表工委 何平"),
    # Staff by name (the last word), so a timeline and a 签收 say who took each step; the unit
    # clerks are their unit's contact people (UNITS), the others are made up.
    ("clerk", "经办人 · 市经信局 刘文明"),
    ("signer", "签发人 · 市经信局 陈志强"),
    ("clerk2", "经办人 · 市财政局 周丽"),
    ("member", "委员 程玮"),
    ("member2", "委员 王秋红"),
    ("deputy", "代表 张伟"),
]


class DemoData:
    def __init__(self, today):
        self.today = today
        self.users = {}
        self.units = {}

    def build(self):
        self.build_reference_data()
        self.build_users()
        self.build_unit_staff()
        self.build_huangshi_case()
        self.build_huiji_case()
        self.build_ankang_case()
        self.build_synthetic()
        self.build_contacts()
        self.build_supervision()

    # --- graded 督办 --------------------------------------------------------------

    def build_supervision(self):
        """This year's sessions get the usual ladder and today's run; a 重点督办 topic groups
        this year's key proposals."""
        for key in ("npc", "cppcc"):
            escalation.install_default_ladder(self.sessions[key])
        escalation.run()
        session = self.sessions["cppcc"]
        key_items = list(
            session.proposals.filter(assignments__isnull=False).distinct().order_by("-is_key", "serial")[:4]
        )
        if key_items:
            topic, _ = KeyTopic.objects.get_or_create(
                session=session,
                title="民生实事重点提案",
                defaults={"leader": "市政府副市长 李明", "created_by": self.users["supervisor"]},
            )
            topic.set_proposals(key_items, by=self.users["supervisor"])

    # --- reference data ---------------------------------------------------------

    def build_reference_data(self):
        for position, name in enumerate(CATEGORIES):
            Category.objects.get_or_create(name=name, defaults={"position": position})
        for name, short, prefix, person, phone, code in UNITS:
            self.units[short], _ = HandlingUnit.objects.get_or_create(
                name=name,
                defaults={
                    "short_name": short,
                    "doc_prefix": prefix,
                    "disclosure_code": code,
                    "contact_person": person,
                    "contact_phone": phone,
                    "letterhead": "湖北省黄石市经济和信息化局" if short == "市经信局" else "",
                },
            )
        year = self.today.year
        self.sessions = {
            "hs2021": self.session(
                Body.CPPCC, "黄石市政协十三届五次会议", 2021, datetime.date(2021, 1, 6), "委员提案〔{year}〕{serial}号"
            ),
            "huiji": self.session(Body.CPPCC, "惠济区政协2023年会议", 2023, datetime.date(2023, 1, 9), "第{serial}号"),
            "ankang": self.session(
                Body.CPPCC, "安康市政协2021年会议", 2021, datetime.date(2021, 1, 12), "第{serial}号"
            ),
            "npc": self.session(
                Body.NPC, f"黄石市第十五届人民代表大会{year}年会议", year, datetime.date(year, 1, 8), "第{serial}号"
            ),
            "cppcc": self.session(
                Body.CPPCC,
                f"黄石市政协十四届{year}年会议",
                year,
                datetime.date(year, 1, 6),
                "委员提案〔{year}〕{serial}号",
            ),
        }

    def session(self, body, name, year, opens_on, number_format):
        session, _ = Session.objects.get_or_create(
            name=name,
            defaults={
                "body": body,
                "year": year,
                "opens_on": opens_on,
                "closes_on": opens_on + datetime.timedelta(days=4),
                "number_format": number_format,
            },
        )
        return session

    def member(self, name, body, group="", kind=MemberKind.PERSON):
        member, _ = Member.objects.get_or_create(body=body, name=name, group=group, defaults={"kind": kind})
        return member

    # --- users ------------------------------------------------------------------

    def build_users(self):
        User = get_user_model()
        for username, what in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": what.split(" ")[-1], "is_staff": True}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            self.users[username] = user
        admin = self.users["admin"]
        if not admin.is_superuser:
            admin.is_superuser = True
            admin.save(update_fields=["is_superuser"])
        for username in ("member", "member2", "deputy"):
            user = self.users[username]
            if user.is_staff:
                user.is_staff = False
                user.save(update_fields=["is_staff"])
        roles = [
            ("supervisor", RoleKind.SUPERVISOR, None, ""),
            ("office", RoleKind.OFFICE, None, Body.CPPCC),
            ("office_npc", RoleKind.OFFICE, None, Body.NPC),
            ("clerk", RoleKind.CLERK, "市经信局", ""),
            ("signer", RoleKind.SIGNER, "市经信局", ""),
            ("clerk2", RoleKind.CLERK, "市财政局", ""),
        ]
        for username, kind, unit, body in roles:
            Role.objects.get_or_create(user=self.users[username], kind=kind, unit=self.units.get(unit), body=body)

    # --- unit staff ---------------------------------------------------------------------
    # Each step is taken by the person whose step it is: the unit's 经办人 signs for, logs and
    # drafts; its 签发人 signs. Units without a demo login get staff without a password.

    def build_unit_staff(self):
        named = {("市经信局", RoleKind.CLERK): "clerk", ("市经信局", RoleKind.SIGNER): "signer"}
        named[("市财政局", RoleKind.CLERK)] = "clerk2"
        self.staff = {}
        for _name, short, _prefix, person, _phone, code in UNITS:
            unit = self.units[short]
            for kind in (RoleKind.CLERK, RoleKind.SIGNER):
                username = named.get((short, kind)) or f"{code.lower()}-{kind}"
                role = Role.objects.filter(user__username=username, unit=unit, kind=kind).select_related("user").first()
                if role is not None:
                    user = role.user
                else:
                    user, _created = accounts_services.add_to_unit(
                        unit=unit,
                        kind=kind,
                        by=self.users["admin"],
                        username=username,
                        full_name=person if kind == RoleKind.CLERK and person else f"{short}{RoleKind(kind).label}",
                    )
                self.staff[short, kind] = user

    def clerk(self, assignment):
        return self.staff[assignment.unit.short_name, RoleKind.CLERK]

    def signer(self, assignment):
        return self.staff[assignment.unit.short_name, RoleKind.SIGNER]

    # --- seed 000: 委员提案〔2021〕110号 ---------------------------------------------

    def build_huangshi_case(self):
        letter = seeds.huangshi_reply()
        form = seeds.huangshi_feedback()
        session = self.sessions["hs2021"]
        members = [self.member(name, Body.CPPCC) for name in letter["members"]]
        self.link_user(members[0], "member")
        self.link_user(members[1], "member2")
        proposal = self.register(
            session,
            110,
            "关于促进黄石市中小企业健康快速发展的提案",
            members,
            category="经济建设",
            submitted_on=datetime.date(2021, 1, 7),
        )
        if proposal is None:
            return
        written_on = seeds.parse_date(letter["written_on"])
        assignment = self.assign(proposal, "市经信局", AssignmentRole.LEAD, datetime.date(2021, 3, 10))
        self.sign_for(assignment, datetime.date(2021, 3, 12))
        # The form says the unit visited the members; the letter gives no date, so the
        # visit is recorded on the letter's date.
        self.contact(assignment, written_on, ContactMethod.VISIT, "上门走访委员，听取意见（据征询意见表）。")
        reply = self.reply(
            assignment,
            title=letter["title"],
            addressees=letter["addressees"],
            paragraphs=letter["paragraphs"],
            result_class=letter["result_class"],
            written_on=written_on,
            closing=letter["closing"],
            contact_person=letter["contact_person"],
            contact_phone=letter["contact_phone"],
        )
        methods = {label: value for value, label in ContactMethod.choices}
        effects = {label: value for value, label in HandlingEffect.choices}
        satisfactions = {label: value for value, label in Satisfaction.choices}
        ticked_methods = {methods[label] for label in form["methods"]}
        signed_on = written_on + datetime.timedelta(days=10)
        feedback_services.enter_paper(
            reply=reply,
            member=members[0],
            answers={
                "by_visit": ContactMethod.VISIT in ticked_methods,
                "by_meeting": ContactMethod.MEETING in ticked_methods,
                "by_phone": ContactMethod.PHONE in ticked_methods,
                "by_letter": ContactMethod.LETTER in ticked_methods,
                "by_forum": ContactMethod.FORUM in ticked_methods,
                "by_other": ContactMethod.OTHER in ticked_methods,
                "handling_effect": only_one(form["effects"], effects),
                "satisfaction": only_one(form["satisfaction"], satisfactions),
                "publish_consent": None,
                "opinion": form["opinion"],
                "needs_attention": attention_note(form),
            },
            signed_on=signed_on,
            scan=paper_scan(form),
            by=self.users["office"],
            at=aware(signed_on + datetime.timedelta(days=2)),
        )

    def build_contacts(self):
        """Every demo member, unit and user gets an e-mail address (and members a mobile), unless one is set."""
        for member in Member.objects.exclude(group="批量").order_by("pk"):
            local, mobile = MEMBER_CONTACTS.get(member.name, (f"member{member.pk}", f"1390000{member.pk % 10000:04d}"))
            changed = []
            if not member.email:
                member.email, changed = f"{local}@example.org", [*changed, "email"]
            if not member.phone:
                member.phone, changed = mobile, [*changed, "phone"]
            if changed:
                member.save(update_fields=changed)
        for *_, short, _prefix, _person, _phone, code in UNITS:
            unit = self.units[short]
            if not unit.email:
                unit.email = f"{code.lower()}@example.org"
                unit.save(update_fields=["email"])
        for username, user in self.users.items():
            if not user.email and username not in ("member", "member2", "deputy"):
                user.email = f"{username}@example.org"
                user.save(update_fields=["email"])

    def link_user(self, member, username):
        if member.user_id != self.users[username].pk:
            member.user = self.users[username]
            member.save(update_fields=["user"])

    # --- seed 002: 惠济区 --------------------------------------------------------------

    def build_huiji_case(self):
        letter = seeds.huiji_reply()
        member = self.member("何昕", Body.CPPCC, group="惠济区政协")
        proposal = self.register(
            self.sessions["huiji"],
            1,
            "关于“产业强区推动惠济区高质量发展”的提案",
            [member],
            category="经济建设",
            submitted_on=datetime.date(2023, 1, 10),
        )
        if proposal is None:
            return
        assignment = self.assign(proposal, "区科工信局", AssignmentRole.LEAD, datetime.date(2023, 2, 20))
        self.sign_for(assignment, datetime.date(2023, 2, 21))
        written_on = seeds.parse_date(letter["written_on"])
        # A stand-in: the letter records no conversation with the member, and a lead unit's
        # reply goes to its signer only after one is logged.
        self.contact(
            assignment,
            written_on - datetime.timedelta(days=14),
            ContactMethod.PHONE,
            "电话联系委员，通报办理进展（演示补录：原答复未载沟通情况）。",
        )
        self.reply(
            assignment,
            title="关于“产业强区推动惠济区高质量发展”提案的答复",
            addressees=letter["addressees"],
            paragraphs=letter["paragraphs"],
            result_class=ResultClass.B,
            written_on=written_on,
            closing=letter["closing"],
        )

    # --- seed 004: 安康 -----------------------------------------------------------------

    def build_ankang_case(self):
        letter = seeds.ankang_reply()
        # The portal copy names neither the member nor the date; both are stand-ins here.
        member = self.member("安康市政协委员", Body.CPPCC, group="原文未载姓名")
        proposal = self.register(
            self.sessions["ankang"],
            1,
            "关于扶持本土企业打造本地品牌的提案",
            [member],
            category="经济建设",
            submitted_on=datetime.date(2021, 1, 13),
        )
        if proposal is None:
            return
        assignment = self.assign(proposal, "安康市工信局", AssignmentRole.LEAD, datetime.date(2021, 4, 1))
        self.sign_for(assignment, datetime.date(2021, 4, 2))
        self.contact(
            assignment,
            datetime.date(2021, 7, 30),
            ContactMethod.PHONE,
            "承办提案办复工作人员与委员电话、微信沟通，委员提出融资对接、金融顾问制度、银行抽贷断贷三点意见。",
            participants="承办提案办复工作人员、提案委员",
        )
        self.reply(
            assignment,
            title="关于扶持本土企业打造本地品牌提案的答复",
            addressees="委员",
            paragraphs=letter["paragraphs"],
            result_class=ResultClass.B,
            written_on=datetime.date(2021, 8, 16),
            closing="安康市工业和信息化局",
        )

    # --- synthetic proposals, one or more in every state ---------------------------------

    def build_synthetic(self):
        deputies = [self.member(name, Body.NPC, group) for name, group in NPC_DEPUTIES]
        self.link_user(deputies[0], "deputy")
        cppcc = [self.member(name, Body.CPPCC, group) for name, group in CPPCC_EXTRA]
        cppcc.append(self.member("市工商联", Body.CPPCC, kind=MemberKind.ORGANISATION))
        chengwei = Member.objects.get(body=Body.CPPCC, name="程玮", group="")
        wangqiuhong = Member.objects.get(body=Body.CPPCC, name="王秋红", group="")
        for serial, (title, body, state, lead_unit, co_unit, age, key) in enumerate(SYNTHETIC, start=1):
            if body == Body.NPC:
                session = self.sessions["npc"]
                members = [deputies[serial % 4], deputies[(serial + 1) % 4]]
            else:
                session = self.sessions["cppcc"]
                # 程玮 leads some and co-signs others, so the member portal has both.
                members = [chengwei, cppcc[serial % 3]] if serial % 2 else [cppcc[serial % 3], chengwei, wangqiuhong]
            proposal = self.register(
                session,
                serial,
                title,
                members,
                category=CATEGORIES[serial % len(CATEGORIES)],
                submitted_on=session.opens_on + datetime.timedelta(days=1),
                is_key=key,
            )
            if proposal is None:
                continue
            assigned_on = self.today - datetime.timedelta(days=age)
            lead = self.assign(proposal, lead_unit, AssignmentRole.LEAD, assigned_on)
            co = self.assign(proposal, co_unit, AssignmentRole.CO, assigned_on) if co_unit else None
            if state == "pending":
                continue
            for assignment in filter(None, (lead, co)):
                self.sign_for(assignment, assigned_on + datetime.timedelta(days=2))
            self.contact(
                lead,
                assigned_on + datetime.timedelta(days=10),
                ContactMethod.PHONE if serial % 2 else ContactMethod.MEETING,
                f"就《{title}》与{members[0].name}沟通办理思路。",
            )
            if state in REPLY_STATES:
                if co is not None:
                    # The lead's reply goes to its signer only with every co-handling opinion in.
                    CoHandlingOpinion.objects.give(
                        assignment=co,
                        by=self.clerk(co),
                        body=f"我单位对《{title}》无不同意见，将配合主办单位做好相关工作。",
                        at=aware(assigned_on + datetime.timedelta(days=30)),
                    )
                self.build_synthetic_reply(lead, proposal, state, assigned_on)

    def build_synthetic_reply(self, lead, proposal, state, assigned_on):
        unit = lead.unit
        written_on = assigned_on + datetime.timedelta(days=50)
        reply = self.reply(
            lead,
            title=reply_title(proposal),
            addressees=proposal.addressee_line(),
            paragraphs=[
                f"你们提出的《{proposal.title}》（{proposal.number}）收悉。我单位高度重视，现答复如下：",
                "一、基本情况",
                "近年来，我市围绕该领域持续加大投入，相关工作取得阶段性成效。",
                "二、下一步工作",
                "我们将认真吸纳你们的意见建议，细化措施，加快推进，并及时向你们通报进展。",
                "感谢你们对我市工作的关心和支持。",
            ],
            result_class=ResultClass.B if state == "redo" else ResultClass.A,
            written_on=written_on if state in ("replied", "issued", "redo") else None,
            closing=unit.name,
            contact_person=unit.contact_person,
            contact_phone=unit.contact_phone,
            until=REPLY_STATES[state],
            on=written_on,
        )
        if state not in ("replied", "redo"):
            return
        # The member answers online; a 不满意 starts 重办 through the same write path.
        redo = state == "redo"
        form = OnlineFeedbackForm(
            {
                "methods": [ContactMethod.PHONE],
                "handling_effect": HandlingEffect.LATER if redo else HandlingEffect.SOLVED,
                "satisfaction": Satisfaction.DISSATISFIED if redo else Satisfaction.SATISFIED,
                "publish_consent": "no" if redo else "yes",
                "opinion": "答复未回应核心诉求，希望重新研究。" if redo else "沟通及时，措施具体。",
                "signature_data": signature_data_url(),
            }
        )
        if not form.is_valid():
            raise ValueError(form.errors.as_text())
        feedback_services.submit_online(
            reply=reply,
            member=proposal.lead,
            form=form,
            by=proposal.lead.user,
            now=aware(written_on + datetime.timedelta(days=7)),
        )

    # --- helpers: each one step through its write path -----------------------------------

    def register(self, session, serial, title, members, *, category, submitted_on, is_key=False):
        """登记 by the body's office; None when the demo has this proposal already (its case is built)."""
        if Proposal.objects.filter(session=session, serial=serial).exists():
            return None
        lead, *cosigners = members
        return Proposal.objects.register(
            session=session,
            serial=serial,
            title=title,
            lead=lead,
            cosigners=cosigners,
            by=self.office(session),
            category=Category.objects.get(name=category),
            period=Period.SESSION,
            is_key=is_key,
            submitted_on=submitted_on,
            at=aware(submitted_on),
        )

    def office(self, session):
        return self.users["office" if session.body == Body.CPPCC else "office_npc"]

    def assign(self, proposal, unit, role, assigned_on):
        return proposal.assign(
            unit=self.units[unit],
            role=role,
            by=self.office(proposal.session),
            assigned_on=assigned_on,
            at=aware(assigned_on),
        )

    def sign_for(self, assignment, on):
        assignment.sign_for(by=self.clerk(assignment), on=on, at=aware(on, hour=10))

    def contact(self, assignment, on, method, summary, participants=""):
        ContactRecord.objects.log(
            assignment=assignment,
            by=self.clerk(assignment),
            contacted_on=on,
            method=method,
            summary=summary,
            participants=participants,
            at=aware(on, hour=9),
        )

    def reply(
        self,
        assignment,
        *,
        title,
        addressees,
        paragraphs,
        result_class,
        written_on,
        closing,
        until=ReplyStatus.ISSUED,
        on=None,
        **extra,
    ):
        """Draft, submit and sign the reply on the day `on` (its 成文日期 by default), up to the state `until`."""
        on = on or written_on
        structure = reply_body.paragraphs_from_text("\n".join(paragraphs))  # the seeds normalised
        clerk = self.clerk(assignment)
        reply = Reply.objects.start_draft(
            assignment=assignment,
            by=clerk,
            title=title,
            addressees=addressees,
            body=reply_body.plain_text(structure),
            body_paragraphs=structure,
            result_class=result_class,
            written_on=written_on,
            closing_name=closing,
            publication=Publication.PUBLIC,
            at=aware(on, hour=10),
            **extra,
        )
        reply.submit(by=clerk, at=aware(on, hour=11))
        if until != ReplyStatus.AWAITING_SIGNOFF:
            reply.sign_off(by=self.signer(assignment), review=until == ReplyStatus.IN_REVIEW, at=aware(on, hour=15))
        return reply


def only_one(ticked_labels, by_label):
    """The value of a single-choice row, or blank when the paper form ticks none or several."""
    return by_label[ticked_labels[0]] if len(ticked_labels) == 1 else ""


def attention_note(form):
    notes = []
    for row, label in (("effects", "办理效果"), ("satisfaction", "办理评价")):
        if len(form[row]) > 1:
            notes.append(f"纸质表“{label}”同时勾选了{'、'.join(f'“{t}”' for t in form[row])}，需与委员核实。")
    if not form["publish"]:
        notes.append("纸质表未勾选“是否公开”。")
    return "".join(notes)


def aware(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def signature_data_url():
    """A drawn signature, as the online form's pad sends it; small enough for a low BANLI_SIGNATURE_MAX_BYTES."""
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 70), (90, 25), (160, 75), (280, 35)], fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def paper_scan(form):
    """A stand-in for the scan of the seed's paper form: its rows as ticked, on a white page."""
    image = Image.new("RGB", (1240, 620), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype(CJK_FONT, 30)
    except OSError:
        font = ImageFont.load_default()
    rows = [
        "办理情况征询意见表（演示：据 seeds/000 转录，非原件扫描）",
        "沟通方式：" + "、".join(form["methods"]),
        "办理效果：" + "、".join(form["effects"]),
        "办理评价：" + "、".join(form["satisfaction"]),
        "是否公开：" + ("、".join(form["publish"]) or "未勾选"),
        "意见：" + form["opinion"],
    ]
    for line, text in enumerate(rows):
        draw.text((60, 60 + line * 80), text, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name="paper-form.png")


def reply_title(proposal):
    kind = "建议" if proposal.kind == ProposalKind.SUGGESTION else "提案"
    title = proposal.title.removesuffix("的建议").removesuffix("的提案")
    return f"关于对《{title}》{kind}的答复"


class VolumeData:
    """Bulk synthetic data for benchmarks: proposals with assignments, replies and feedback.

    Written with bulk_create, not through the write paths: tens of thousands of proposals one
    write path at a time (row locks, timeline lines, similarity index, notifications) would take
    hours, and benchmarks need the rows, not their history. What the rows hold still follows the
    rules (deadlines, seals, 索引号 as the write paths give them).
    """

    SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力斌宇浩凯鹏飞晨阳"
    TOPICS = [
        "老旧小区改造",
        "公交线网优化",
        "课后服务",
        "企业融资",
        "养老服务",
        "岸线生态修复",
        "智慧停车",
        "政务服务",
        "就业创业",
        "垃圾分类",
        "医疗资源下沉",
        "乡村振兴",
        "文旅融合",
        "食品安全",
        "防汛排涝",
    ]
    BATCH = 5000

    def __init__(self, rng, today):
        self.rng = rng
        self.today = today

    def build(self, count):
        units = list(HandlingUnit.objects.filter(name__startswith="黄石市"))
        sessions = [
            Session.objects.get(name=f"黄石市第十五届人民代表大会{self.today.year}年会议"),
            Session.objects.get(name=f"黄石市政协十四届{self.today.year}年会议"),
        ]
        members = {session.body: self.members(session.body) for session in sessions}
        categories = list(Category.objects.all())
        for start in range(0, count, self.BATCH):
            with transaction.atomic():
                self.batch(min(self.BATCH, count - start), units, sessions, members, categories)

    def members(self, body):
        existing = list(Member.objects.filter(body=body, group="批量"))
        if len(existing) >= 400:
            return existing
        names = {self.rng.choice(self.SURNAMES) + "".join(self.rng.sample(self.GIVEN, 2)) for _ in range(600)}
        known = set(Member.objects.filter(body=body, group="批量").values_list("name", flat=True))
        Member.objects.bulk_create(Member(name=n, body=body, group="批量") for n in sorted(names - known))
        return list(Member.objects.filter(body=body, group="批量"))

    def batch(self, size, units, sessions, members, categories):
        rng = self.rng
        next_serial = {}
        for session in sessions:
            last = Proposal.objects.filter(session=session).order_by("-serial").values_list("serial", flat=True).first()
            next_serial[session.pk] = (last or 0) + 1
        proposals = []
        for _ in range(size):
            session = rng.choice(sessions)
            serial = next_serial[session.pk]
            next_serial[session.pk] += 1
            kind = ProposalKind.for_body(session.body)
            topic = rng.choice(self.TOPICS)
            proposals.append(
                Proposal(
                    kind=kind,
                    session=session,
                    serial=serial,
                    number=session.format_number(serial),
                    title=f"关于加强{topic}工作的{kind.label}",
                    body=f"围绕{topic}，建议进一步完善政策、加大投入、强化督促落实。",
                    lead=rng.choice(members[session.body]),
                    category=rng.choice(categories),
                    period=Period.SESSION,
                    is_key=rng.random() < 0.05,
                    status=ProposalStatus.HANDLING,
                    submitted_on=session.opens_on + datetime.timedelta(days=1),
                )
            )
        # The databases we run on return the new keys from a bulk insert.
        Proposal.objects.bulk_create(proposals, batch_size=1000)
        assignments, cosigners = [], []
        for proposal in proposals:
            assigned_on = self.today - datetime.timedelta(days=rng.randint(0, 150))
            lead_unit, co_unit = rng.sample(units, 2)
            replied = rng.random() < 0.6 and (self.today - assigned_on).days > 20
            assignments.append(
                Assignment(
                    proposal=proposal,
                    body=proposal.session.body,  # as save() sets it; bulk_create does not call it
                    unit=lead_unit,
                    role=AssignmentRole.LEAD,
                    status=AssignmentStatus.REPLIED
                    if replied
                    else rng.choice(
                        [AssignmentStatus.PENDING, AssignmentStatus.HANDLING, AssignmentStatus.AWAITING_SIGNOFF]
                    ),
                    assigned_on=assigned_on,
                    signed_for_on=assigned_on + datetime.timedelta(days=1),
                    due_on=proposal.session.due_on(assigned_on, AssignmentRole.LEAD),
                )
            )
            if rng.random() < 0.4:
                assignments.append(
                    Assignment(
                        proposal=proposal,
                        body=proposal.session.body,
                        unit=co_unit,
                        role=AssignmentRole.CO,
                        status=AssignmentStatus.HANDLING,
                        assigned_on=assigned_on,
                        due_on=proposal.session.due_on(assigned_on, AssignmentRole.CO),
                    )
                )
            cosigner = rng.choice(members[proposal.session.body])
            if cosigner.pk != proposal.lead_id:
                cosigners.append(Cosigner(proposal=proposal, member=cosigner, position=1))
        Assignment.objects.bulk_create(assignments, batch_size=1000)
        Deadline.objects.bulk_create(
            (Deadline(assignment=a, round=1, kind=DeadlineKind.ORIGINAL, due_on=a.due_on) for a in assignments),
            batch_size=1000,
        )
        Cosigner.objects.bulk_create(cosigners, batch_size=1000)
        self.replies(
            Assignment.objects.filter(
                proposal__in=proposals, role=AssignmentRole.LEAD, status=AssignmentStatus.REPLIED
            ).select_related("proposal", "unit", "proposal__lead")
        )

    def replies(self, assignments):
        rng = self.rng
        replies = []
        for a in assignments:
            written_on = min(a.assigned_on + datetime.timedelta(days=rng.randint(15, 100)), self.today)
            replies.append(
                Reply(
                    assignment=a,
                    round=1,
                    doc_number=f"{a.unit.doc_prefix}〔{written_on.year}〕{a.proposal.serial}号",
                    title=reply_title(a.proposal),
                    addressees=f"{a.proposal.lead.name}{a.proposal.lead.title}",
                    body="现答复如下：\n一、基本情况\n相关工作正在推进。\n二、下一步工作\n我们将认真研究落实。",
                    result_class=rng.choice(ResultClass.values),
                    written_on=written_on,
                    status=ReplyStatus.ISSUED,
                    issued_at=aware(written_on),
                    awaiting_form_since=aware(written_on),  # until a form comes back, below
                )
            )
        Reply.objects.bulk_create(replies, batch_size=1000)
        feedback = []
        for reply in replies:
            if rng.random() < 0.7:
                feedback.append(
                    Feedback(
                        reply=reply,
                        member=reply.assignment.proposal.lead,
                        channel=Channel.ONLINE,
                        by_phone=True,
                        handling_effect=rng.choice(HandlingEffect.values),
                        satisfaction=rng.choices(Satisfaction.values, weights=[70, 25, 5])[0],
                        publish_consent=rng.random() < 0.8,
                        submitted_at=aware(reply.written_on + datetime.timedelta(days=rng.randint(1, 20))),
                    )
                )
        codes = set()
        for form in feedback:
            seals.seal(form, taken=codes.__contains__)
            codes.add(form.verification_code)
        Feedback.objects.bulk_create(feedback, batch_size=1000)
        answered = [form.reply.pk for form in feedback]
        for start in range(0, len(answered), 500):
            Reply.objects.filter(pk__in=answered[start : start + 500]).update(awaiting_form_since=None)
        self.publish([form.reply for form in feedback if form.publish_consent])

    def publish(self, replies):
        """The replies whose member agreed, published as publish_if_agreed would (the lead answers)."""
        serials = {}
        disclosures = []
        for reply in replies:
            unit, year = reply.assignment.unit, reply.issued_at.year
            if (unit.pk, year) not in serials:
                last = Disclosure.objects.filter(unit=unit, year=year).aggregate(last=Max("serial"))["last"]
                serials[unit.pk, year] = last or 0
            serials[unit.pk, year] += 1
            serial = serials[unit.pk, year]
            disclosures.append(
                Disclosure(
                    reply=reply,
                    unit=unit,
                    year=year,
                    serial=serial,
                    index_number=format_index_number(unit, year, serial),
                    published_at=reply.issued_at,
                )
            )
        Disclosure.objects.bulk_create(disclosures, batch_size=1000)
