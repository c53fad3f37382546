"""Turn an extracted reply into records: members, unit, session, proposal, assignment, draft reply,
contact records and a paper feedback form — matching what exists, creating what does not.

Writes that span apps, so they live here (keyword-only, inside one transaction each).
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import Feedback, HandlingEffect, Satisfaction
from feedback.services import record_imported_form
from proposals import similar
from proposals.limits import LETTER, REASON, SUMMARY, clip
from proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Body,
    Event,
    EventVerb,
    HandlingUnit,
    Member,
    MemberKind,
    Proposal,
    ProposalStatus,
    Session,
    TransitionError,
)
from replies import body as reply_body
from replies.models import CoHandlingOpinion, ContactMethod, ContactRecord, Publication, Reply, ReplyStatus

from .extract import MISSING, DocumentError, extract, read_document
from .models import DocumentKind, ImportedDocument, ImportStatus

PLACEHOLDER_UNIT = ("承办单位待核实（历史答复导入）", "待核实单位")
PLACEHOLDER_MEMBER = "姓名待核实"
PUBLICATION_WORDS = {
    "主动公开": Publication.PUBLIC,
    "依申请公开": Publication.ON_REQUEST,
    "不予公开": Publication.PRIVATE,
}


@dataclass
class Outcome:
    """What happened to one file: status is imported, would_import, already_imported, refused,
    would_refuse or error; `records` says which records were matched or created."""

    file_name: str
    sha256: str
    status: str
    message: str = ""
    encoding: str = ""
    fields: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)
    document: ImportedDocument | None = None

    @property
    def ok(self):
        if self.status == "already_imported":
            return self.document.status != ImportStatus.REFUSED
        return self.status in ("imported", "would_import")

    def as_json(self):
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "status": self.status,
            "message": self.message,
            "encoding": self.encoding,
            "document_id": self.document.pk if self.document and self.document.pk else None,
            "fields": self.fields,
            "records": self.records,
        }


def import_document(*, file_name, data, user=None, dry_run=False):
    """Read one file and, unless dry_run, create its draft records and an ImportedDocument."""
    sha = hashlib.sha256(data).hexdigest()
    existing = ImportedDocument.objects.filter(sha256=sha).first()
    if existing:
        return Outcome(
            file_name,
            sha,
            "already_imported",
            _("该文件已于 %(when)s 导入过（%(status)s），本次未新建任何记录。")
            % {
                "when": timezone.localtime(existing.uploaded_at).strftime("%Y-%m-%d %H:%M"),
                "status": existing.get_status_display(),
            },
            fields=existing.extracted,
            document=existing,
        )
    try:
        text, encoding = read_document(file_name, data)
    except DocumentError as error:
        return Outcome(file_name, sha, "error", str(error))
    extraction = extract(text, units=known_units())
    if extraction.is_opinion:
        return import_opinion(
            file_name=file_name,
            sha256=sha,
            text=text,
            encoding=encoding,
            extraction=extraction,
            user=user,
            dry_run=dry_run,
        )
    fields = extraction.as_json()
    body = extraction.value("body") or ""
    if not extraction.is_reply:
        outcome = Outcome(
            file_name, sha, "would_refuse" if dry_run else "refused", extraction.refusal, encoding, fields
        )
        if not dry_run:
            outcome.document = _create_document(
                file_name=file_name,
                sha256=sha,
                encoding=encoding,
                source_text=text,
                extracted=fields,
                body=body,
                status=ImportStatus.REFUSED,
                refusal_reason=clip(extraction.refusal, REASON),
                uploaded_by=user,
            )
            if outcome.document is None:
                return import_document(file_name=file_name, data=data, user=user, dry_run=dry_run)
        return outcome
    try:
        with transaction.atomic():
            builder = RecordBuilder(extraction, user=user, label=file_name, sha256=sha)
            builder.build()
            outcome = Outcome(
                file_name,
                sha,
                "would_import" if dry_run else "imported",
                "",
                encoding,
                fields,
                builder.records,
            )
            if dry_run:
                transaction.set_rollback(True)
                outcome.message = _("试运行：识别成功，未写入任何记录。")
            else:
                outcome.document = ImportedDocument.objects.create(
                    file_name=file_name[:255],
                    sha256=sha,
                    encoding=encoding,
                    source_text=text,
                    extracted=fields,
                    body=builder.body,
                    status=ImportStatus.NEEDS_REVIEW,
                    kind=DocumentKind.REPLY,
                    proposal=builder.proposal,
                    reply=builder.reply,
                    records=builder.records,
                    created_records=builder.created,
                    uploaded_by=user,
                )
                outcome.message = (
                    _("已导入为待核实的答复草稿。")
                    if builder.created
                    else _("已导入：与已有记录全部匹配，未新建记录；请核实。")
                )
    except IntegrityError:
        # Another upload of the same bytes won the race: report it as already imported.
        if ImportedDocument.objects.filter(sha256=sha).exists():
            return import_document(file_name=file_name, data=data, user=user, dry_run=dry_run)
        raise
    return outcome


def known_units():
    """(name, short name) of every handling unit, for the extractor to resolve "我局" against."""
    return list(HandlingUnit.objects.values_list("name", "short_name"))


def _create_document(**fields):
    try:
        with transaction.atomic():
            return ImportedDocument.objects.create(**fields)
    except IntegrityError:
        return None


class RecordBuilder:
    """Finds or creates each record an extraction describes; remembers what it created."""

    def __init__(self, extraction, *, user, label, sha256):
        self.x = extraction
        self.user = user
        self.label = label
        self.sha256 = sha256
        self.records = {}
        self.created = {}
        self.proposal = None
        self.reply = None
        self.body = extraction.value("body") or Body.CPPCC
        reply_date = extraction.value("reply_date")
        self.reply_date = datetime.date.fromisoformat(reply_date) if reply_date else None

    def note(self, key, obj, action, **extra):
        entry = {"id": obj.pk, "action": action, "label": str(obj), **extra}
        if key in ("members", "contacts"):
            self.records.setdefault(key, []).append(entry)
        else:
            self.records[key] = entry
        if action == "created":
            self.created.setdefault(obj._meta.label_lower, []).append(obj.pk)
        return obj

    def build(self):
        members = self.members()
        proposal = self.proposal = self.find_proposal(members)
        if proposal is None:
            members = members or [self.placeholder_member()]
            proposal = self.proposal = self.register_proposal(members)
        unit = self.unit(proposal)
        assignment = self.assignment(proposal, unit)
        self.reply = self.draft_reply(assignment, proposal)
        self.contacts(assignment)
        self.feedback(self.reply, members or proposal.members_in_order)

    # --- people and units ---------------------------------------------------------------

    def members(self):
        people = (self.x.value("addressees") or {}).get("people") or []
        return [self.member(p["name"], p["kind"]) for p in people]

    def placeholder_member(self):
        """A letter that names nobody (a portal copy) still needs a lead; a person fills in the name."""
        placeholder, created = Member.objects.get_or_create(
            body=self.body, name=PLACEHOLDER_MEMBER, group=f"导入文件 {self.sha256[:8]}"
        )
        return self.note("members", placeholder, "created" if created else "matched", placeholder=True)

    def member(self, name, kind=""):
        candidates = list(Member.objects.filter(body=self.body, name=name).order_by("pk"))
        if candidates:
            best = next((m for m in candidates if not m.group), candidates[0])
            return self.note("members", best, "matched", ambiguous=len(candidates) > 1)
        member = Member.objects.create(
            body=self.body,
            name=name[:100],
            kind=MemberKind.ORGANISATION if kind == "organisation" else MemberKind.PERSON,
        )
        return self.note("members", member, "created")

    def unit(self, proposal):
        info = self.x.value("unit") or {}
        name, short = info.get("name", ""), info.get("short_name", "")
        letterhead, closing = info.get("letterhead", ""), info.get("closing", "")
        query = models.Q(pk__in=[])
        if name:
            query |= models.Q(name=name) | models.Q(letterhead=name)
        if letterhead:
            query |= models.Q(letterhead=letterhead) | models.Q(name=letterhead)
        if closing:
            query |= models.Q(name=closing)
        if short:
            query |= models.Q(short_name=short)
        unit = HandlingUnit.objects.filter(query).order_by("pk").first()
        if unit:
            return self.note("unit", unit, "matched")
        if not name and "proposals.proposal" not in self.created:
            # The letter does not say who wrote it; the proposal it answers may (its lead unit).
            lead = proposal.assignments.filter(role=AssignmentRole.LEAD).select_related("unit").first()
            if lead:
                return self.note("unit", lead.unit, "matched")
        if not name:
            unit, created = HandlingUnit.objects.get_or_create(
                name=PLACEHOLDER_UNIT[0], defaults={"short_name": PLACEHOLDER_UNIT[1]}
            )
            return self.note("unit", unit, "created" if created else "matched", placeholder=True)
        short_name = (short or name)[:40]
        if HandlingUnit.objects.filter(short_name=short_name).exists():
            short_name = name[:40]
        unit = HandlingUnit.objects.create(
            name=name[:100],
            short_name=short_name,
            letterhead=letterhead[:100] if letterhead and letterhead != name else "",
            contact_person=(self.x.value("contact_person") or "")[:40],
            contact_phone=(self.x.value("contact_phone") or "")[:40],
        )
        return self.note("unit", unit, "created")

    # --- the proposal -----------------------------------------------------------------

    def find_proposal(self, members):
        number = self.x.value("proposal_number") or {}
        title = (self.x.value("proposal_title") or "")[:200]
        session_words = self.x.value("session") or ""
        found = Proposal.objects.none()
        if number.get("normalized"):
            found = Proposal.objects.filter(
                session__body=self.body, number__in={number["normalized"], number["printed"]}
            )
            if session_words:
                found = found.filter(session__name__endswith=session_words) or found
            if number.get("year"):
                found = found.filter(session__year=number["year"]) or found
        proposal = found.select_related("session").order_by("pk").first()
        if proposal is None and title:
            proposal = self.find_by_title(title, members)
        if proposal:
            self.note("session", proposal.session, "matched")
            return self.note("proposal", proposal, "matched")
        return None

    def find_by_title(self, title, members):
        """Same subject, however the letter words it: 关于X的提案 = 关于“X”的提案 = 关于X建议."""
        core = title_core(title)
        if len(core) < 4:
            return None
        candidates = Proposal.objects.filter(session__body=self.body, title__contains=core[:20])
        if members:
            candidates = candidates.filter(lead=members[0])
        matches = [p for p in candidates.select_related("session")[:20] if title_core(p.title) == core]
        return matches[0] if len(matches) == 1 else None

    def register_proposal(self, members):
        number = self.x.value("proposal_number") or {}
        title = (self.x.value("proposal_title") or "")[:200]
        session = self.session(number, self.x.value("session") or "")
        serial = number.get("serial")
        if serial and Proposal.objects.filter(session=session, serial=serial).exists():
            serial = None
        proposal = Proposal.objects.register(
            session=session,
            lead=members[0],
            title=title or "（案由待核实）",
            cosigners=members[1:],
            serial=serial,
            number=number.get("normalized") or None,
            submitted_on=session.opens_on,
            status=ProposalStatus.REPLIED,
            by=self.user,
            verb=EventVerb.IMPORTED,
            note=f"由历史答复文件“{self.label}”导入，待核实。",
        )
        return self.note("proposal", proposal, "created")

    def year(self, number):
        if number.get("year"):
            return number["year"]
        if self.reply_date:
            return self.reply_date.year
        # No date on the letter: the latest year it mentions (a 2021 letter talks about 2021 and before).
        this_year = timezone.localdate().year
        mentioned = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", self.x.value("reply_body") or "")]
        return max([y for y in mentioned if y <= this_year], default=this_year)

    def session(self, number, words):
        year = self.year(number)
        if words:
            session = Session.objects.filter(body=self.body, name__endswith=words).order_by("-year").first()
            name = words
        else:
            candidates = list(Session.objects.filter(body=self.body, year=year)[:2])
            session = candidates[0] if len(candidates) == 1 else None
            name = f"{year}年{'政协' if self.body == Body.CPPCC else '人大'}历史答复导入"
            session = session or Session.objects.filter(name=name).first()
        if session:
            return self.note("session", session, "matched")
        printed = number.get("normalized", "")
        number_format = "第{serial}号"
        if "〔" in printed:
            number_format = printed.split("〔", 1)[0] + "〔{year}〕{serial}号"
        opens_on = datetime.date(year, 1, 1)
        session = Session.objects.create(
            body=self.body,
            name=name[:100],
            year=year,
            opens_on=opens_on,
            closes_on=opens_on,
            number_format=number_format,
        )
        return self.note("session", session, "created")

    # --- the unit's answer -------------------------------------------------------------

    def assignment(self, proposal, unit):
        assignment = Assignment.objects.filter(proposal=proposal, unit=unit).first()
        if assignment:
            return self.note("assignment", assignment, "matched")
        role = AssignmentRole.SEPARATE if proposal.has_lead() else AssignmentRole.LEAD
        # The letter is proof the unit answered; the draft reply waits for a person's review.
        # It was assigned by the date of the letter at the latest, and before any contact it tells of.
        known = [self.reply_date, *(datetime.date.fromisoformat(c["date"]) for c in self.x.value("contacts") or [])]
        assignment = proposal.assign(
            unit=unit,
            role=role,
            by=self.user,
            assigned_on=min([day for day in known if day] or [timezone.localdate()]),
            answered=True,
            note=f"由历史答复文件“{self.label}”导入：{unit.short_name}",
        )
        return self.note("assignment", assignment, "created")

    def draft_reply(self, assignment, proposal):
        title = self.x.value("reply_title") or ""
        paragraphs = reply_body.paragraphs_from_text(self.x.value("reply_body") or "")
        same = assignment.replies.all()
        if self.reply_date:
            same = same.filter(written_on=self.reply_date)
        elif title:
            same = same.filter(title=title)
        else:
            # Neither date nor title: the same letter starts with the same words.
            opening = re.sub(r"\s", "", reply_body.plain_text(paragraphs))[:60]  # as stored: normalised
            same = [r for r in same if opening and re.sub(r"\s", "", r.body).startswith(opening)]
            same = assignment.replies.filter(pk__in=[r.pk for r in same])
        reply = same.order_by("round").first()
        if reply:
            return self.note("reply", reply, "matched", status=reply.status)
        header = self.x.value("portal_header") or {}
        unit_info = self.x.value("unit") or {}
        closing = unit_info.get("closing", "")
        reply = Reply.objects.record_imported(
            assignment=assignment,
            by=self.user,
            doc_number=(self.x.value("doc_number") or header.get("发文字号", ""))[:60],
            title=(title or f"关于对《{proposal.title}》的答复")[:200],
            addressees=((self.x.value("addressees") or {}).get("line") or proposal.addressee_line())[:300],
            body=reply_body.plain_text(paragraphs)[:LETTER],
            body_paragraphs=paragraphs,
            result_class=self.x.value("result_class") or "",
            written_on=self.reply_date,
            closing_name=closing[:100] if closing and closing != assignment.unit.name else "",
            contact_person=(self.x.value("contact_person") or "")[:40],
            contact_phone=(self.x.value("contact_phone") or "")[:40],
            publication=PUBLICATION_WORDS.get(header.get("公开方式", ""), Publication.PUBLIC),
            index_number=header.get("索引号", "")[:60],
        )
        return self.note("reply", reply, "created", status=reply.status)

    def contacts(self, assignment):
        for contact in self.x.value("contacts") or []:
            date = datetime.date.fromisoformat(contact["date"])
            existing = ContactRecord.objects.filter(
                assignment=assignment, contacted_on=date, method=contact["method"]
            ).first()
            if existing:
                self.note("contacts", existing, "matched")
                continue
            try:
                record = ContactRecord.objects.log(
                    assignment=assignment,
                    by=self.user,
                    contacted_on=date,
                    method=contact["method"],
                    summary=contact["summary"][:SUMMARY],
                )
            except TransitionError:
                continue  # dated before the share it would belong to (or later than today): not a contact of it
            self.note("contacts", record, "created")

    def feedback(self, reply, members):
        form = self.x.value("feedback_form")
        if not form:
            return
        name = form.get("member") or members[0].name
        member = next((m for m in members if m.name == name), None) or self.member(name)
        existing = Feedback.objects.filter(reply=reply, member=member).first()
        if existing:
            self.note("feedback", existing, "matched")
            return
        methods = {str(label): value for value, label in ContactMethod.choices}
        effects = {str(label): value for value, label in HandlingEffect.choices}
        satisfactions = {str(label): value for value, label in Satisfaction.choices}
        ticked = {methods[label] for label in form["methods"] if label in methods}
        problems = list(form["conflicts"])
        for key, label in (("effects", "办理效果"), ("satisfaction", "办理评价")):
            if not form[key]:
                problems.append(f"“{label}”一项也没有勾选。")
        if not self.reply_date:
            problems.append("表上没有签名日期，答复函也没有成文日期。")
        publish = form["publish"]
        feedback = record_imported_form(
            reply=reply,
            member=member,
            answers={
                "by_visit": ContactMethod.VISIT in ticked,
                "by_meeting": ContactMethod.MEETING in ticked,
                "by_phone": ContactMethod.PHONE in ticked,
                "by_letter": ContactMethod.LETTER in ticked,
                "by_forum": ContactMethod.FORUM in ticked,
                "by_other": ContactMethod.OTHER in ticked,
                "handling_effect": effects.get(form["effects"][0], "") if len(form["effects"]) == 1 else "",
                "satisfaction": satisfactions.get(form["satisfaction"][0], "")
                if len(form["satisfaction"]) == 1
                else "",
                "publish_consent": {"是": True, "否": False}.get(publish[0]) if len(publish) == 1 else None,
                "opinion": form.get("opinion", "")[:SUMMARY],
                "needs_attention": " ".join(problems),
            },
            # The form carries no date of its own; it came back with the letter, so the letter's date stands in.
            signed_at=_aware(self.reply_date) if self.reply_date else None,
            by=self.user,
        )
        self.note("feedback", feedback, "created")


def title_core(title):
    """The subject of a proposal title without the wrapping words and quotes."""
    core = re.sub(r"[《》“”\"'「」\s]", "", title)
    core = re.sub(r"^关于(对)?", "", core)
    return re.sub(r"(的)?(提案|建议|议案)$", "", core)


def _aware(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(12)))


# --- review ------------------------------------------------------------------------------

# Deleted in this order when a person refuses an import: dependants first.
UNDO_ORDER = [
    "feedback.feedback",
    "replies.cohandlingopinion",
    "replies.contactrecord",
    "replies.reply",
    "proposals.assignment",
    "proposals.proposal",
    "proposals.member",
    "proposals.handlingunit",
    "proposals.session",
]


def refuse_import(*, document, user, reason):
    """A person says this is not a reply (or not worth keeping): remove what the import created."""
    from django.apps import apps

    with transaction.atomic():
        kept = []
        for label in UNDO_ORDER:
            model = apps.get_model(label)
            for pk in document.created_records.get(label, []):
                obj = model.objects.filter(pk=pk).first()
                if obj is None:
                    continue
                if label == "replies.reply" and obj.status != ReplyStatus.DRAFT:
                    kept.append(str(obj))
                    continue
                try:
                    with transaction.atomic():
                        obj.delete()
                except (ProtectedError, IntegrityError):
                    kept.append(str(obj))  # something else uses it now, or it is sealed: leave it
        document.status = ImportStatus.REFUSED
        document.refusal_reason = reason
        document.reviewed_by = user
        document.reviewed_at = timezone.now()
        document.reply = None
        document.opinion = None
        document.proposal = None
        document.created_records = {}
        document.save()
    return kept


def confirm_import(*, document, user):
    document.status = ImportStatus.CONFIRMED
    document.reviewed_by = user
    document.reviewed_at = timezone.now()
    document.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    if document.proposal_id:
        Event.record(proposal=document.proposal, verb=EventVerb.IMPORT_CONFIRMED, actor=user, note=document.file_name)


def field_is_missing(document, name):
    return document.field(name).get("confidence") == MISSING


def created_by_import(document, obj):
    """Whether this import created `obj` (only those records may be corrected from the review page)."""
    return obj is not None and obj.pk in document.created_records.get(obj._meta.label_lower, [])


def apply_corrections(*, document, data, user):
    """Write a reviewer's corrections into the records the import created (never into issued ones)."""
    from .extract import parse_addressees

    reply, proposal = document.reply, document.proposal
    changed = []
    with transaction.atomic():
        if proposal is not None and created_by_import(document, proposal):
            if proposal.title != data["proposal_title"] or (
                data["proposal_number"] and proposal.number != data["proposal_number"]
            ):
                proposal.title = data["proposal_title"]
                proposal.number = data["proposal_number"] or proposal.number
                proposal.save(update_fields=["title", "number"])
                similar.index([proposal])  # the corrected title is what similar proposals are found by
                changed.append("案由/编号")
            names = [p for p in parse_addressees(data["addressees"])["people"]]
            current = [m.name for m in proposal.members_in_order]
            if [p["name"] for p in names] != current:
                members = []
                for person in names:
                    member = (
                        Member.objects.filter(body=proposal.session.body, name=person["name"]).order_by("pk").first()
                    )
                    if member is None:
                        member = Member.objects.create(
                            body=proposal.session.body,
                            name=person["name"][:100],
                            kind=MemberKind.ORGANISATION if person["kind"] == "organisation" else MemberKind.PERSON,
                        )
                        document.created_records.setdefault("proposals.member", []).append(member.pk)
                    if member not in members:
                        members.append(member)
                proposal.lead = members[0]
                proposal.save(update_fields=["lead"])
                proposal.cosigner_links.all().delete()
                for position, member in enumerate(members[1:], start=1):
                    proposal.cosigner_links.create(member=member, position=position)
                changed.append("主送")
        if reply is not None:
            assignment = reply.assignment
            if created_by_import(document, assignment) and assignment.unit_id != data["unit"].pk:
                assignment.unit = data["unit"]
                assignment.save(update_fields=["unit"])
                changed.append("承办单位")
            if reply.status == ReplyStatus.DRAFT:
                updates = {
                    "title": data["reply_title"],
                    "doc_number": data["doc_number"],
                    "addressees": data["addressees"],
                    "written_on": data["written_on"],
                    "result_class": data["result_class"],
                    "contact_person": data["contact_person"],
                    "contact_phone": data["contact_phone"],
                    "body": data["body"],
                }
                dirty = [name for name, value in updates.items() if getattr(reply, name) != value]
                for name in dirty:
                    setattr(reply, name, updates[name])
                if dirty:
                    reply.save(update_fields=[*dirty, "updated_at"])
                    changed.append("答复函")
        if changed and document.proposal_id:
            Event.record(
                proposal=document.proposal,
                verb=EventVerb.IMPORT_CORRECTED,
                actor=user,
                note="更正了：{}".format("、".join(changed)),
            )
        document.save(update_fields=["created_records"])
    return changed


# --- co-handling opinions ------------------------------------------------------------------


def import_opinion(*, file_name, sha256, text, encoding, extraction, user, dry_run=False):
    """A co-handling unit's opinion (会办意见/协办意见) to the lead unit: recorded as the opinion of
    the co-handling assignment, never as a reply to the members."""
    fields = extraction.as_json()
    if user is None:
        return Outcome(
            file_name,
            sha256,
            "error",
            _("这是一份会办意见；导入会办意见须记下导入人，请指定一个账号（命令行用 --user）。"),
            encoding,
            fields,
        )
    try:
        with transaction.atomic():
            builder = RecordBuilder(extraction, user=user, label=file_name, sha256=sha256)
            proposal = builder.proposal = builder.find_proposal([])
            if proposal is None:
                proposal = builder.proposal = builder.register_proposal([builder.placeholder_member()])
            unit = _opinion_unit(builder, proposal)
            lead_name = next(iter((extraction.value("addressees") or {}).get("people", [])), {}).get("name", "")
            lead = _lead_unit(proposal, lead_name)
            if lead is not None:
                builder.note("lead_unit", lead, "matched")
            assignment, opinion = _record_opinion(builder, proposal, unit, extraction, file_name)
            outcome = Outcome(
                file_name, sha256, "would_import" if dry_run else "imported", "", encoding, fields, builder.records
            )
            if dry_run:
                transaction.set_rollback(True)
                outcome.message = _("试运行：识别为会办意见，未写入任何记录。")
                return outcome
            outcome.document = ImportedDocument.objects.create(
                file_name=file_name[:255],
                sha256=sha256,
                encoding=encoding,
                source_text=text,
                extracted=fields,
                body=builder.body,
                status=ImportStatus.NEEDS_REVIEW,
                kind=DocumentKind.OPINION,
                proposal=proposal,
                opinion=opinion,
                records=builder.records,
                created_records=builder.created,
                uploaded_by=user,
            )
            outcome.message = _("已导入为会办意见（送主办单位的意见，不是答复函），请核实。")
    except TransitionError as error:
        return Outcome(file_name, sha256, "error", str(error), encoding, fields)
    except IntegrityError:
        # Another upload of the same bytes won the race.
        existing = ImportedDocument.objects.filter(sha256=sha256).first()
        if existing is None:
            raise
        return Outcome(
            file_name,
            sha256,
            "already_imported",
            _("该文件已导入过，本次未新建任何记录。"),
            fields=existing.extracted,
            document=existing,
        )
    return outcome


def _record_opinion(builder, proposal, unit, extraction, file_name):
    """The co-handling share and its opinion, through the workflow's own steps (交办, 签收, 会办意见)."""
    user, on = builder.user, builder.reply_date or timezone.localdate()
    body = extraction.value("reply_body") or ""
    assignment = Assignment.objects.filter(proposal=proposal, unit=unit).first()
    if assignment is None:
        assignment = proposal.assign(
            unit=unit,
            role=AssignmentRole.CO,
            by=user,
            assigned_on=on,
            note=f"由历史会办意见“{file_name}”导入：{unit.short_name}",
        )
        builder.note("assignment", assignment, "created")
    else:
        builder.note("assignment", assignment, "matched")
        opinion = assignment.co_opinions.filter(body=body).first()
        if opinion is not None:
            return assignment, builder.note("opinion", opinion, "matched")
    if assignment.status == AssignmentStatus.PENDING:
        assignment.sign_for(by=user, on=on)
    opinion = CoHandlingOpinion.objects.give(
        assignment=assignment,
        by=user,
        body=body,
        contact_person=(extraction.value("contact_person") or "")[:40],
        contact_phone=(extraction.value("contact_phone") or "")[:40],
        at=_aware(builder.reply_date) if builder.reply_date else None,
    )
    return assignment, builder.note("opinion", opinion, "created")


def _opinion_unit(builder, proposal):
    """The unit that wrote the opinion; a placeholder when the letter does not say (never the lead unit)."""
    if (builder.x.value("unit") or {}).get("name"):
        return builder.unit(proposal)
    unit, created = HandlingUnit.objects.get_or_create(
        name=PLACEHOLDER_UNIT[0], defaults={"short_name": PLACEHOLDER_UNIT[1]}
    )
    return builder.note("unit", unit, "created" if created else "matched", placeholder=True)


def _lead_unit(proposal, name):
    """The lead unit the opinion is addressed to: the proposal's own lead when it has one, else by name."""
    if not name:
        return None
    lead = proposal.assignments.filter(role=AssignmentRole.LEAD).select_related("unit").first()
    if lead is not None:
        return lead.unit
    matches = list(
        HandlingUnit.objects.filter(
            models.Q(name=name) | models.Q(short_name=name) | models.Q(letterhead=name) | models.Q(name__endswith=name)
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None
