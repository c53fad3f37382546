"""The backup drill (bench/backup_drill.py) restores every row and file, and notices what was lost.

It runs on the database of this test run: SQLite's backup API in the SQLite pass, pg_dump and
pg_restore (into `<name>_drill*` beside the test database) in the PostgreSQL pass.

One run with `--sabotage`: after the restore the drill deletes one restored file and alters one
restored reply, so the run must report exactly those two losses and nothing else.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_drill_restores_everything_except_what_was_sabotaged_and_says_so():
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_") and k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "bench/backup_drill.py", "--volume", "0", "--scans", "3", "--sabotage"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    scratch = out.split("kept in ")[1].split(")")[0]
    shutil.rmtree(scratch)
    if os.environ.get("DATABASE_URL"):
        assert "Backup drill on PostgreSQL" in out
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
        for db in (f"{name}_drill", f"{name}_drill_restored"):  # kept by a failed drill for inspection
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", db], capture_output=True)

    # The 3 sealed scans asked for, besides the demo's own signatures and paper scans: one file is
    # sabotaged, the rest come back.
    files = re.search(r"files: (\d+) backed up, (\d+) restored, 1 differ; rows pointing to missing files: 1", out)
    assert files, out
    backed_up, restored = int(files[1]), int(files[2])
    assert backed_up >= 3 and restored == backed_up - 1
    problems = out.split("DRILL FAILED")[1].splitlines()[1:]
    assert len(problems) == 3, problems
    assert problems[0].strip().startswith("replies_reply: ")
    tables = [line for line in out.splitlines() if line.endswith((" yes", " NO"))]
    assert len(tables) > 20
    assert [line.split()[0] for line in tables if line.endswith(" NO")] == ["replies_reply"]
