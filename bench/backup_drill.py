"""Backup and restore drill: back up a demo database and its files, restore them elsewhere, compare.

    python bench/backup_drill.py                 # SQLite (the embedded default)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/banli python bench/backup_drill.py
    make backup-drill                            # both, PostgreSQL when a server answers

What it does, as an operator would:
1. builds a fresh demo database (migrate, load_demo --volume N) in a scratch place: a temporary
   SQLite file, or the PostgreSQL database `<name>_drill` beside the one named in DATABASE_URL
   (which is never touched), and stores a sealed scan on some replies;
2. backs it up with the engine's own tool (SQLite's online backup API; `pg_dump -Fc`) and the
   media directory as a tar archive;
3. restores both into a fresh database (`<name>_drill_restored`) and a fresh media directory;
4. compares every table's row count and a digest of its rows, every file's SHA-256, and that
   every file field in the restored database points to a file that exists; prints the result
   and exits 1 on any difference.
"""

import argparse
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(root):
    root = Path(root)
    return {str(p.relative_to(root)): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def pg_args(config):
    args = ["-h", config["HOST"] or "127.0.0.1", "-p", str(config["PORT"] or 5432), "-U", config["USER"] or "postgres"]
    return args


def pg_env(config):
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return env


def plain_members(tar):
    """The archive's plain files and folders that stay inside the target: what the "data"
    extraction filter keeps, which Python has from 3.11.4 (Debian's 3.11 predates it)."""
    return [
        m
        for m in tar.getmembers()
        if (m.isfile() or m.isdir()) and not Path(m.name).is_absolute() and ".." not in Path(m.name).parts
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", type=int, default=300, help="synthetic proposals added to the demo (default 300)")
    parser.add_argument("--scans", type=int, default=20, help="replies that get a sealed scan file (default 20)")
    parser.add_argument(
        "--sabotage",
        action="store_true",
        help="lose one restored file and alter one restored row, to see the drill fail",
    )
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="banli-drill-"))
    media, restored_media = scratch / "media", scratch / "media-restored"
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url:
        import dj_database_url

        server = dj_database_url.parse(database_url)
        drill_db, restored_db = f"{server['NAME']}_drill", f"{server['NAME']}_drill_restored"
        os.environ["DATABASE_URL"] = database_url.rsplit("/", 1)[0] + "/" + drill_db
    else:
        os.environ["BANLI_SQLITE_PATH"] = str(scratch / "demo.sqlite3")
    os.environ["BANLI_MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    if database_url:
        # A fresh drill database every time; the restored one is recreated below.
        for name in (drill_db, restored_db):
            subprocess.run(
                ["dropdb", "--if-exists", *pg_args(server), name], check=True, env=pg_env(server), capture_output=True
            )
        subprocess.run(["createdb", *pg_args(server), drill_db], check=True, env=pg_env(server))

    import django

    django.setup()
    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connections, models

    from proposals.files import save_with_file
    from replies.models import Reply

    engine = "PostgreSQL" if database_url else "SQLite"
    timings = {}

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_demo", volume=args.volume, stdout=io.StringIO())
    seeds = sorted((ROOT / "demo" / "seeds").glob("*.txt"))
    for i, reply in enumerate(Reply.objects.order_by("pk")[: args.scans]):
        content = seeds[i % len(seeds)].read_bytes() + f"\n-- 盖章扫描件 {reply.pk}\n".encode()
        save_with_file(reply, "sealed_scan", ContentFile(content, name=f"scan-{reply.pk}.pdf"))
    timings["build demo"] = time.monotonic() - started

    # --- back up -----------------------------------------------------------------------
    started = time.monotonic()
    default = connections["default"].settings_dict
    if database_url:
        dump = scratch / "banli.dump"
        subprocess.run(
            ["pg_dump", "-Fc", *pg_args(default), "-d", default["NAME"], "-f", str(dump)],
            check=True,
            env=pg_env(default),
        )
    else:
        dump = scratch / "backup.sqlite3"
        connections["default"].close()
        source, target = sqlite3.connect(default["NAME"]), sqlite3.connect(dump)
        source.backup(target)  # the online backup API: consistent even while the app writes
        source.close()
        target.close()
    archive = scratch / "media.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(media, arcname="media")
    timings["back up"] = time.monotonic() - started

    # --- restore into a fresh database and media directory ------------------------------
    started = time.monotonic()
    restored = dict(default)
    if database_url:
        restored["NAME"] = restored_db
        subprocess.run(["createdb", *pg_args(default), restored["NAME"]], check=True, env=pg_env(default))
        subprocess.run(
            ["pg_restore", "--no-owner", *pg_args(default), "-d", restored["NAME"], str(dump)],
            check=True,
            env=pg_env(default),
        )
    else:
        restored["NAME"] = str(scratch / "restored.sqlite3")
        shutil.copyfile(dump, restored["NAME"])
    connections.settings["restored"] = restored
    with tarfile.open(archive) as tar:
        tar.extractall(scratch / "unpacked", members=plain_members(tar))
    (scratch / "unpacked" / "media").rename(restored_media)
    if args.sabotage:
        next(p for p in sorted(restored_media.rglob("*")) if p.is_file()).unlink()
        # A draft: an issued reply refuses any change (its trigger is restored with the database).
        drafts = Reply.objects.using("restored").exclude(status="issued")
        Reply.objects.using("restored").filter(pk=drafts.order_by("-pk")[0].pk).update(title="改动")
    timings["restore"] = time.monotonic() - started

    # --- compare ----------------------------------------------------------------------------
    started = time.monotonic()
    problems = []
    total_rows = 0
    print(f"Backup drill on {engine} ({scratch})")
    print(f"{'table':<40}{'rows':>8}{'restored':>10}  rows equal")
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table = model._meta.db_table
        source = model._default_manager.using("default").order_by("pk")
        copy = model._default_manager.using("restored").order_by("pk")
        n, m = source.count(), copy.count()
        same = digest_rows(source) == digest_rows(copy)
        total_rows += n
        print(f"{table:<40}{n:>8}{m:>10}  {'yes' if same else 'NO'}")
        if n != m or not same:
            problems.append(f"{table}: {n} rows backed up, {m} restored, rows equal: {same}")

    before, after = file_hashes(media), file_hashes(restored_media)
    mismatched = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    problems += [f"file differs or is missing: {name}" for name in mismatched]
    missing = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names = (
                    model._default_manager.using("restored")
                    .exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                )
                missing += [name for name in names if not (restored_media / name).is_file()]
    problems += [f"row points to a missing file: {name}" for name in missing]
    timings["compare"] = time.monotonic() - started

    print(
        f"files: {len(before)} backed up, {len(after)} restored, {len(mismatched)} differ; rows pointing to missing files: {len(missing)}"
    )
    print(
        f"sizes: database backup {dump.stat().st_size / 1e6:.1f} MB, media archive {archive.stat().st_size / 1e6:.1f} MB"
    )
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    connections.close_all()
    if database_url and not problems:
        for name in (drill_db, restored_db):
            subprocess.run(["dropdb", *pg_args(server), name], check=True, env=pg_env(server))
    if problems:
        print(f"DRILL FAILED (the scratch copies are kept in {scratch}):")
        for problem in problems:
            print("  " + problem)
        return 1
    print(f"DRILL PASSED: all {total_rows} rows and {len(before)} files match after the restore.")
    shutil.rmtree(scratch)
    return 0


def digest_rows(queryset):
    digest = hashlib.sha256()
    for row in queryset.values_list().iterator(chunk_size=2000):
        digest.update(repr(row).encode())
    return digest.hexdigest()


if __name__ == "__main__":
    sys.exit(main())
