"""The repository's own pipeline SQL (sql/reviews), analysed file by file and as a
pipeline: Spectrum tables one step creates are read by another, through their S3
locations."""

from pathlib import Path

import pytest

from sqlrunner.analysis import (
    Deployment,
    analyse,
    dataset_uri,
    external_tables,
    openlineage_name,
    with_locations,
)
from tests.analysis.helpers import s3, schema, table

REVIEWS = Path(__file__).resolve().parents[2] / "sql" / "reviews"
CATEGORIES = (
    "Apparel",
    "Automotive",
    "Baby",
    "Beauty",
    "Books",
    "Camera",
    "Grocery",
    "Furniture",
    "Watches",
    "Lawn_and_Garden",
)


@pytest.fixture(scope="module")
def reviews():
    return {
        path.stem: analyse(path.read_text(), str(path)).check()
        for path in sorted(REVIEWS.glob("*.sql"))
    }


def test_create_schema(reviews):
    result = reviews["create_schema"]
    assert result.reads == frozenset()
    assert result.writes == {
        schema("reviews_lake"),
        table("reviews_lake.reviews"),
        table("public.reviews"),
    }
    assert result.external_schemas["reviews_lake"].database == "reviews_lake"
    locations = result.external_tables["reviews_lake.reviews"].locations
    assert locations[0] == "${lake_uri}"
    assert locations[1:] == tuple(f"${{lake_uri}}product_category={c}/" for c in CATEGORIES)


def test_load_reviews(reviews):
    result = reviews["load_reviews"]
    # its data check reads back the rows it loaded
    assert result.reads == {table("reviews_lake.reviews"), table("public.reviews")}
    assert result.writes == {table("public.reviews")}
    kinds = [s.kind for s in result.statements]
    assert kinds == ["BEGIN", "LOCK", "DELETE", "INSERT", "SELECT", "COMMIT"]


def test_unload_helpful_reviews(reviews):
    result = reviews["unload_helpful_reviews"]
    assert result.reads == {table("public.reviews")}
    assert result.writes == {s3("${report_uri}run_date=${run_date}/")}


def test_reading_a_spectrum_table_reads_its_location(reviews):
    tables = external_tables(list(reviews.values()))
    load = reviews["load_reviews"]

    expanded = with_locations(load, tables)
    # the partitions are under the table's LOCATION: one S3 read covers them
    assert expanded.reads == {
        table("reviews_lake.reviews"),
        table("public.reviews"),
        s3("${lake_uri}"),
    }
    assert expanded.writes == load.writes


def test_openlineage_names_for_a_deployment(reviews):
    deployment = Deployment("etl-cluster", "eu-west-1", "dev")
    values = {
        "run_date": "2015-06-15",
        "report_uri": "s3://etl-data/reports/helpful_reviews/",
        "lake_uri": "s3://etl-data/lake/reviews/parquet/",
    }
    names = {
        openlineage_name(dataset, deployment, values)
        for dataset in reviews["unload_helpful_reviews"].reads
        | reviews["unload_helpful_reviews"].writes
    }
    assert names == {
        ("redshift://etl-cluster.eu-west-1:5439", "dev.public.reviews"),
        ("s3://etl-data", "reports/helpful_reviews/run_date=2015-06-15/"),
    }
    assert dataset_uri(s3("${lake_uri}"), deployment, values) == (
        "s3://etl-data/lake/reviews/parquet/"
    )
