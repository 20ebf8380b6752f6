"""Datasets named as OpenLineage's naming spec says (https://openlineage.io/docs/spec/naming),
with one deployment's cluster, region, port and database."""

import pytest

from sqlrunner.analysis import AnalysisError, Deployment, dataset_uri, openlineage_name
from tests.analysis.helpers import s3, schema, table, uri

DEPLOYMENT = Deployment("analytics", "us-east-1", "dev", 5439)


@pytest.mark.parametrize(
    "dataset, expected",
    [
        (table("tickit.sales"), ("redshift://analytics.us-east-1:5439", "dev.tickit.sales")),
        (
            table("sample.tickit.sales"),
            ("redshift://analytics.us-east-1:5439", "sample.tickit.sales"),
        ),
        (
            s3("s3://redshift-downloads/tickit/sales_tab.txt"),
            ("s3://redshift-downloads", "tickit/sales_tab.txt"),
        ),
        (s3("s3://exports/reports/"), ("s3://exports", "reports/")),
        (s3("s3://exports"), ("s3://exports", "/")),
        (uri("dynamodb://Movies"), ("dynamodb://Movies", "/")),
        (
            uri("emr://j-SAMPLE2B500FC/myoutput/part-*"),
            ("emr://j-SAMPLE2B500FC", "myoutput/part-*"),
        ),
    ],
)
def test_dataset_names(dataset, expected):
    assert openlineage_name(dataset, DEPLOYMENT) == expected


def test_the_port_and_database_are_the_deployment_s():
    other = Deployment("etl", "eu-west-1", "Warehouse", 5440)
    assert openlineage_name(table("public.t"), other) == (
        "redshift://etl.eu-west-1:5440",
        "warehouse.public.t",
    )


def test_asset_uris():
    assert dataset_uri(table("tickit.sales"), DEPLOYMENT) == (
        "redshift://analytics.us-east-1:5439/dev.tickit.sales"
    )
    assert dataset_uri(s3("s3://exports/reports/x/"), DEPLOYMENT) == "s3://exports/reports/x/"
    assert dataset_uri(s3("s3://exports"), DEPLOYMENT) == "s3://exports/"
    assert dataset_uri(schema("tickit"), DEPLOYMENT) is None


def test_s3_prefixes_overlap_the_keys_under_them():
    export = s3("${report_uri}run_date=${run_date}/")
    assert export.overlaps(s3("${report_uri}"))
    assert s3("s3://b/reports/").overlaps(s3("s3://b/reports/x/part_00"))
    assert not s3("s3://b/reports/x/").overlaps(s3("s3://b/reports/y/"))
    assert table("public.t").overlaps(table("public.t"))
    assert not table("public.t").overlaps(table("public.t2"))
    assert not uri("dynamodb://T").overlaps(uri("dynamodb://Table"))


def test_schemas_are_not_openlineage_datasets():
    assert openlineage_name(schema("tickit"), DEPLOYMENT) is None


@pytest.mark.parametrize(
    "dataset, message",
    [
        (s3("${report_uri}x/"), "no value for parameter 'report_uri'"),
        (s3("reports/x/"), "not a URI"),
        (table("a.b.c.d"), "not a \\[database.\\]schema.table name"),
    ],
)
def test_what_cannot_be_named_is_refused(dataset, message):
    with pytest.raises(AnalysisError, match=message):
        openlineage_name(dataset, DEPLOYMENT)
