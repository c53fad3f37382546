"""Geometry for the dashboard's two SVG charts, computed here so the templates only draw.

No JavaScript and no CDN: the server hands the template rectangles and labels.
"""

from django.utils.translation import gettext as _

BAR_HEIGHT = 20
BAR_GAP = 8
LABEL_WIDTH = 110
CHART_WIDTH = 460


def unit_bars(rows, limit=15):
    """Horizontal bars: each unit's lead (主办/分办) 办复率 and 按期办复率, busiest units first."""
    answering = {}
    for row in rows:
        if row["role"] == "co":
            continue
        agg = answering.setdefault(row["unit_id"], {"unit": row["unit"], "assigned": 0, "replied": 0, "on_time": 0})
        for key in ("assigned", "replied", "on_time"):
            agg[key] += row[key]
    units = sorted(answering.values(), key=lambda u: -u["assigned"])[:limit]
    plot = CHART_WIDTH - LABEL_WIDTH - 72
    bars = []
    for i, u in enumerate(units):
        y = i * (BAR_HEIGHT + BAR_GAP)
        replied = u["replied"] / u["assigned"] if u["assigned"] else 0
        on_time = u["on_time"] / u["assigned"] if u["assigned"] else 0
        bars.append(
            {
                "unit": u["unit"],
                "y": y,
                "text_y": y + BAR_HEIGHT - 4,
                "replied_width": round(plot * replied, 1),
                "on_time_width": round(plot * on_time, 1),
                "label_x": LABEL_WIDTH + round(plot * replied, 1) + 4,
                "replied_pct": round(100 * replied, 1),
                "on_time_pct": round(100 * on_time, 1),
                "assigned": u["assigned"],
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(bars) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "plot_width": plot,
    }


def timeline_bars(months):
    """Per month: a grey bar for what fell due, a stacked bar for replies sent (on time, late)."""
    height, top, bottom = 200, 10, 30
    slot = 40
    width = max(len(months) * slot + 66, 200)
    peak = max([m["due"] for m in months] + [m["on_time"] + m["late"] for m in months] + [1])
    scale = (height - top - bottom) / peak
    base = height - bottom
    columns = []
    for i, m in enumerate(months):
        x = 56 + i * slot
        due_h = round(m["due"] * scale, 1)
        on_time_h = round(m["on_time"] * scale, 1)
        late_h = round(m["late"] * scale, 1)
        columns.append(
            {
                "label": m["month"].strftime("%y.%m"),
                "title": _("%(month)s：到期 %(due)s 件，按期答复 %(on_time)s 件，逾期答复 %(late)s 件")
                % {"month": m["month"].strftime("%Y-%m"), "due": m["due"], "on_time": m["on_time"], "late": m["late"]},
                "x": x,
                "due_y": base - due_h,
                "due_h": due_h,
                "reply_x": x + 15,
                "on_time_y": base - on_time_h,
                "on_time_h": on_time_h,
                "late_y": base - on_time_h - late_h,
                "late_h": late_h,
                "text_x": x + 14,
            }
        )
    return {"columns": columns, "width": width, "height": height, "base": base, "peak": peak, "axis_y": top}
