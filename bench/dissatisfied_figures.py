"""The dashboard's figures of the demo data before and after one member's 不满意.

    python bench/dissatisfied_figures.py [--tree PATH]

In a fresh process on a scratch SQLite database: migrate, load_demo, read the dashboard's
figures (supervision.stats.figures, as the 督查室 sees them: every body), then submit a 不满意
feedback form through the write path (feedback.services.submit_online, as the member's page
does) on the first issued reply still waiting for its member's form, preferring one that was
late, and read the figures again. A member's dissatisfaction starts a 重办 round; it should not
change whether the first reply was on time. --tree runs another checkout's code (e.g. an older
version) the same way.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import base64, io, json, os, sys
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from django.core.management import call_command
from django.db.models import F, Q
from PIL import Image, ImageDraw
call_command("migrate", verbosity=0)
call_command("load_demo", stdout=io.StringIO())
from feedback.forms import OnlineFeedbackForm
from feedback.services import submit_online
from replies.models import Reply
from supervision import stats

KEYS = ["assigned", "replied", "on_time", "on_time_rate", "dissatisfied", "overdue", "due_soon"]

def figures(reply):
    whole = stats.figures(Q(), today=None)
    session = stats.figures(Q(proposal__session=reply.assignment.proposal.session))
    return {"all": {k: whole["summary"][k] for k in KEYS}, "session": {k: session["summary"][k] for k in KEYS}}

waiting = (
    Reply.objects.issued().exclude(feedback__submitted_at__isnull=False)
    .select_related("assignment__proposal__lead", "assignment__proposal__session")
)
late = waiting.filter(assignment__first_reply_on__gt=F("assignment__due_on")).order_by("pk").first()
reply = late or waiting.order_by("pk").first()
assignment = reply.assignment
before = figures(reply)
due_before = str(assignment.due_on)
image = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
ImageDraw.Draw(image).line([(20, 100), (120, 30), (220, 110), (380, 40)], fill=(0, 0, 0, 255), width=4)
png = io.BytesIO(); image.save(png, format="PNG")
form = OnlineFeedbackForm(data={
    "methods": ["phone"], "other_method": "", "handling_effect": "later", "satisfaction": "dissatisfied",
    "publish_consent": "no", "opinion": "答复没有回应核心诉求。",
    "signature_data": "data:image/png;base64," + base64.b64encode(png.getvalue()).decode(),
})
assert form.is_valid(), form.errors
submit_online(reply=reply, member=assignment.proposal.lead, form=form, by=assignment.proposal.lead.user)
from django.core.cache import cache
cache.clear()
assignment.refresh_from_db()
after = figures(reply)
print(json.dumps({
    "reply": f"{assignment.proposal.number} {assignment.unit.short_name} ({assignment.proposal.session.name})",
    "first_reply_on": str(assignment.first_reply_on), "due_before": due_before, "due_after": str(assignment.due_on),
    "before": before, "after": after,
}, ensure_ascii=False))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", default=str(ROOT))
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="banli-dissatisfied-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANLI_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(BANLI_SQLITE_PATH=str(scratch / "db.sqlite3"), BANLI_MEDIA_ROOT=str(scratch / "media"))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, args.tree], cwd=args.tree, env=env, capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(f"code of {args.tree}")
    print(f"不满意 on {result['reply']}: first reply {result['first_reply_on']}, ", end="")
    print(f"deadline in force {result['due_before']} → {result['due_after']}")
    print(f"{'figure':<16}{'all: before':>12}{'after':>10}{'session: before':>18}{'after':>10}")
    for key in result["before"]["all"]:
        row = [result[when][scope][key] for scope in ("all", "session") for when in ("before", "after")]
        print(f"{key:<16}" + "".join(f"{str(v):>{w}}" for v, w in zip(row, (12, 10, 18, 10), strict=True)))


if __name__ == "__main__":
    main()
