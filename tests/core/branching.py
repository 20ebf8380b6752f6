"""A pipeline written only as SQL files and a spec without `after:`: two independent
branches (orders, users) that join again in a report. Listed in an order that means
nothing (the report first). Used by the graph tests and the DAG tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

FILES = {
    "report.sql": """
        -- @param run_date date
        UNLOAD ('SELECT o.n, u.n FROM mart.order_totals o CROSS JOIN mart.user_totals u')
        TO 's3://acme-reports/daily/run_date=${run_date}/' IAM_ROLE default;
    """,
    "user_totals.sql": """
        CREATE TABLE IF NOT EXISTS mart.user_totals (n bigint);
        INSERT INTO mart.user_totals SELECT count(*) FROM stage.users;
    """,
    "load_orders.sql": """
        CREATE TABLE IF NOT EXISTS stage.orders (id int);
        CREATE TEMP TABLE incoming (id int);
        INSERT INTO incoming SELECT 1;
        INSERT INTO stage.orders SELECT id FROM incoming;
    """,
    "order_totals.sql": """
        CREATE TABLE IF NOT EXISTS mart.order_totals (n bigint);
        INSERT INTO mart.order_totals SELECT count(*) FROM stage.orders;
    """,
    "load_users.sql": """
        CREATE TABLE IF NOT EXISTS stage.users (id int);
        CREATE TEMP TABLE incoming (id int);
        INSERT INTO stage.users SELECT 2;
    """,
}
STEPS = ("report", "user_totals", "load_orders", "order_totals", "load_users")
EDGES = {
    ("load_orders", "order_totals"),
    ("load_users", "user_totals"),
    ("order_totals", "report"),
    ("user_totals", "report"),
}


def write_pipeline(directory: Path, name: str = "branching", extra_steps: str = "") -> Path:
    """The pipeline's directory, with its spec; `extra_steps` is YAML appended to `steps:`."""
    directory.mkdir(parents=True, exist_ok=True)
    for file, text in FILES.items():
        (directory / file).write_text(textwrap.dedent(text).lstrip())
    steps = "".join(
        f"  - id: {step}\n    file: {step}.sql\n    description: The {step} step.\n"
        + ("    params: [run_date]\n" if step == "report" else "")
        for step in STEPS
    )
    (directory / "pipeline.yaml").write_text(
        f"name: {name}\nstart_date: 2026-01-01\n"
        "params:\n  run_date: {type: date, from: data_interval_start}\n"
        f"steps:\n{steps}{extra_steps}"
    )
    return directory / "pipeline.yaml"
