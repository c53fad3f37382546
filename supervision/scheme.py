"""The shape of a unit scoring scheme (supervision.ScoringScheme.rules): its groups, items,
default rules and the check a scheme passes before it is saved. No models here, so the model
can check itself without importing the scoring queries."""

from django.utils.translation import gettext_lazy as _

LEAD, CO = "lead", "co"
GROUPS = {LEAD: _("主办"), CO: _("会办")}
RATES = {
    "on_time": _("按期办复"),
    "contact": _("见面/沟通"),
    "satisfaction": _("满意度"),
    "commitments": _("承诺兑现"),
}
DEDUCTIONS = {
    "escalations": _("督办扣分"),
    "elements": _("答复要件缺失扣分"),
}

DEFAULT_RULES = {
    LEAD: {
        "on_time": {"points": 30},
        "contact": {"points": 20},
        "satisfaction": {"points": 30, "basically": 0.8},
        "commitments": {"points": 20},
        "escalations": {"per": 2, "max": 10},
        "elements": {"per": 1, "max": 5},
    },
    CO: {
        "on_time": {"points": 60},
        "contact": {"points": 20},
        "satisfaction": {"points": 0, "basically": 0.8},
        "commitments": {"points": 20},
        "escalations": {"per": 2, "max": 10},
        "elements": {"per": 0, "max": 0},
    },
}


def validate_rules(rules):
    """The problems of a scheme's rules (empty when it may be used): every group, every rule, numbers in range."""
    problems = []
    if not isinstance(rules, dict):
        return [_("考评规则须为 JSON 对象。")]
    for group in GROUPS:
        g = rules.get(group)
        if not isinstance(g, dict):
            problems.append(_("缺少“%(group)s”的规则。") % {"group": group})
            continue
        for key in RATES:
            points = (g.get(key) or {}).get("points") if isinstance(g.get(key), dict) else None
            if not isinstance(points, int | float) or not 0 <= points <= 100:
                problems.append(_("%(group)s.%(key)s.points 须为 0–100 的数。") % {"group": group, "key": key})
        basically = (g.get("satisfaction") or {}).get("basically", 1) if isinstance(g.get("satisfaction"), dict) else 1
        if not isinstance(basically, int | float) or not 0 <= basically <= 1:
            problems.append(_("%(group)s.satisfaction.basically 须为 0–1 的数。") % {"group": group})
        for key in DEDUCTIONS:
            rule = g.get(key)
            ok = isinstance(rule, dict) and all(
                isinstance(rule.get(n), int | float) and 0 <= rule.get(n) <= 100 for n in ("per", "max")
            )
            if not ok:
                problems.append(_("%(group)s.%(key)s 须有 0–100 的 per 和 max。") % {"group": group, "key": key})
    return problems
