"""Deterministic stand-in for AWS's TICKIT sample data (the seven tables of the Amazon
Redshift sample database), written to S3 in the files and formats AWS's tutorials load.

TICKIT is a fictional ticket-selling site: five dimensions (users, venue, category, date,
event) and two facts (listing, sales). https://docs.aws.amazon.com/redshift/latest/dg/c_sampledb.html
describes the columns; the Getting Started Guide (rs-gsg-create-sample-db) and the COPY
examples (r_COPY_command_examples) the files. Under `s3://<bucket>/<prefix>`:

| file | table | format, as the tutorial's COPY reads it |
|---|---|---|
| `allusers_pipe.txt` | users | `DELIMITER '|'`; an empty like* field is NULL |
| `venue_pipe.txt` | venue | `DELIMITER '|'` |
| `category_pipe.txt` | category | `DELIMITER '|'` |
| `category_csv.txt` | category | `CSV` (quoted where a field has a comma or a quote) |
| `date2008_pipe.txt` | date | `DELIMITER '|'`; every day of 2008, dateid 1827 = 2008-01-01 |
| `allevents_pipe.txt` | event | `DELIMITER '|' TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'` |
| `listings_pipe.txt` | listing | `DELIMITER '|'` (listtime `YYYY-MM-DD HH:MI:SS`) |
| `sales_tab.txt` | sales | `DELIMITER '\\t' TIMEFORMAT 'MM/DD/YYYY HH:MI:SS'` (month and day unpadded, as AWS's file) |
| `spectrum/sales/saledate=YYYY-MM-DD/part-00000.parquet` | sales | Parquet, one partition per sale day (the Spectrum tutorial's `saledate=` key), no saledate column in the files |

Keys are consistent: every foreign key names an existing row; a sale is made on a
listing by its seller, for its event, of at most its tickets, after it was listed and
before the event starts; pricepaid = qtysold x priceperticket, commission = 15% of it;
every dateid is the day of its row's time. `scale=1` gives the tutorial's row counts
(49,990 users ... 172,456 sales); the same seed and scale give the same bytes.

Written by hand: AWS's own files are not redistributable here and no package
generates them; the tables are small enough for plain `random.Random` streams, one per
table, so each table's rows depend only on the seed and the counts.

Python API::

    summary = write(s3, "bucket", "tickit/", scale=0.05, seed=2008)
    summary.rows["sales"], summary.keys
    data = generate(scale=0.05, seed=2008)      # the rows, without S3

Command line::

    python -m infra.local.tickit_data --bucket B [--prefix tickit/] [--scale 0.05]
        [--seed 2008] [--create-bucket]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlrunner.process import exit_with

DEFAULT_PREFIX = "tickit/"
DEFAULT_SCALE = 0.05
DEFAULT_SEED = 2008
YEAR = 2008
FIRST_DATEID = 1827  # the tutorial's dateid of 2008-01-01
COMMISSION = Decimal("0.15")
SPECTRUM_SALES = "spectrum/sales/"

# The tutorial's row counts (c_sampledb); category and date are fixed tables.
FULL_ROWS = {
    "users": 49_990,
    "venue": 202,
    "event": 8_798,
    "listing": 192_497,
    "sales": 172_456,
}
MIN_ROWS = {"users": 20, "venue": 5, "event": 10, "listing": 20, "sales": 10}

# Columns of each table, in file order (c_sampledb).
COLUMNS: dict[str, tuple[str, ...]] = {
    "users": (
        "userid",
        "username",
        "firstname",
        "lastname",
        "city",
        "state",
        "email",
        "phone",
        "likesports",
        "liketheatre",
        "likeconcerts",
        "likejazz",
        "likeclassical",
        "likeopera",
        "likerock",
        "likevegas",
        "likebroadway",
        "likemusicals",
    ),
    "venue": ("venueid", "venuename", "venuecity", "venuestate", "venueseats"),
    "category": ("catid", "catgroup", "catname", "catdesc"),
    "date": ("dateid", "caldate", "day", "week", "month", "qtr", "year", "holiday"),
    "event": ("eventid", "venueid", "catid", "dateid", "eventname", "starttime"),
    "listing": (
        "listid",
        "sellerid",
        "eventid",
        "dateid",
        "numtickets",
        "priceperticket",
        "totalprice",
        "listtime",
    ),
    "sales": (
        "salesid",
        "listid",
        "sellerid",
        "buyerid",
        "eventid",
        "dateid",
        "qtysold",
        "pricepaid",
        "commission",
        "saletime",
    ),
}

PIPE, TAB, CSV = "pipe", "tab", "csv"


@dataclass(frozen=True)
class DataFile:
    table: str
    name: str
    format: str  # PIPE, TAB or CSV
    time_format: str = "%Y-%m-%d %H:%M:%S"


FILES = (
    DataFile("users", "allusers_pipe.txt", PIPE),
    DataFile("venue", "venue_pipe.txt", PIPE),
    DataFile("category", "category_pipe.txt", PIPE),
    DataFile("category", "category_csv.txt", CSV),
    DataFile("date", "date2008_pipe.txt", PIPE),
    DataFile("event", "allevents_pipe.txt", PIPE),
    DataFile("listing", "listings_pipe.txt", PIPE),
    DataFile("sales", "sales_tab.txt", TAB, "%m/%d/%Y %H:%M:%S"),
)

# The sample's eleven categories (c_sampledb's CATEGORY table and the COPY examples).
CATEGORIES = (
    (1, "Sports", "MLB", "Major League Baseball"),
    (2, "Sports", "NHL", "National Hockey League"),
    (3, "Sports", "NFL", "National Football League"),
    (4, "Sports", "NBA", "National Basketball Association"),
    (5, "Sports", "MLS", "Major League Soccer"),
    (6, "Shows", "Musicals", "Musical theatre"),
    (7, "Shows", "Plays", 'All "non-musical" theatre'),
    (8, "Shows", "Opera", 'All opera, light, and "rock" opera'),
    (9, "Concerts", "Pop", "All rock and pop music concerts"),
    (10, "Concerts", "Jazz", "All jazz singers and bands"),
    (11, "Concerts", "Classical", "All symphony, concerto, and choir concerts"),
)
# US federal holidays of 2008.
HOLIDAYS = {
    date(2008, 1, 1),
    date(2008, 1, 21),
    date(2008, 2, 18),
    date(2008, 5, 26),
    date(2008, 7, 4),
    date(2008, 9, 1),
    date(2008, 10, 13),
    date(2008, 11, 11),
    date(2008, 11, 27),
    date(2008, 12, 25),
}
_CITIES = (
    ("San Diego", "CA"),
    ("Los Angeles", "CA"),
    ("San Francisco", "CA"),
    ("Seattle", "WA"),
    ("Kent", "WA"),
    ("Portland", "OR"),
    ("Phoenix", "AZ"),
    ("Denver", "CO"),
    ("Dallas", "TX"),
    ("Houston", "TX"),
    ("Chicago", "IL"),
    ("Bridgeview", "IL"),
    ("Columbus", "OH"),
    ("Detroit", "MI"),
    ("Atlanta", "GA"),
    ("Miami", "FL"),
    ("Boston", "MA"),
    ("Foxborough", "MA"),
    ("New York City", "NY"),
    ("Washington", "DC"),
    ("Toronto", "ON"),
    ("Montreal", "QC"),
)
_FIRST_NAMES = [
    "Rafael",
    "Julie",
    "Charity",
    "Axel",
    "Griffin",
    "Hiram",
    "Lars",
    "Ima",
    "Noelle",
    "Kato",
    "Xena",
    "Orson",
    "Quinn",
    "Wyatt",
    "Yvonne",
    "Zelda",
    "Bianca",
    "Cedric",
    "Delia",
    "Elmo",
    "Fiona",
    "Gavin",
    "Hollis",
    "Iris",
    "Jasper",
    "Keegan",
    "Lydia",
]
_LAST_NAMES = [
    "Taylor",
    "Hanson",
    "Zimmerman",
    "Grant",
    "Dodson",
    "Turner",
    "O'Neil",
    "Vance",
    "Rowe",
    "Sutton",
    "Pace",
    "Hurst",
    "Nolan",
    "Becker",
    "Frye",
    "Lamb",
    "Ortiz",
    "Meyer",
    "Stein",
    "Kerr",
    "Dalton",
    "Hale",
    "Moss",
    "Pratt",
    "Reid",
    "Shaw",
]
_DOMAINS = ("example.com", "example.org", "mail.example.net", "tickit.example")
_VENUE_WORDS = (
    ("Harbor", "Lincoln", "Summit", "Riverside", "Granite", "Liberty", "Maple", "Dick's"),
    ("Stadium", "Arena", "Center", "Park", "Theatre", "Hall", "Opera House", "Field"),
)
_PERFORMERS = {
    "Sports": ("Gulls", "Comets", "Pilots", "Rangers", "Falcons", "Mariners", "Wolves", "Foxes"),
    "Shows": ("Hamlet", "Cats", "Rent", "Wicked", "The Tempest", "La Boheme", "Carmen", "Tosca"),
    "Concerts": (
        "LeAnn Rimes",
        "The Midnight Owls",
        "Blue Harbor Quartet",
        "Nina Vale",
        "Orchestra of the Bay",
        "Echo Park",
        "The Paper Kites",
        "Jazz at Dusk",
    ),
}
_SHOW_TIMES = (time(14, 30), time(15, 0), time(19, 0), time(19, 30), time(20, 0))
# Spelled out rather than strftime'd: %a and %b follow the C library's locale.
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass
class Tickit:
    """The seven tables' rows, each a tuple in COLUMNS order with Python values (None is
    NULL): int, str, bool, date, datetime, Decimal."""

    rows: dict[str, list[tuple[Any, ...]]]


@dataclass
class Summary:
    bucket: str
    prefix: str
    seed: int
    scale: float
    rows: dict[str, int] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    bytes: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "prefix": self.prefix,
            "seed": self.seed,
            "scale": self.scale,
            "rows": self.rows,
            "files": len(self.keys),
            "bytes": self.bytes,
        }


def row_counts(scale: float) -> dict[str, int]:
    """Rows per table at `scale` (1 = the tutorial's); sales never outnumber listings."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    counts = {t: max(MIN_ROWS[t], round(n * scale)) for t, n in FULL_ROWS.items()}
    counts["sales"] = min(counts["sales"], counts["listing"])
    counts["category"] = len(CATEGORIES)
    counts["date"] = (date(YEAR + 1, 1, 1) - date(YEAR, 1, 1)).days
    return counts


def generate(scale: float = DEFAULT_SCALE, seed: int = DEFAULT_SEED) -> Tickit:
    counts = row_counts(scale)
    dates = _dates()
    users = _users(_rng(seed, "users"), counts["users"])
    venues = _venues(_rng(seed, "venue"), counts["venue"])
    events = _events(_rng(seed, "event"), counts["event"], venues)
    listings = _listings(_rng(seed, "listing"), counts["listing"], users, events)
    sales = _sales(_rng(seed, "sales"), counts["sales"], users, events, listings)
    return Tickit(
        {
            "users": users,
            "venue": venues,
            "category": list(CATEGORIES),
            "date": dates,
            "event": events,
            "listing": listings,
            "sales": sales,
        }
    )


def _rng(seed: int, table: str) -> random.Random:
    return random.Random(f"tickit/{seed}/{table}")  # noqa: S311 (sample data, not secrets)


def dateid(day: date) -> int:
    return FIRST_DATEID + (day - date(YEAR, 1, 1)).days


def _dates() -> list[tuple[Any, ...]]:
    first = date(YEAR, 1, 1)
    rows = []
    for offset in range((date(YEAR + 1, 1, 1) - first).days):
        day = first + timedelta(days=offset)
        week = (offset + (first.isoweekday() % 7)) // 7 + 1  # weeks start on Sunday
        rows.append(
            (
                dateid(day),
                day,
                _DAYS[day.weekday()],
                week,
                _MONTHS[day.month - 1],
                str((day.month - 1) // 3 + 1),
                day.year,
                day in HOLIDAYS,
            )
        )
    return rows


def _users(rng: random.Random, count: int) -> list[tuple[Any, ...]]:
    rows = []
    for userid in range(1, count + 1):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        city, state = rng.choice(_CITIES)
        username = (
            "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
            + f"{rng.randrange(100):02d}"
            + "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        )
        email = f"{first}.{last.replace(chr(39), '')}{userid}@{rng.choice(_DOMAINS)}".lower()
        phone = (
            f"({rng.randrange(200, 1000)}) {rng.randrange(200, 1000)}-{rng.randrange(10_000):04d}"
        )
        likes = tuple(rng.choice((True, False, None)) for _ in range(10))
        rows.append((userid, username, first, last, city, state, email, phone, *likes))
    return rows


def _venues(rng: random.Random, count: int) -> list[tuple[Any, ...]]:
    rows = []
    for venueid in range(1, count + 1):
        city, state = rng.choice(_CITIES)
        name = f"{rng.choice(_VENUE_WORDS[0])} {rng.choice(_VENUE_WORDS[1])}"
        seats = 0 if rng.random() < 0.7 else rng.randrange(10_000, 91_000, 100)
        rows.append((venueid, name, city, state, seats))
    return rows


def _events(rng: random.Random, count: int, venues: Sequence[tuple]) -> list[tuple[Any, ...]]:
    rows = []
    for eventid in range(1, count + 1):
        catid, group = rng.choice([(c[0], c[1]) for c in CATEGORIES])
        day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(366))
        start = datetime.combine(day, rng.choice(_SHOW_TIMES))
        name = rng.choice(_PERFORMERS[group])
        rows.append((eventid, rng.choice(venues)[0], catid, dateid(day), name, start))
    return rows


def _listings(
    rng: random.Random, count: int, users: Sequence[tuple], events: Sequence[tuple]
) -> list[tuple[Any, ...]]:
    year_start = datetime(YEAR, 1, 1)
    rows = []
    for listid in range(1, count + 1):
        event = rng.choice(events)
        seconds = int((event[5] - year_start).total_seconds())
        listtime = year_start + timedelta(seconds=rng.randrange(max(seconds, 1)))
        tickets = rng.randint(1, 30)
        price = Decimal(rng.randrange(20, 2500)).quantize(Decimal("0.01"))
        rows.append(
            (
                listid,
                rng.choice(users)[0],
                event[0],
                dateid(listtime.date()),
                tickets,
                price,
                price * tickets,
                listtime,
            )
        )
    return rows


def _sales(
    rng: random.Random,
    count: int,
    users: Sequence[tuple],
    events: Sequence[tuple],
    listings: Sequence[tuple],
) -> list[tuple[Any, ...]]:
    starts = {event[0]: event[5] for event in events}
    rows = []
    for salesid, listing in enumerate(sorted(rng.sample(list(listings), count)), 1):
        listid, seller, eventid, _, tickets, price, _, listtime = listing
        buyer = rng.choice(users)[0]
        if buyer == seller:
            buyer = users[(buyer % len(users))][0]  # the next user (wraps around)
        window = max(int((starts[eventid] - listtime).total_seconds()), 1)
        saletime = listtime + timedelta(seconds=rng.randrange(window))
        sold = rng.randint(1, min(8, tickets))
        paid = price * sold
        commission = (paid * COMMISSION).quantize(Decimal("0.01"))
        row = (listid, seller, buyer, eventid, dateid(saletime.date()), sold, paid, commission)
        rows.append((salesid, *row, saletime))
    return rows


# -- files -------------------------------------------------------------------------------------------


def text_value(value: Any, time_format: str) -> str:
    """A value as the tutorial's text files spell it (None: an empty field)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        text = value.strftime(time_format)
        if time_format.startswith("%m/%d/"):  # AWS's sales_tab.txt: 2/18/2008 02:36:48
            month, day, rest = text.split("/", 2)
            text = f"{int(month)}/{int(day)}/{rest}"
        return text
    return str(value)


def render(data: Tickit, data_file: DataFile) -> bytes:
    rows = data.rows[data_file.table]
    if data_file.format == CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([[text_value(v, data_file.time_format) for v in row] for row in rows])
        return out.getvalue().encode()
    separator = "\t" if data_file.format == TAB else "|"
    lines = (separator.join(text_value(v, data_file.time_format) for v in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


def sales_parquet(data: Tickit) -> dict[date, bytes]:
    """The sales table as Parquet, one file per sale day (no saledate column inside)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("salesid", pa.int32()),
            ("listid", pa.int32()),
            ("sellerid", pa.int32()),
            ("buyerid", pa.int32()),
            ("eventid", pa.int32()),
            ("dateid", pa.int16()),
            ("qtysold", pa.int16()),
            ("pricepaid", pa.decimal128(8, 2)),
            ("commission", pa.decimal128(8, 2)),
            ("saletime", pa.timestamp("us")),
        ]
    )
    by_day: dict[date, list[tuple]] = {}
    for row in data.rows["sales"]:
        by_day.setdefault(row[-1].date(), []).append(row)
    files = {}
    for day in sorted(by_day):
        table = pa.Table.from_pylist(
            [{name: row[i] for i, name in enumerate(COLUMNS["sales"])} for row in by_day[day]],
            schema=schema,
        )
        out = io.BytesIO()
        pq.write_table(table, out, compression="snappy")
        files[day] = out.getvalue()
    return files


def write(
    s3: Any,
    bucket: str,
    prefix: str = DEFAULT_PREFIX,
    scale: float = DEFAULT_SCALE,
    seed: int = DEFAULT_SEED,
) -> Summary:
    """Write the TICKIT files under s3://bucket/prefix. Replaces a previous data set:
    Parquet partitions this call did not write are deleted."""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    data = generate(scale, seed)
    summary = Summary(bucket, prefix, seed, scale, {t: len(r) for t, r in data.rows.items()})
    bodies = {prefix + f.name: render(data, f) for f in FILES}
    for day, body in sales_parquet(data).items():
        bodies[f"{prefix}{SPECTRUM_SALES}saledate={day.isoformat()}/part-00000.parquet"] = body
    for key, body in bodies.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        summary.keys.append(key)
        summary.bytes += len(body)
    stale = [
        {"Key": item["Key"]}
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix + SPECTRUM_SALES
        )
        for item in page.get("Contents", [])
        if item["Key"] not in bodies
    ]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[start : start + 1000]})
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.tickit_data", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument(
        "--scale", type=float, default=DEFAULT_SCALE, help="1 = the tutorial's rows"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--endpoint-url", help="S3 endpoint (default: AWS_ENDPOINT_URL or AWS)")
    parser.add_argument("--create-bucket", action="store_true", help="create the bucket if missing")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be > 0")

    import boto3

    s3 = boto3.client("s3", endpoint_url=args.endpoint_url)
    if args.create_bucket:
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=args.bucket)
    try:
        summary = write(s3, args.bucket, args.prefix, args.scale, args.seed)
    except s3.exceptions.NoSuchBucket:
        parser.exit(
            1, f"bucket {args.bucket!r} does not exist: deploy it or pass --create-bucket\n"
        )
    print(json.dumps(summary.to_json()))
    return 0


if __name__ == "__main__":
    exit_with(main())
