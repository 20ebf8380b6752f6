"""The local stack's pre-connect check: classifying (and translating) every statement of a
5 MB Redshift-dialect file, against splitting the same file, in the same process.

Two files: one of statements that need no translation (what most pipeline SQL is) and one
that mixes in Redshift-only syntax and functions (DATEADD, NVL, DECODE, LISTAGG, #temp
tables, DISTKEY/SORTKEY, UNLOAD); TOP/QUALIFY (sqlglot) on their own. Reported per
statement, by kind, as ratios to the splitter alone, and against one round trip to the
local PostgreSQL (`SELECT 1`), the least any statement costs to run.
Targets: a plain statement's check costs at most 2x splitting it (it is not lexed, only a
few substring tests) and less than 0.6 of the cheapest round trip (a statement that runs
costs a round trip plus PostgreSQL's own work); a translated statement under 1 ms.
"""

import os
import random
import time
from collections import defaultdict

from splitter import best_of

from local_redshift.classify import classify
from sqlrunner.splitter import split

PLAIN = [
    "INSERT INTO sales SELECT * FROM staging WHERE saletime >= '2024-01-{d:02d}' AND id > {n}",
    "DELETE FROM sales WHERE salesid = {n}",
    "UPDATE sales SET qtysold = qtysold + 1 WHERE salesid = {n} AND note = 'it''s {n}'",
    "SELECT sellerid, sum(pricepaid) FROM sales WHERE dateid = {n} GROUP BY sellerid",
    "INSERT INTO audit (id, what) VALUES ({n}, 'row {n} loaded; ok')",
    "-- daily step {n}\nSELECT count(*) FROM listing l JOIN event e ON e.eventid = l.eventid "
    "WHERE l.listid < {n}",
]
REDSHIFT = [
    "SELECT dateadd(day, {d}, saletime), datediff(week, listtime, saletime) FROM sales "
    "WHERE salesid = {n}",
    "SELECT nvl(commission, 0), decode(qtysold, 1, 'one', 2, 'two', 'many') FROM sales "
    "WHERE salesid = {n}",
    "SELECT sellerid, listagg(salesid, ',') WITHIN GROUP (ORDER BY salesid) FROM sales "
    "WHERE dateid = {n} GROUP BY sellerid",
    "CREATE TEMP TABLE #stage_{n} (id int ENCODE az64, note varchar(max)) DISTKEY(id) SORTKEY(id)",
    "INSERT INTO #stage_{n} SELECT salesid, getdate()::varchar FROM sales WHERE salesid < {n}",
    "UNLOAD ('SELECT * FROM sales WHERE dateid = {n}') TO 's3://bucket/p/{n}_' IAM_ROLE default",
]
SQLGLOT = [
    "SELECT TOP 10 sellerid, qtysold FROM sales WHERE dateid = {n} ORDER BY qtysold DESC",
    "SELECT sellerid, salesid FROM sales WHERE dateid = {n} "
    "QUALIFY row_number() OVER (PARTITION BY sellerid ORDER BY salesid DESC) = 1",
]


def generate(templates: list[str], size_bytes: int, seed: int = 13) -> str:
    rng = random.Random(seed)
    parts, total, n = [], 0, 0
    while total < size_bytes:
        statement = rng.choice(templates).format(n=n, d=n % 28 + 1) + ";\n"
        parts.append(statement)
        total += len(statement)
        n += 1
    return "".join(parts)


def _check(texts: list[str]) -> dict[str, list[float]]:
    per_kind: dict[str, list[float]] = defaultdict(list)
    clock = time.perf_counter
    for text in texts:
        started = clock()
        plan = classify(text)
        per_kind[plan.kind].append(clock() - started)
    return per_kind


def _round_trip_us(count: int = 2000) -> float:
    import pg

    db = pg.connect(
        dbname="postgres",
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=int(os.environ.get("PGPORT", "5432")),
        user=os.environ.get("PGUSER", "postgres"),
    )
    try:
        started = time.perf_counter()
        for _ in range(count):
            db.query("SELECT 1")
        return 1e6 * (time.perf_counter() - started) / count
    finally:
        db.close()


def run() -> dict:
    size = 5 * 1024 * 1024
    figures: dict = {"round_trip_us": round(_round_trip_us(), 1)}
    for label, templates in (("plain", PLAIN), ("redshift", PLAIN + REDSHIFT)):
        text = generate(templates, size)
        split_s, statements = best_of(3, lambda text=text: split(text, "bench.sql"))
        texts = [s.text for s in statements]
        check_s, _ = best_of(3, lambda texts=texts: [classify(t) for t in texts])
        per_kind = _check(texts)
        figures[label] = {
            "statements": len(texts),
            "split_s": round(split_s, 3),
            "classify_s": round(check_s, 3),
            "classify_vs_split": round(check_s / split_s, 2),
            "us_per_statement": {
                kind: round(1e6 * sum(times) / len(times), 1) for kind, times in per_kind.items()
            },
            "statements_by_kind": {kind: len(times) for kind, times in per_kind.items()},
        }
    sqlglot_texts = [s.text for s in split(generate(SQLGLOT, 256 * 1024))]
    glot_s, _ = best_of(1, lambda: [classify(t) for t in sqlglot_texts])
    figures["sqlglot_top_qualify_us_per_statement"] = round(1e6 * glot_s / len(sqlglot_texts), 1)
    translated = figures["redshift"]["us_per_statement"].get("translated", 0.0)
    plain_us = figures["plain"]["us_per_statement"]["as written"]
    figures["plain_vs_round_trip"] = round(plain_us / figures["round_trip_us"], 3)
    figures["target"] = (
        "plain: check <= 2x split and <= 0.6x a round trip; translated < 1000 us per statement"
    )
    figures["met"] = (
        figures["plain"]["classify_vs_split"] <= 2.0
        and figures["plain_vs_round_trip"] <= 0.6
        and translated < 1000
    )
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
