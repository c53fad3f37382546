"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (trust auth)."""

import os

import dj_database_url
import psycopg
from psycopg import sql

config = dj_database_url.parse(os.environ["DATABASE_URL"])
params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
if config["PASSWORD"]:
    params["password"] = config["PASSWORD"]
with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        print(f"Created database {config['NAME']}")
