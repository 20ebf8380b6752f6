"""`${param}` placeholders wherever a parameter may stand: the analysis keeps them in the
names as templates, and renders them with a run's values."""

import pytest

from sqlrunner import params
from sqlrunner.analysis import AnalysisError, analyse
from sqlrunner.analysis.sentinels import _MAKERS, sentinel
from sqlrunner.errors import ParamError
from tests.analysis.helpers import s3, schema, table, understood

HEADER = """-- @param run_date date
-- @param since timestamp
-- @param batch integer
-- @param schema identifier
-- @param target identifier
-- @param source identifier
-- @param lake_uri s3_uri
-- @param export_uri s3_uri
"""


@pytest.mark.parametrize("kind", sorted(_MAKERS))
def test_every_sentinel_is_a_valid_value_of_its_type(kind):
    for number in (0, 7, 998):
        assert params.validate(kind, sentinel(kind, number)) == sentinel(kind, number)


def test_identifier_params_as_schema_table_or_whole_name():
    result = understood(
        HEADER
        + """
        INSERT INTO ${schema}.daily_sales SELECT * FROM ${source} WHERE saletime >= '${since}';
        DELETE FROM ${target} USING tickit.${source} s WHERE ${target}.id = s.id;
        CREATE TABLE IF NOT EXISTS ${schema}.${target} (id int);
        TRUNCATE ${schema}.stage;
        MERGE INTO ${target} USING ${schema}.stage s ON ${target}.id = s.id
          WHEN MATCHED THEN DELETE;
        DROP TABLE IF EXISTS ${schema}.stage;
        """
    )
    assert result.reads == {
        table("${source}", "public"),
        table("tickit.${source}"),
        table("${schema}.stage"),
    }
    assert result.writes == {
        table("${schema}.daily_sales"),
        table("${target}", "public"),
        table("${schema}.${target}"),
        table("${schema}.stage"),
    }
    create = result.statements[2]
    assert create.requires == {schema("${schema}")}


def test_search_path_from_a_parameter_qualifies_later_names():
    result = understood(
        HEADER + "SET search_path TO ${schema}, public;\nINSERT INTO daily SELECT * FROM ${source};"
    )
    assert result.writes == {table("${schema}.daily")}
    assert result.reads == {table("${source}", "${schema}")}


def test_s3_params_in_copy_unload_and_spectrum_locations():
    result = understood(
        HEADER
        + """
        COPY tickit.sales FROM '${lake_uri}sales/saledate=${run_date}/'
          IAM_ROLE default FORMAT AS PARQUET;
        COPY tickit.events FROM '${export_uri}events.manifest' IAM_ROLE default MANIFEST
          JSON '${export_uri}jsonpaths/events_${batch}.json';
        UNLOAD ('SELECT * FROM ${schema}.daily_sales WHERE saledate = ''${run_date}''')
          TO '${export_uri}daily/run_date=${run_date}/batch=${batch}/' IAM_ROLE default;
        CREATE EXTERNAL TABLE spectrum.sales (salesid int)
          PARTITIONED BY (saledate date) STORED AS PARQUET LOCATION '${lake_uri}sales/';
        ALTER TABLE spectrum.sales ADD IF NOT EXISTS
          PARTITION (saledate = '${run_date}') LOCATION '${lake_uri}sales/saledate=${run_date}/';
        """
    )
    copy, copy_manifest, unload, create, alter = result.statements
    assert copy.reads == {s3("${lake_uri}sales/saledate=${run_date}/")}
    assert copy_manifest.reads == {
        s3("${export_uri}events.manifest"),
        s3("${export_uri}jsonpaths/events_${batch}.json"),
    }
    assert unload.reads == {table("${schema}.daily_sales")}
    assert unload.writes == {s3("${export_uri}daily/run_date=${run_date}/batch=${batch}/")}
    assert result.external_tables["spectrum.sales"].locations == (
        "${lake_uri}sales/",
        "${lake_uri}sales/saledate=${run_date}/",
    )
    assert create.writes == alter.writes == {table("spectrum.sales")}


def test_templates_render_with_a_run_s_values():
    result = understood(
        HEADER
        + """
        INSERT INTO ${target} SELECT * FROM ${schema}.${source};
        UNLOAD ('SELECT 1') TO '${export_uri}run_date=${run_date}/' IAM_ROLE default;
        """
    )
    values = params.bind(
        params.parse_declarations(HEADER),
        {
            "run_date": "2008-06-15",
            "since": "2008-06-15 00:00:00",
            "batch": 3,
            "schema": "Mart",
            "target": "tickit.Daily_Sales",
            "source": "sales",
            "lake_uri": "s3://lake-bucket/tickit/",
            "export_uri": "s3://exports/reports/",
        },
    )
    rendered = {dataset.render(values) for dataset in result.reads | result.writes}
    assert rendered == {
        table("tickit.daily_sales"),
        table("mart.sales"),
        s3("s3://exports/reports/run_date=2008-06-15/"),
    }
    # an unqualified identifier value lands in the schema search_path gave the statement
    assert table("${target}", "public").render({"target": "daily"}) == table("public.daily")
    with pytest.raises(AnalysisError, match="no value for parameter 'run_date'"):
        s3("${export_uri}run_date=${run_date}/").render({"export_uri": "s3://b/"})


def test_the_file_s_params_are_those_its_datasets_use():
    result = understood(HEADER + "UNLOAD ('SELECT 1') TO '${export_uri}x/' IAM_ROLE default;")
    assert result.params == {"export_uri"}


def test_an_undeclared_placeholder_is_refused_with_its_line():
    with pytest.raises(ParamError) as error:
        analyse("-- @param run_date date\nSELECT 1;\nDELETE FROM t WHERE d = '${day}'", "x.sql")
    assert error.value.line == 3
    assert "placeholder ${day} is not declared" in str(error.value)


def test_declarations_can_be_given_instead_of_read_from_the_header():
    declarations = {"target": params.Declaration("target", "identifier", None, 1)}
    result = analyse("INSERT INTO ${target} SELECT 1", "x.sql", declarations)
    assert result.writes == {table("${target}", "public")}
