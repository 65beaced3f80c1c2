"""Exit 0 when the PostgreSQL server in the URL (argv[1]) accepts connections."""

import sys

import dj_database_url
import psycopg

cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"],
        password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=3,
    ).close()
except psycopg.Error as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
