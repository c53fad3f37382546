"""Import of a 交办清单 (assignment list) from Excel: check every row, show a preview, then
write everything in one transaction or nothing at all.

Columns (first row, any order): 会次 编号 案由 类型 领衔人 联名人 承办单位 交办日期, and
optionally 新建人员. 承办单位 lists units with their roles, e.g. "市经信局（主办）、市财政局（会办）";
a unit without a role is 主办 if it comes first and 会办 otherwise. 领衔人 and 联名人 are matched
to members exactly as the registration form matches them (`proposals.registration`): an unknown
name refuses the row, unless the row's 新建人员 says 是, and only then is the member created. A proposal already registered
under the same session and number with the same title is left alone (only missing
assignments are added), so importing the same file twice changes nothing.

An .xlsx is a zip of XML. Before any XML is parsed, `check_package` reads the zip's directory
and refuses a file whose parts unpack too large (a few hundred KB can unpack to gigabytes), whose
shared strings are too large, or whose sheets hold too many rows (counted by streaming through
the sheet's bytes, a bounded buffer at a time). openpyxl then reads at most MAX_COLUMNS columns
of at most MAX_SHEET_ROWS rows, whatever the sheet declares.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from proposals import access, registration
from proposals.i18n import stored_text
from proposals.models import (
    AssignmentRole,
    HandlingUnit,
    Member,
    Proposal,
    ProposalKind,
    Session,
)

COLUMNS = {
    "session": "会次",
    "number": "编号",
    "title": "案由",
    "kind": "类型",
    "lead": "领衔人",
    "cosigners": "联名人",
    "units": "承办单位",
    "assigned_on": "交办日期",
    "create_members": "新建人员",
}
REQUIRED = ["session", "number", "title", "lead", "units", "assigned_on"]
SPLIT = re.compile(r"[、，,；;\n]+")
UNIT_ROLE = re.compile(r"^(?P<name>.+?)\s*[（(]\s*(?P<role>[^）)]+)\s*[）)]$")
MAX_ROWS = 5000
# Limits on the package, checked before parsing (see check_package).
MAX_PARTS = 200
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 5 * 1024 * 1024
MAX_SHEET_ROWS = 4 * MAX_ROWS  # data rows, blank rows and the header, as the sheet's XML has them
MAX_COLUMNS = 50
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)>")
ROW_NUMBER = re.compile(rb"\br\s*=\s*[\"'](\d{1,9})[\"']")


# What the timeline says of what the import registered and assigned (records stay in Chinese).
IMPORT_NOTE = "交办清单导入"


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no sheet, a missing column)."""


@dataclass
class Row:
    number: int  # as Excel shows it: the header is row 1
    values: dict
    errors: list = field(default_factory=list)
    action: str = ""  # "new", "add_units" or "unchanged"
    session: Session | None = None
    serial: int | None = None
    lead: Member | None = None
    cosigners: list = field(default_factory=list)
    new_members: list = field(default_factory=list)
    units: list = field(default_factory=list)  # [(unit, role)]
    assigned_on: datetime.date | None = None
    proposal: Proposal | None = None

    @property
    def ok(self):
        return not self.errors

    @property
    def cosigners_display(self):
        return "、".join(member.name for member in self.cosigners)

    @property
    def units_display(self):
        return "、".join(f"{unit.short_name}（{AssignmentRole(role).label}）" for unit, role in self.units)

    @property
    def action_display(self):
        return {"new": _("新增"), "add_units": _("补充交办单位"), "unchanged": _("已存在，无变化")}.get(self.action, "")


@dataclass
class Plan:
    rows: list

    @property
    def errors(self):
        return [row for row in self.rows if row.errors]

    @property
    def ok(self):
        return bool(self.rows) and not self.errors

    def count(self, action):
        return sum(1 for row in self.rows if row.ok and row.action == action)


def _unreadable():
    return ImportFileError(_("无法读取该文件，请上传 Excel（.xlsx）格式的交办清单。"))


def _too_many_rows():
    return ImportFileError(_("表中的行（含空行）超过 %(n)s 行，请删去多余的行后重新上传。") % {"n": MAX_SHEET_ROWS})


def _sheet_rows(package, info):
    """(rows, highest row number) of a worksheet part, counted a bounded chunk at a time; stops
    (with the error) as soon as either passes MAX_SHEET_ROWS."""
    rows = highest = 0
    tail = b""
    with package.open(info) as part:  # never yields more than the size the directory declares
        while chunk := part.read(256 * 1024):
            buffer = tail + chunk
            last_end = 0
            for match in ROW_TAG.finditer(buffer):
                rows += 1
                last_end = match.end()
                number = ROW_NUMBER.search(match.group(1))
                if number:
                    highest = max(highest, int(number.group(1)))
            if rows > MAX_SHEET_ROWS or highest > MAX_SHEET_ROWS:
                raise _too_many_rows()
            # Keep an unfinished tag for the next chunk (and nothing already counted).
            cut = buffer.rfind(b"<", last_end)
            tail = buffer[cut:] if cut >= 0 and len(buffer) - cut < 4096 else b""
    return rows, highest


def check_package(data):
    """Refuse, from the zip's directory and a streamed count of rows, what would take too much
    memory or time to parse; ImportFileError with a message for the user."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        parts = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable() from exc
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNZIPPED_BYTES:
        raise ImportFileError(
            _("文件解压后超过 %(mb)s MB，不像是一份交办清单，请检查后重新上传。")
            % {"mb": MAX_UNZIPPED_BYTES // (1024 * 1024)}
        )
    for part in parts:
        name = part.filename.lower()
        if name.endswith("sharedstrings.xml") and part.file_size > MAX_SHARED_STRINGS_BYTES:
            raise ImportFileError(
                _("表中的文字内容超过 %(mb)s MB，请检查后重新上传。")
                % {"mb": MAX_SHARED_STRINGS_BYTES // (1024 * 1024)}
            )
    try:
        for part in parts:
            name = part.filename.lower()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _sheet_rows(package, part)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _unreadable() from exc


def read_rows(data):
    """The data rows of the first sheet as [(row number, {field: value})]."""
    from openpyxl import load_workbook

    check_package(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise _unreadable() from exc
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        raise ImportFileError(_("文件中没有工作表。"))
    rows = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=MAX_SHEET_ROWS)
    header = next(rows, None)
    if not header:
        raise ImportFileError(_("第1行应为表头，文件是空的。"))
    names = [str(h).strip() if h is not None else "" for h in header]
    positions = {}
    for key, label in COLUMNS.items():
        if label in names:
            positions[key] = names.index(label)
    missing = [COLUMNS[key] for key in REQUIRED if key not in positions]
    if missing:
        raise ImportFileError(
            _("表头缺少列：%(missing)s。应有：%(all)s。")
            % {"missing": "、".join(missing), "all": "、".join(COLUMNS.values())}
        )
    result = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(result) >= MAX_ROWS:
            raise ImportFileError(_("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS})
        result.append((number, {key: values[pos] if pos < len(values) else None for key, pos in positions.items()}))
    if not result:
        raise ImportFileError(_("表中没有数据行。"))
    return result


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


class Planner:
    """Checks every row against the database and the user's reach; writes nothing."""

    def __init__(self, user):
        self.user = user
        self.scope = access.scope_of(user)
        self.sessions = {s.name: s for s in Session.objects.all()}
        self.units = {}
        for unit in HandlingUnit.objects.all():
            self.units[unit.short_name] = unit
            self.units[unit.name] = unit
        self.seen = {}

    def plan(self, data):
        return Plan([self.check(number, values) for number, values in read_rows(data)])

    def check(self, number, values):
        row = Row(number=number, values={key: _text(v) for key, v in values.items()})
        v = row.values
        for key in REQUIRED:
            if not v.get(key):
                row.errors.append(_("“%(column)s”不能为空。") % {"column": COLUMNS[key]})
        if row.errors:
            return row
        self.check_session(row)
        self.check_number(row)
        self.check_units(row)
        row.assigned_on = _date(values.get("assigned_on"))
        if row.assigned_on is None:
            row.errors.append(_("交办日期“%(value)s”不是有效日期（应如 2021-03-10）。") % {"value": v["assigned_on"]})
        if row.session:
            self.check_members(row)
        if row.ok:
            self.decide(row)
        return row

    def check_session(self, row):
        v = row.values
        session = self.sessions.get(v["session"])
        if session is None:
            row.errors.append(_("会次“%(value)s”不存在。") % {"value": v["session"]})
            return
        if not self.scope.oversees(session.body):
            row.errors.append(_("无权导入会次“%(value)s”的交办清单。") % {"value": v["session"]})
            return
        kind = v.get("kind", "")
        if kind:
            labels = {str(label): value for value, label in ProposalKind.choices}
            if kind not in labels:
                row.errors.append(_("类型“%(value)s”应为“建议”或“提案”。") % {"value": kind})
                return
            if labels[kind] != session.proposal_kind:
                row.errors.append(
                    _("类型“%(kind)s”与会次不符：%(session)s只收%(expected)s。")
                    % {"kind": kind, "session": session.name, "expected": session.proposal_kind.label}
                )
                return
        row.session = session

    def check_number(self, row):
        digits = re.findall(r"\d+", row.values["number"])
        if not digits:
            row.errors.append(_("编号“%(value)s”中没有序号数字。") % {"value": row.values["number"]})
            return
        row.serial = int(digits[-1])
        if row.values["number"].isdigit() and row.session:
            row.values["number"] = row.session.format_number(row.serial)
        key = (row.values["session"], row.serial)
        if key in self.seen:
            row.errors.append(_("与第%(row)s行编号重复。") % {"row": self.seen[key]})
        else:
            self.seen[key] = row.number

    def check_units(self, row):
        for position, part in enumerate(p.strip() for p in SPLIT.split(row.values["units"]) if p.strip()):
            match = UNIT_ROLE.match(part)
            name, role_label = (match["name"].strip(), match["role"].strip()) if match else (part, "")
            unit = self.units.get(name)
            if unit is None:
                row.errors.append(_("承办单位“%(value)s”不存在。") % {"value": name})
                continue
            roles = {str(label): value for value, label in AssignmentRole.choices}
            if role_label and role_label not in roles:
                row.errors.append(
                    _("“%(unit)s”的办理方式“%(role)s”应为主办、会办或分办。") % {"unit": name, "role": role_label}
                )
                continue
            role = roles[role_label] if role_label else (AssignmentRole.LEAD if position == 0 else AssignmentRole.CO)
            if any(u == unit for u, _r in row.units):
                row.errors.append(_("承办单位“%(value)s”重复。") % {"value": name})
                continue
            row.units.append((unit, role))
        leads = [u for u, role in row.units if role == AssignmentRole.LEAD]
        if len(leads) > 1:
            row.errors.append(_("只能有一个主办单位。"))

    def check_members(self, row):
        """Lead and co-signers through the form's own matching; unknown names are created only on request."""
        flag = row.values.get("create_members", "")
        if flag not in ("", "是", "否"):
            row.errors.append(_("“新建人员”应填“是”或“否”（留空即为否）。"))
            return
        names = registration.split_names(row.values.get("cosigners", ""))
        found = registration.resolve(row.session.body, [row.values["lead"], *names])
        errors = registration.Resolved(ambiguous=found.ambiguous).messages()
        if found.unknown and flag != "是":
            errors += registration.Resolved(unknown=found.unknown).messages()
            errors.append(_("如确需新建这些人员，请在该行“新建人员”列填写“是”。"))
        if errors:
            row.errors.extend(errors)
            return
        members = []
        for name, member in found.matches:
            if member is None:
                row.new_members.append(name)
                member = Member(name=name, body=row.session.body)
            members.append(member)
        row.lead, row.cosigners = members[0], members[1:]
        row.errors.extend(registration.order_errors(row.lead, row.cosigners))

    def decide(self, row):
        existing = (
            Proposal.objects.filter(session=row.session)
            .filter(Q(number=row.values["number"]) | Q(serial=row.serial))
            .first()
        )
        if existing is None:
            row.action = "new"
            return
        if existing.title != row.values["title"] or existing.number != row.values["number"]:
            row.errors.append(
                _("编号已被“%(number)s %(title)s”使用，与本行案由不同。")
                % {"number": existing.number, "title": existing.title}
            )
            return
        row.proposal = existing
        have = set(existing.assignments.values_list("unit_id", flat=True))
        missing = [(u, r) for u, r in row.units if u.pk not in have]
        if missing and any(r == AssignmentRole.LEAD for _u, r in missing) and existing.has_lead():
            row.errors.append(_("该件已有主办单位，与本行不符。"))
            return
        row.units = missing
        row.action = "add_units" if missing else "unchanged"


def apply(plan, *, user):
    """Write the plan in one transaction; refuse a plan with any bad row."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    created = {"proposals": 0, "assignments": 0}
    with transaction.atomic():
        members = {}
        for row in plan.rows:
            if row.action == "unchanged":
                continue
            proposal = row.proposal
            if proposal is None:
                lead = _saved(row.lead, members)
                cosigners = [_saved(m, members) for m in row.cosigners]
                proposal = Proposal.objects.register(
                    session=row.session,
                    lead=lead,
                    title=row.values["title"],
                    cosigners=cosigners,
                    serial=row.serial,
                    number=row.values["number"],
                    submitted_on=row.session.opens_on,
                    by=user,
                    note=IMPORT_NOTE,
                )
                created["proposals"] += 1
            for unit, role in row.units:
                with stored_text():
                    note = f"{IMPORT_NOTE}：{unit.short_name}（{AssignmentRole(role).label}）"
                proposal.assign(unit=unit, role=role, by=user, assigned_on=row.assigned_on, note=note)
                created["assignments"] += 1
    return created


def _saved(member, cache):
    if member.pk:
        return member
    key = (member.body, member.name)
    if key not in cache:
        cache[key], _created = Member.objects.get_or_create(body=member.body, name=member.name, group="")
    return cache[key]


def template(*, bodies):
    """A blank 交办清单 (.xlsx) whose first sheet has exactly the headers `read_rows` looks for.

    A second sheet lists the sessions of `bodies` (the 会次 cells offer them as choices) and every
    unit's short name; a third explains each column with an example.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sessions = list(Session.objects.filter(body__in=bodies).order_by("-year", "name").values_list("name", flat=True))
    units = list(HandlingUnit.objects.order_by("short_name").values_list("short_name", flat=True))
    wb = Workbook()
    sheet = wb.active
    sheet.title = _("交办清单")
    labels = list(COLUMNS.values())
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F4")
    widths = {"session": 30, "number": 24, "title": 40, "lead": 12, "cosigners": 28, "units": 36, "assigned_on": 12}
    for position, key in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = widths.get(key, 10)
    sheet.freeze_panes = "A2"
    column = {key: get_column_letter(position) for position, key in enumerate(COLUMNS, start=1)}
    last = MAX_ROWS + 1

    choices = wb.create_sheet(_("会次与单位"))
    choices.append([COLUMNS["session"], COLUMNS["units"]])
    for position in range(max(len(sessions), len(units))):
        choices.append(
            [
                sessions[position] if position < len(sessions) else None,
                units[position] if position < len(units) else None,
            ]
        )
    choices.column_dimensions["A"].width = 34
    choices.column_dimensions["B"].width = 20

    def offer(key, formula, error):
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True, error=error)
        rule.add(f"{column[key]}2:{column[key]}{last}")
        sheet.add_data_validation(rule)

    if sessions:
        offer("session", f"'{choices.title}'!$A$2:$A${len(sessions) + 1}", _("请从列表中选择会次。"))
    offer("kind", '"建议,提案"', _("应填“建议”或“提案”。"))
    offer("create_members", '"是,否"', _("应填“是”或“否”，或留空。"))

    notes = wb.create_sheet(_("填写说明"))
    notes.append([_("列"), _("填写方法"), _("示例")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    example = sessions[0] if sessions else "黄石市政协十四届一次会议"
    rows = [
        (COLUMNS["session"], _("会议名称，从列表中选择"), example),
        (COLUMNS["number"], _("完整编号，或只填序号数字（按会次的编号格式补全）"), "110"),
        (COLUMNS["title"], _("案由"), "关于促进中小企业发展的提案"),
        (COLUMNS["kind"], _("建议或提案，可留空（按会次判断）"), "提案"),
        (COLUMNS["lead"], _("领衔人姓名或单位名称；同名者写明界别，如：王秋红（经济界）"), "程玮"),
        (COLUMNS["cosigners"], _("按联名顺序，用顿号分隔，写法同领衔人"), "王秋红、纪春明"),
        (
            COLUMNS["units"],
            _("承办单位简称及办理方式；未注明的，第一个为主办，其余为会办"),
            "市经信局（主办）、市财政局（会办）",
        ),
        (COLUMNS["assigned_on"], _("日期，如 2026-03-10"), "2026-03-10"),
        (
            COLUMNS["create_members"],
            _("系统中找不到领衔人或联名人时，该行会被拒绝；确需新建人员的，在此填“是”"),
            _("（留空）"),
        ),
    ]
    for row in rows:
        notes.append(row)
    notes.column_dimensions["A"].width = 10
    notes.column_dimensions["B"].width = 70
    notes.column_dimensions["C"].width = 40
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer
