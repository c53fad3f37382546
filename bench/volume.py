"""How long `load_demo --volume N` takes on a fresh database.

    .venv/bin/python bench/volume.py [N]            # SQLite in a temporary file
    DATABASE_URL=postgres://... .venv/bin/python bench/volume.py [N]

Prints the wall time and the row counts it produced.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        if not env.get("DATABASE_URL"):
            env["BANLI_SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        else:
            subprocess.run([PY, "manage.py", "flush", "--noinput"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [PY, "manage.py", "load_demo", "--volume", str(count)], cwd=ROOT, env=env, check=True, capture_output=True
        )
        elapsed = time.perf_counter() - started
        counts = (
            subprocess.run(
                [
                    PY,
                    "manage.py",
                    "shell",
                    "-c",
                    "from proposals.models import Proposal, Assignment; from replies.models import Reply; "
                    "from feedback.models import Feedback; "
                    "print(Proposal.objects.count(), Assignment.objects.count(), Reply.objects.count(), "
                    "Feedback.objects.count())",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.splitlines()[-1]
            .split()
        )
    backend = "postgresql" if env.get("DATABASE_URL") else "sqlite"
    print(f"backend={backend} volume={count} seconds={elapsed:.1f} rows_per_second={count / elapsed:.0f}")
    print(f"proposals={counts[0]} assignments={counts[1]} replies={counts[2]} feedback={counts[3]}")


if __name__ == "__main__":
    main()
