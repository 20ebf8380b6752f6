"""Deterministic stand-in for the Amazon Customer Reviews dataset (Parquet, in S3).

The public `s3://amazon-reviews-pds/parquet/` bucket the blog post reads has answered
403 since 2023, so the local stack generates the same schema and layout instead::

    s3://<bucket>/<prefix>product_category=<Category>/part-00000.parquet

with the post's ten categories, five marketplaces, review dates spread over 2014-2016
(or the days a test asks for), star ratings skewed to 5 and vote counts that are mostly
zero with a long tail. `product_category` is the partition, not a column in the files,
exactly as in the original dataset.

Why written by hand: no maintained package generates this dataset, and faker-style
libraries draw row by row in Python (minutes per million rows). Every random draw here
is a *counter-based* hash (splitmix64 over seed, category, column and row number)
evaluated with pyarrow.compute on whole columns, so

- a row's values depend only on (seed, category, row number), not on chunk sizes;
- a million rows take seconds, with memory bounded by one chunk (`CHUNK_ROWS`) plus
  the part file being written to a temporary file before its upload;
- it needs nothing beyond pyarrow and boto3, which the local stack already has.

Python API (tests, `make demo`)::

    summary = generate(s3, "bucket", "lake/reviews/parquet/", rows=200_000, seed=7,
                       dates=[date(2015, 6, 1)])
    summary.counts[(date(2015, 6, 1), "Books")]   # rows written for that day/category

Command line::

    python -m infra.local.sample_data --bucket B [--prefix P] [--rows N] [--seed S]
        [--start-date 2015-06-01 --end-date 2015-06-03] [--create-bucket]

boto3 picks the endpoint from AWS_ENDPOINT_URL (or --endpoint-url), so the same command
writes to the local AWS server or to a real bucket.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sqlrunner.process import exit_with

DEFAULT_PREFIX = "lake/reviews/parquet/"
# Sized so `make demo` (generate, load one day through Spectrum emulation, unload) stays
# around a minute on a 2-core machine; see the README's benchmark table.
DEFAULT_ROWS = 300_000
DEFAULT_SEED = 20150101
DEFAULT_FIRST_DAY = date(2014, 1, 1)
DEFAULT_LAST_DAY = date(2016, 12, 31)
CHUNK_ROWS = 65_536  # rows generated per step = rows per Parquet row group
DEFAULT_ROWS_PER_FILE = 500_000

# The post's ten partitions, with each one's share of the rows (Books is the biggest
# category in the real dataset, Furniture and Watches among the smallest).
CATEGORIES: tuple[tuple[str, float], ...] = (
    ("Apparel", 0.13),
    ("Automotive", 0.08),
    ("Baby", 0.07),
    ("Beauty", 0.10),
    ("Books", 0.22),
    ("Camera", 0.07),
    ("Grocery", 0.09),
    ("Furniture", 0.06),
    ("Watches", 0.06),
    ("Lawn_and_Garden", 0.12),
)
MARKETPLACES: tuple[tuple[str, float], ...] = (
    ("US", 0.62),
    ("UK", 0.12),
    ("DE", 0.12),
    ("FR", 0.07),
    ("JP", 0.07),
)
# J-shaped like real review data: mostly 5 stars, then 4, then a bump at 1.
STAR_RATINGS: tuple[tuple[int, float], ...] = (
    (1, 0.09),
    (2, 0.05),
    (3, 0.08),
    (4, 0.18),
    (5, 0.60),
)
SHARE_WITH_VOTES = 0.42  # the rest have total_votes = 0
VOTE_TAIL_ALPHA = 1.15  # Pareto tail of total_votes among reviews that have votes
MAX_VOTES = 12_000
VINE_SHARE = 0.015
VERIFIED_SHARE = 0.78

# Column names and types of the post's external table (product_category excluded).
SCHEMA = pa.schema(
    [
        ("marketplace", pa.string()),
        ("customer_id", pa.string()),
        ("review_id", pa.string()),
        ("product_id", pa.string()),
        ("product_parent", pa.string()),
        ("product_title", pa.string()),
        ("star_rating", pa.int32()),
        ("helpful_votes", pa.int32()),
        ("total_votes", pa.int32()),
        ("vine", pa.string()),
        ("verified_purchase", pa.string()),
        ("review_headline", pa.string()),
        ("review_body", pa.string()),
        ("review_date", pa.date32()),
        ("year", pa.int32()),
    ]
)
# Widths declared by the post's tables; generated text stays within them (ASCII, so
# characters = bytes, as Redshift counts varchar length).
MAX_TITLE = 50

_PRODUCT_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Apparel": (
        ("Slim", "Classic", "Relaxed", "Thermal", "Striped"),
        ("T-Shirt", "Hoodie", "Jeans", "Rain Jacket", "Socks", "Polo"),
    ),
    "Automotive": (
        ("Heavy Duty", "Universal", "Compact", "Magnetic", "LED"),
        ("Jump Starter", "Floor Mats", "Tire Gauge", "Wiper Blades", "Phone Mount"),
    ),
    "Baby": (
        ("Soft", "Organic", "Foldable", "Quiet", "Washable"),
        ("Swaddle", "Bottle Set", "Stroller Fan", "Teether", "Crib Sheet"),
    ),
    "Beauty": (
        ("Hydrating", "Gentle", "Matte", "Vitamin C", "Fragrance Free"),
        ("Face Serum", "Lip Balm", "Shampoo", "Sunscreen", "Nail Kit"),
    ),
    "Books": (
        ("The Quiet", "A Short", "The Last", "Hidden", "Northern"),
        ("History of Rivers", "Garden", "Detective", "Cookbook", "Guide to Stars"),
    ),
    "Camera": (
        ("Mirrorless", "Waterproof", "Wide Angle", "Compact", "4K"),
        ("Lens", "Tripod", "Action Camera", "Memory Card", "Camera Bag"),
    ),
    "Grocery": (
        ("Organic", "Roasted", "Sea Salt", "Dark", "Sparkling"),
        ("Coffee Beans", "Almonds", "Green Tea", "Chocolate", "Olive Oil"),
    ),
    "Furniture": (
        ("Oak", "Mid-Century", "Folding", "Storage", "Ergonomic"),
        ("Bookshelf", "Desk Chair", "Side Table", "Bed Frame", "Bench"),
    ),
    "Watches": (
        ("Automatic", "Solar", "Chronograph", "Minimalist", "Diver"),
        ("Watch", "Leather Strap", "Steel Band", "Watch Winder", "Field Watch"),
    ),
    "Lawn_and_Garden": (
        ("Cordless", "Raised", "Expandable", "Solar", "Stainless"),
        ("Hedge Trimmer", "Garden Bed", "Hose", "Path Lights", "Pruning Shears"),
    ),
}
_BRANDS = (
    "Acme",
    "Northpeak",
    "Bluebird",
    "Kestrel",
    "Orchard",
    "Lumen",
    "Tidewell",
    "Harbor",
    "Fernway",
    "Quill",
)
_VARIANTS = ("", ", Black", ", Navy", ", 2-Pack", ", Large", ", Small", " (Renewed)", ", Gift Set")

# Headlines and sentences by sentiment (index 0 = 1-2 stars, 1 = 3 stars, 2 = 4-5 stars).
# Apostrophes, double quotes and commas on purpose: UNLOAD/COPY quoting must survive them.
_HEADLINES = (
    (
        "One Star",
        "Broke in a week",
        "Not as described",
        "Waste of money",
        "Don't buy",
        "Returned it",
    ),
    (
        "Three Stars",
        "It's okay",
        "Does the job",
        "Mixed feelings",
        "Average at best",
        "Fine for the price",
    ),
    (
        "Five Stars",
        "Love it!",
        "Great value",
        "Exactly as pictured",
        "Highly recommend",
        "Four Stars",
    ),
)
_SENTENCES = (
    (
        "It stopped working after a few days.",
        "The quality is much worse than the photos suggest.",
        "Customer service never answered my emails.",
        'The box said "premium" but it feels cheap.',
        "I wouldn't buy this again, sadly.",
        "Arrived damaged and smelled odd.",
    ),
    (
        "It does what it says, nothing more.",
        "Decent, though the instructions were confusing.",
        "Shipping was slow, but the item is fine.",
        "Not bad for the price, I guess.",
        "My kids like it; I'm less convinced.",
        "Works, but it's smaller than I expected.",
    ),
    (
        "Works perfectly and arrived early.",
        "Great quality, I've already ordered a second one.",
        "My wife says it's the best purchase this year.",
        'Exactly what I needed, "set it and forget it".',
        "Sturdy, well made, and easy to use.",
        "Five stars, would recommend to anyone.<br />Update: still going strong.",
    ),
)
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MASK64 = (1 << 64) - 1


@dataclass
class PartFile:
    key: str
    rows: int
    size: int


@dataclass
class Summary:
    """What `generate` wrote: per (review_date, category) row counts and the files."""

    bucket: str
    prefix: str
    seed: int
    rows: int = 0
    files: list[PartFile] = field(default_factory=list)
    counts: Counter[tuple[date, str]] = field(default_factory=Counter)
    seconds: float = 0.0

    def rows_on(self, day: date) -> int:
        return sum(n for (d, _), n in self.counts.items() if d == day)

    def to_json(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "prefix": self.prefix,
            "seed": self.seed,
            "rows": self.rows,
            "files": len(self.files),
            "bytes": sum(f.size for f in self.files),
            "days": len({d for d, _ in self.counts}),
            "seconds": round(self.seconds, 2),
            "rows_per_second": round(self.rows / self.seconds) if self.seconds else None,
        }


def generate(
    s3: Any,
    bucket: str,
    prefix: str = DEFAULT_PREFIX,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    dates: Sequence[date] | None = None,
    *,
    rows_per_file: int = DEFAULT_ROWS_PER_FILE,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Write `rows` reviews as Parquet under `s3://bucket/prefix` and return what was written.

    `dates` limits review_date to the given days (uniformly spread); by default every day
    of 2014-2016. The data set is replaced: part files under the prefix that this call
    did not write are deleted afterwards, so a smaller rerun leaves no stale rows behind.
    """
    if rows < 0:
        raise ValueError("rows must be >= 0")
    if rows_per_file < 1:
        raise ValueError("rows_per_file must be >= 1")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    days = (
        sorted(set(dates)) if dates is not None else _every_day(DEFAULT_FIRST_DAY, DEFAULT_LAST_DAY)
    )
    if not days:
        raise ValueError("dates must name at least one day")
    started = time.monotonic()
    summary = Summary(bucket=bucket, prefix=prefix, seed=seed)
    day_array = pa.array(days, pa.date32())
    counts = _split(rows)
    for number, (category, _) in enumerate(CATEGORIES):
        count = counts[number]
        products = _products(seed, number, category, count)
        for part, first in enumerate(range(0, count, rows_per_file)):
            last = min(first + rows_per_file, count)
            key = f"{prefix}product_category={category}/part-{part:05d}.parquet"
            written = _write_part(
                s3, bucket, key, seed, number, products, day_array, first, last, summary, progress
            )
            summary.files.append(written)
    _delete_stale(s3, bucket, prefix, {f.key for f in summary.files})
    summary.seconds = time.monotonic() - started
    return summary


def _write_part(
    s3: Any,
    bucket: str,
    key: str,
    seed: int,
    category_number: int,
    products: _Products,
    days: pa.Array,
    first: int,
    last: int,
    summary: Summary,
    progress: Callable[[int, int], None] | None,
) -> PartFile:
    category = CATEGORIES[category_number][0]
    with tempfile.TemporaryFile() as spool:
        with pq.ParquetWriter(spool, SCHEMA, compression="snappy") as writer:
            for start in range(first, last, CHUNK_ROWS):
                stop = min(start + CHUNK_ROWS, last)
                batch = _reviews(seed, category_number, products, days, start, stop)
                writer.write_table(batch, row_group_size=CHUNK_ROWS)
                for row in (
                    batch.group_by("review_date").aggregate([("review_date", "count")]).to_pylist()
                ):
                    summary.counts[(row["review_date"], category)] += row["review_date_count"]
                summary.rows += stop - start
                if progress:
                    progress(stop - start, 0)
        size = spool.tell()
        spool.seek(0)
        s3.upload_fileobj(spool, bucket, key)  # multipart above boto3's 8 MB threshold
    return PartFile(key=key, rows=last - first, size=size)


def _delete_stale(s3: Any, bucket: str, prefix: str, keep: set[str]) -> None:
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if (
                key not in keep
                and "/product_category=" in "/" + key[len(prefix) :]
                and key.endswith(".parquet")
            ):
                stale.append({"Key": key})
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[start : start + 1000]})


def _split(rows: int) -> list[int]:
    """Rows per category by CATEGORIES' shares (largest remainder, so they sum to rows)."""
    exact = [rows * share for _, share in CATEGORIES]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: rows - sum(counts)]:
        counts[i] += 1
    return counts


def _every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --- counter-based random numbers, one independent stream per (seed, category, column)


def _mix(x: int) -> int:
    """splitmix64 on one Python int (for stream keys and the small product tables)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _stream(seed: int, category_number: int, column: str) -> int:
    key = _mix(seed & _MASK64)
    key = _mix(key ^ category_number)
    for char in column:
        key = _mix(key ^ ord(char))
    return key


def _u64(x: pa.Array) -> pa.Array:
    """splitmix64 on a uint64 column: a bijection, so distinct inputs give distinct outputs."""
    x = pc.add(x, _c(0x9E3779B97F4A7C15))
    x = pc.multiply(pc.bit_wise_xor(x, pc.shift_right(x, _c(30))), _c(0xBF58476D1CE4E5B9))
    x = pc.multiply(pc.bit_wise_xor(x, pc.shift_right(x, _c(27))), _c(0x94D049BB133111EB))
    return pc.bit_wise_xor(x, pc.shift_right(x, _c(31)))


def _c(value: int) -> pa.Scalar:
    return pa.scalar(value, pa.uint64())


def _uniform(rows: pa.Array, stream: int) -> pa.Array:
    """Floats in [0, 1): the top 53 bits of splitmix64(row number xor stream key)."""
    bits = pc.shift_right(_u64(pc.bit_wise_xor(rows, _c(stream))), _c(11))
    return pc.multiply(pc.cast(bits, pa.float64()), 2.0**-53)


def _choice(u: pa.Array, weights: Sequence[float]) -> pa.Array:
    """Index into `weights` for each uniform draw (inverse CDF over a handful of options)."""
    index = pa.repeat(pa.scalar(0, pa.int32()), len(u))
    total, cumulative = sum(weights), 0.0
    for weight in weights[:-1]:
        cumulative += weight / total
        index = pc.add(index, pc.cast(pc.greater_equal(u, cumulative), pa.int32()))
    return index


def _below(u: pa.Array, n: int) -> pa.Array:
    """Uniform integers in [0, n)."""
    return pc.cast(pc.floor(pc.multiply(u, float(n))), pa.int32())


# --- the reviews themselves


@dataclass
class _Products:
    ids: pa.Array
    parents: pa.Array
    titles: pa.Array
    customers: int  # distinct customer ids to draw from


def _products(seed: int, category_number: int, category: str, rows: int) -> _Products:
    """The category's catalogue: about one product per dozen reviews and one customer
    per three, with stable ids."""
    count = max(20, rows // 12)
    stream = _stream(seed, category_number, "product")
    adjectives, nouns = _PRODUCT_WORDS[category]
    ids, parents, titles = [], [], []
    for number in range(count):
        h = _mix(stream ^ number)
        ids.append("B0" + _base36(h, 8))
        parents.append(str(100_000_000 + h % 900_000_000))
        brand = _BRANDS[(h >> 8) % len(_BRANDS)]
        title = f"{brand} {adjectives[(h >> 16) % len(adjectives)]} {nouns[(h >> 24) % len(nouns)]}"
        title += _VARIANTS[(h >> 32) % len(_VARIANTS)]
        titles.append(title[:MAX_TITLE].rstrip(" ,"))
    return _Products(pa.array(ids), pa.array(parents), pa.array(titles), max(1000, rows // 3))


def _base36(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        digits.append(_BASE36[digit])
    return "".join(reversed(digits))


def _reviews(
    seed: int, category_number: int, products: _Products, days: pa.Array, start: int, stop: int
) -> pa.Table:
    rows = pa.array(range(start, stop), pa.uint64())

    def u(column: str) -> pa.Array:
        return _uniform(rows, _stream(seed, category_number, column))

    # Popular products get most reviews: cubing a uniform draw skews toward index 0.
    product = _below(pc.power(u("product_pick"), 3.0), len(products.ids))
    stars = pc.add(_choice(u("stars"), [w for _, w in STAR_RATINGS]), 1)
    sentiment = pc.add(
        pc.cast(pc.greater_equal(stars, 3), pa.int32()),
        pc.cast(pc.greater_equal(stars, 4), pa.int32()),
    )
    has_votes = pc.less(u("has_votes"), SHARE_WITH_VOTES)
    tail = pc.floor(pc.power(pc.subtract(1.0, u("votes")), -1.0 / VOTE_TAIL_ALPHA))
    total = pc.if_else(has_votes, pc.min_element_wise(tail, float(MAX_VOTES)), 0.0)
    # Helpful share leans high (sqrt of a uniform), as on the real site.
    helpful = pc.floor(pc.multiply(total, pc.sqrt(u("helpful"))))
    review_date = days.take(_below(u("day"), len(days)))
    marketplace = pa.array([m for m, _ in MARKETPLACES]).take(
        _choice(u("market"), [w for _, w in MARKETPLACES])
    )
    customer = pc.add(_below(u("customer"), products.customers), 10_000_000)
    return pa.table(
        [
            marketplace,
            pc.cast(customer, pa.string()),
            _review_ids(rows, _stream(seed, category_number, "review_id")),
            products.ids.take(product),
            products.parents.take(product),
            products.titles.take(product),
            pc.cast(stars, pa.int32()),
            pc.cast(helpful, pa.int32()),
            pc.cast(total, pa.int32()),
            pc.if_else(pc.less(u("vine"), VINE_SHARE), "Y", "N"),
            pc.if_else(pc.less(u("verified"), VERIFIED_SHARE), "Y", "N"),
            _pick_text(_HEADLINES, sentiment, u("headline")),
            _body(sentiment, [u(f"sentence{i}") for i in range(3)], u("sentences")),
            review_date,
            pc.cast(pc.year(review_date), pa.int32()),
        ],
        schema=SCHEMA,
    )


def _review_ids(rows: pa.Array, stream: int) -> pa.Array:
    """'R' + 13 base-36 digits of splitmix64(row xor stream): unique within a category,
    and the category's stream makes collisions across categories astronomically unlikely."""
    value = _u64(pc.bit_wise_xor(rows, _c(stream)))
    alphabet = pa.array(list(_BASE36))
    digits = []
    for _ in range(13):
        quotient = pc.divide(value, _c(36))
        digits.append(alphabet.take(pc.subtract(value, pc.multiply(quotient, _c(36)))))
        value = quotient
    return pc.binary_join_element_wise("R", *reversed(digits), "")


def _pick_text(pools: tuple[tuple[str, ...], ...], sentiment: pa.Array, u: pa.Array) -> pa.Array:
    size = len(pools[0])
    flat = pa.array([text for pool in pools for text in pool])
    return flat.take(pc.add(pc.multiply(sentiment, size), _below(u, size)))


def _body(sentiment: pa.Array, draws: list[pa.Array], how_many: pa.Array) -> pa.Array:
    """One to three sentences of the review's sentiment."""
    sentences = [_pick_text(_SENTENCES, sentiment, draw) for draw in draws]
    count = _below(how_many, 3)  # 0, 1, 2 -> 1, 2, 3 sentences
    second = pc.if_else(pc.greater_equal(count, 1), sentences[1], "")
    third = pc.if_else(pc.greater_equal(count, 2), sentences[2], "")
    return pc.utf8_trim_whitespace(pc.binary_join_element_wise(sentences[0], second, third, " "))


# --- command line


class _ProgressBar:
    """A one-line bar on stderr when it is a terminal; a line per quarter otherwise
    (so `make demo` logs stay readable)."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.total, self.done, self.stream = total, 0, stream or sys.stderr
        self.started = self.last_draw = time.monotonic()
        self.tty = self.stream.isatty()
        self.next_quarter = 1

    def __call__(self, rows: int, _: int) -> None:
        self.done += rows
        now = time.monotonic()
        if self.tty and (now - self.last_draw > 0.1 or self.done >= self.total):
            self.last_draw = now
            filled = int(30 * self.done / max(self.total, 1))
            rate = self.done / max(now - self.started, 1e-9)
            self.stream.write(
                f"\rsample data [{'#' * filled}{'.' * (30 - filled)}] "
                f"{self.done:,}/{self.total:,} rows, {rate:,.0f} rows/s"
            )
            if self.done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif not self.tty:
            while self.next_quarter <= 4 and self.done * 4 >= self.total * self.next_quarter:
                self.stream.write(f"sample data: {25 * self.next_quarter}% ({self.done:,} rows)\n")
                self.next_quarter += 1


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.sample_data", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--start-date", type=_parse_day, help="first review_date (default 2014-01-01)"
    )
    parser.add_argument("--end-date", type=_parse_day, help="last review_date (default 2016-12-31)")
    parser.add_argument("--rows-per-file", type=int, default=DEFAULT_ROWS_PER_FILE)
    parser.add_argument("--endpoint-url", help="S3 endpoint (default: AWS_ENDPOINT_URL or AWS)")
    parser.add_argument("--create-bucket", action="store_true", help="create the bucket if missing")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must be >= 0")
    first = args.start_date or DEFAULT_FIRST_DAY
    last = args.end_date or DEFAULT_LAST_DAY
    if last < first:
        parser.error(f"--end-date {last} is before --start-date {first}")

    import boto3
    from botocore.exceptions import ClientError

    s3 = boto3.client("s3", endpoint_url=args.endpoint_url)
    try:
        s3.head_bucket(Bucket=args.bucket)
    except ClientError as exc:
        if not args.create_bucket:
            code = exc.response.get("Error", {}).get("Code", "")
            parser.exit(
                1,
                f"bucket {args.bucket!r} is not reachable ({code}); deploy it or pass --create-bucket\n",
            )
        s3.create_bucket(Bucket=args.bucket)
    progress = None if args.quiet else _ProgressBar(args.rows)
    summary = generate(
        s3,
        args.bucket,
        args.prefix,
        args.rows,
        args.seed,
        _every_day(first, last),
        rows_per_file=args.rows_per_file,
        progress=progress,
    )
    print(json.dumps(summary.to_json()))
    return 0


if __name__ == "__main__":
    exit_with(main())
