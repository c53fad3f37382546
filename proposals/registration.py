"""What the registration form and the Excel import share, so both treat a name the same way.

Members are named by their name alone, or, where the body has several members of that name, as
"姓名（界别）" (the form's search offers exactly these labels). An unknown name is refused by
both; only the import may create one, and only on a row that asks for it.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Member, MemberKind, Session

SPLIT = re.compile(r"[、，,；;\n]+")
QUALIFIED = re.compile(r"^(?P<name>.+?)\s*[（(]\s*(?P<group>[^（）()]+?)\s*[）)]$")
SEARCH_LIMIT = 20


def split_names(text):
    """The names of a 联名人 cell or field, in the order written."""
    return [name.strip() for name in SPLIT.split(text or "") if name.strip()]


@dataclass
class Resolved:
    """Names matched to members: `members` in order; what could not be matched is listed by name."""

    matches: list = field(default_factory=list)  # [(name, member or None)] in the order written
    unknown: list = field(default_factory=list)
    ambiguous: list = field(default_factory=list)

    @property
    def members(self):
        return [member for _name, member in self.matches if member is not None]

    @property
    def ok(self):
        return not self.unknown and not self.ambiguous

    def messages(self):
        """The same Chinese sentences on the form and in the import preview."""
        errors = []
        if self.unknown:
            errors.append(_("找不到这些代表委员：%(names)s。") % {"names": "、".join(self.unknown)})
        if self.ambiguous:
            errors.append(
                _("有同名的代表委员，请写明界别，如“%(example)s（界别）”：%(names)s。")
                % {"example": self.ambiguous[0], "names": "、".join(self.ambiguous)}
            )
        return errors


def resolve(body, names):
    """Match each name (or "姓名（界别）") to one member of the body; never guesses between namesakes.

    An exact name wins over reading a trailing bracket as the 界别, since organisations' names
    carry brackets of their own (市工商联（总商会）).
    """
    wanted = set()
    for name in names:
        wanted.add(name)
        qualified = QUALIFIED.match(name)
        if qualified:
            wanted.add(qualified["name"])
    by_name = {}
    for member in Member.objects.filter(body=body, name__in=wanted).order_by("pk"):
        by_name.setdefault(member.name, []).append(member)
    result = Resolved()
    for name in names:
        candidates = by_name.get(name, [])
        if not candidates and (qualified := QUALIFIED.match(name)):
            candidates = [m for m in by_name.get(qualified["name"], []) if m.group == qualified["group"]]
        result.matches.append((name, candidates[0] if len(candidates) == 1 else None))
        if len(candidates) > 1:
            result.ambiguous.append(name)
        elif not candidates:
            result.unknown.append(name)
    return result


def order_errors(lead, cosigners):
    """A co-signer listed twice, or the lead listed again among the co-signers."""
    errors = []
    keys = [member.pk or member.name for member in cosigners]
    if len(set(keys)) != len(keys):
        errors.append(_("联名人有重复。"))
    if lead is not None and any(member == lead if lead.pk else member.name == lead.name for member in cosigners):
        errors.append(_("领衔人不必再列为联名人。"))
    return errors


def search(members, query):
    """Members whose name, 界别 or work unit contains `query`, each with the label that names it uniquely."""
    found = list(
        members.filter(Q(name__icontains=query) | Q(group__icontains=query) | Q(work_unit__icontains=query))
        .order_by("name", "group")
        .only("name", "group", "work_unit", "kind", "body")[:SEARCH_LIMIT]
    )
    shared = set(
        Member.objects.filter(name__in={m.name for m in found})
        .values("body", "name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("body", "name")
    )
    return [
        {
            "value": label(member, shared=(member.body, member.name) in shared),
            "name": member.name,
            "group": member.group,
            "work_unit": member.work_unit,
            "organisation": member.kind == MemberKind.ORGANISATION,
        }
        for member in found
    ]


def label(member, *, shared):
    """How a form or a sheet names the member: "姓名", or "姓名（界别）" when others share the name."""
    if shared and member.group:
        return f"{member.name}（{member.group}）"
    return member.name


def choice_label(member, *, bodies):
    """A member in a list to choose from: namesakes told apart by 界别, the body named when there are two."""
    text = f"{member.name}（{member.group}）" if member.group else member.name
    if len(bodies) > 1:
        text = f"{text} · {member.get_body_display()}"
    return text


def current_session(bodies, today=None):
    """The session an office is registering for: the latest that has opened, else the next to open."""
    today = today or timezone.localdate()
    sessions = Session.objects.filter(body__in=bodies)
    return (
        sessions.filter(opens_on__lte=today).order_by("-opens_on", "-pk").first()
        or sessions.order_by("opens_on", "pk").first()
    )
