"""Every statement kind the analysis covers, on real Redshift SQL. Unless a test says
otherwise, the SQL is from the Amazon Redshift Database Developer Guide pages named in
its comment (https://docs.aws.amazon.com/redshift/latest/dg/<page>.html); TICKIT is
AWS's sample schema (c_sampledb)."""

import sys

import pytest

from sqlrunner.analysis import analyse
from tests.analysis.helpers import effects, s3, schema, table, understood, uri


def test_select_reads_every_table_of_joins_and_subqueries():
    # c_sampledb: the top five sellers in San Diego
    reads, writes, kind = effects(
        """select sellerid, username, (firstname ||' '|| lastname) as name,
        city, sum(qtysold)
        from sales, date, users
        where sales.sellerid = users.userid
        and sales.dateid = date.dateid
        and year = 2008
        and city = 'San Diego'
        group by sellerid, username, name, city
        order by 5 desc
        limit 5"""
    )
    assert reads == {table("public.sales"), table("public.date"), table("public.users")}
    assert writes == frozenset() and kind == "SELECT"


def test_scalar_and_in_subqueries_are_read():
    # Getting Started Guide, step 5: events in the 99.9 percentile of gross sales
    reads, _, _ = effects(
        """SELECT eventname, total_price
        FROM  (SELECT eventid, total_price, ntile(1000) over(order by total_price desc) as percentile
               FROM (SELECT eventid, sum(pricepaid) total_price
                     FROM   sales
                     GROUP BY eventid)) Q, event E
               WHERE Q.eventid = E.eventid
               AND percentile = 1
        ORDER BY total_price desc"""
    )
    assert reads == {table("public.sales"), table("public.event")}


def test_ctes_are_not_tables_but_what_they_read_is():
    reads, writes, _ = effects(
        """WITH venue_sales AS (
               SELECT venuename, venuecity, sum(pricepaid) AS venuename_sales
               FROM sales, venue, event
               WHERE venue.venueid = event.venueid AND event.eventid = sales.eventid
               GROUP BY venuename, venuecity),
           top_venues AS (
               SELECT venuename FROM venue_sales WHERE venuename_sales > 800000)
        SELECT venuename, venuecity, sum(pricepaid) AS venue_sales
        FROM sales, venue, event
        WHERE venue.venueid = event.venueid AND event.eventid = sales.eventid
          AND venuename IN (SELECT venuename FROM top_venues)
        GROUP BY venuename, venuecity"""
    )  # r_WITH_clause examples
    assert reads == {table("public.sales"), table("public.venue"), table("public.event")}
    assert writes == frozenset()


def test_a_cte_named_like_a_table_hides_it_only_where_it_is_visible():
    # Written for this test: inside its own body a non-recursive CTE `sales` still
    # means the real table; a schema-qualified name is never a CTE.
    reads, _, _ = effects(
        """WITH sales AS (SELECT * FROM sales WHERE qtysold > 1),
                totals AS (SELECT sum(pricepaid) AS total FROM sales)
        SELECT * FROM sales, totals, tickit.sales AS archived"""
    )
    assert reads == {table("public.sales"), table("tickit.sales")}


def test_recursive_cte_refers_to_itself():
    # r_WITH_clause: recursive CTE over the employee table
    reads, _, _ = effects(
        """WITH RECURSIVE john_org(id, name, manager_id, level) AS
        ( SELECT id, name, manager_id, 1 AS level
          FROM employee
          WHERE name = 'John'
          UNION ALL
          SELECT e.id, e.name, e.manager_id, level + 1 AS next_level
          FROM employee e, john_org j
          WHERE e.manager_id = j.id and level < 4
        )
        SELECT distinct id, name, manager_id FROM john_org ORDER BY manager_id"""
    )
    assert reads == {table("public.employee")}


def test_insert_select_writes_the_target_and_reads_the_query():
    # merge-examples: add duplicate rows to SALES_UPDATE
    reads, writes, kind = effects(
        """insert into sales_update
        select (salesid + 172456) as salesid, listid, sellerid, buyerid, eventid, dateid,
               qtysold, pricepaid, commission, getdate() as saletime
        from sales_update
        where saletime > '2008-11-30'
        and mod(sellerid, 4) = 0"""
    )
    assert (reads, writes, kind) == (
        {table("public.sales_update")},
        {table("public.sales_update")},
        "INSERT",
    )


def test_insert_values_with_a_column_list():
    # r_INSERT_30 examples
    reads, writes, _ = effects("insert into category_stage (catid, catgroup) values (20, default)")
    assert reads == frozenset() and writes == {table("public.category_stage")}


def test_update_from_and_delete_using():
    # merge-examples: merge that replaces existing rows / specifies a column list
    reads, writes, kind = effects(
        """update sales
        set qtysold = stagesales.qtysold,
        pricepaid = stagesales.pricepaid
        from stagesales
        where sales.salesid = stagesales.salesid
        and sales.listid = stagesales.listid
        and stagesales.saletime > '2008-11-30'
        and (sales.qtysold != stagesales.qtysold
        or sales.pricepaid != stagesales.pricepaid)"""
    )
    assert (reads, writes, kind) == (
        {table("public.stagesales")},
        {table("public.sales")},
        "UPDATE",
    )
    reads, writes, kind = effects(
        """delete from sales
        using stagesales
        where sales.salesid = stagesales.salesid
        and sales.listid = stagesales.listid
        and sales.saletime > '2008-11-30'"""
    )
    assert (reads, writes, kind) == (
        {table("public.stagesales")},
        {table("public.sales")},
        "DELETE",
    )


def test_delete_with_a_subquery_reads_it():
    # r_DELETE examples
    reads, writes, _ = effects(
        "delete from event where eventname='LeAnn Rimes' "
        "and venueid in (select venueid from venue where venuecity='Nashville')"
    )
    assert reads == {table("public.venue")} and writes == {table("public.event")}


def test_merge():
    # r_MERGE examples
    reads, writes, kind = effects(
        """MERGE INTO target USING source ON target.id = source.id
        WHEN MATCHED THEN UPDATE SET id = source.id, name = source.name
        WHEN NOT MATCHED THEN INSERT VALUES (source.id, source.name)"""
    )
    assert (reads, writes, kind) == ({table("public.source")}, {table("public.target")}, "MERGE")


def test_merge_from_a_subquery_in_another_schema():
    # Written for this test: the usual upsert of a staging query into a mart table.
    reads, writes, _ = effects(
        """MERGE INTO mart.daily_sales USING (
            SELECT dateid, sum(pricepaid) AS total FROM tickit.sales GROUP BY dateid
        ) AS s ON mart.daily_sales.dateid = s.dateid
        WHEN MATCHED THEN UPDATE SET total = s.total
        WHEN NOT MATCHED THEN INSERT (dateid, total) VALUES (s.dateid, s.total)"""
    )
    assert reads == {table("tickit.sales")} and writes == {table("mart.daily_sales")}


def test_truncate():
    # r_TRUNCATE examples
    assert effects("truncate category")[1:] == ({table("public.category")}, "TRUNCATE")
    assert effects("TRUNCATE TABLE tickit.date")[1] == {table("tickit.date")}


def test_create_table_as_and_its_table_attributes():
    # r_CTAS_examples
    reads, writes, kind = effects(
        """create table eventdistsort
        distkey (1)
        sortkey (1,3)
        as
        select eventid, venueid, dateid, eventname
        from event"""
    )
    assert (reads, writes, kind) == (
        {table("public.event")},
        {table("public.eventdistsort")},
        "CREATE TABLE AS",
    )
    assert understood("create table event_backup as select * from event").statements[
        0
    ].requires == {schema("public")}


def test_create_table_with_redshift_column_and_table_attributes():
    # Getting Started Guide, step 4: the SALES table
    reads, writes, kind = effects(
        """create table sales(
        salesid integer not null,
        listid integer not null distkey,
        sellerid integer not null,
        buyerid integer not null,
        eventid integer not null,
        dateid smallint not null sortkey,
        qtysold smallint not null,
        pricepaid decimal(8,2),
        commission decimal(8,2),
        saletime timestamp)"""
    )
    assert (reads, writes, kind) == (frozenset(), {table("public.sales")}, "CREATE TABLE")


def test_create_table_like_and_references_require_the_other_table():
    # r_CREATE_TABLE_examples (LIKE); the REFERENCES clause is written for this test
    result = understood(
        "create table tickit.eventcopy (like event);\n"
        "create table tickit.listing2 (listid integer references tickit.listing (listid), n int)"
    )
    first, second = result.statements
    assert first.requires == {table("public.event"), schema("tickit")}
    assert first.reads == frozenset() and first.writes == {table("tickit.eventcopy")}
    assert second.requires == {table("tickit.listing"), schema("tickit")}


def test_select_into_creates_a_table_and_into_temp_does_not():
    # r_SELECT_INTO examples
    reads, writes, kind = effects("select * into newevent from event")
    assert (reads, writes, kind) == (
        {table("public.event")},
        {table("public.newevent")},
        "SELECT INTO",
    )
    reads, writes, _ = effects(
        """select username, lastname, sum(pricepaid-commission) as profit
        into temp table profits
        from sales, users
        where sales.sellerid=users.userid
        group by 1, 2
        order by 3 desc"""
    )
    assert reads == {table("public.sales"), table("public.users")}
    assert writes == frozenset()


def test_drop_tables_and_views():
    # r_DROP_TABLE: dropping two tables at once; r_DROP_VIEW
    writes = effects("drop table feedback, buyers cascade")[1]
    assert writes == {table("public.feedback"), table("public.buyers")}
    assert effects("drop view if exists eventview")[1] == {table("public.eventview")}
    assert effects("drop materialized view tickets_mv")[1] == {table("public.tickets_mv")}


def test_views_read_what_their_query_reads():
    # r_CREATE_VIEW: a late-binding view
    reads, writes, kind = effects(
        "create view event_vw as select * from public.event with no schema binding"
    )
    assert (reads, writes, kind) == (
        {table("public.event")},
        {table("public.event_vw")},
        "CREATE VIEW",
    )
    # materialized-view-create-sql-command examples
    reads, writes, kind = effects(
        """CREATE MATERIALIZED VIEW tickets_mv AS
            select   catgroup,
            sum(qtysold) as sold
            from     category c, event e, sales s
            where    c.catid = e.catid
            and      e.eventid = s.eventid
            group by catgroup"""
    )
    assert reads == {table("public.category"), table("public.event"), table("public.sales")}
    assert writes == {table("public.tickets_mv")} and kind == "CREATE MATERIALIZED VIEW"
    assert effects("REFRESH MATERIALIZED VIEW tickets_mv")[1] == {table("public.tickets_mv")}


def test_copy_reads_its_s3_source_and_writes_the_table():
    # Getting Started Guide, step 4: load SALES (tab-delimited, TIMEFORMAT)
    reads, writes, kind = effects(
        """COPY sales
            FROM 's3://redshift-downloads/tickit/sales_tab.txt'
            DELIMITER '\\t'
            TIMEFORMAT 'MM/DD/YYYY HH:MI:SS'
            REGION 'us-east-1'
            IAM_ROLE default"""
    )
    assert (reads, writes, kind) == (
        {s3("s3://redshift-downloads/tickit/sales_tab.txt")},
        {table("public.sales")},
        "COPY",
    )


def test_copy_with_a_column_list_a_manifest_and_a_jsonpaths_file():
    # r_COPY_command_examples: column list; a manifest; JSON with a JSONPaths file
    reads, writes, _ = effects(
        "copy venue(venueid, venuecity, venuestate) from 's3://mybucket/data/venue_pipe.txt' "
        "iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole' delimiter '|'"
    )
    assert reads == {s3("s3://mybucket/data/venue_pipe.txt")}
    assert writes == {table("public.venue")}
    reads, _, _ = effects(
        "copy customer from 's3://mybucket/cust.manifest' "
        "iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole' format as orc manifest"
    )
    assert reads == {s3("s3://mybucket/cust.manifest")}
    reads, _, _ = effects(
        "copy category from 's3://mybucket/category_object_paths.json' "
        "iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole' "
        "json 's3://mybucket/category_jsonpath.json'"
    )
    assert reads == {
        s3("s3://mybucket/category_object_paths.json"),
        s3("s3://mybucket/category_jsonpath.json"),
    }


def test_copy_from_dynamodb_or_emr_reads_that_uri():
    # r_COPY_command_examples
    reads, writes, _ = effects(
        "copy favoritemovies from 'dynamodb://Movies' "
        "iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole' readratio 50"
    )
    assert reads == {uri("dynamodb://Movies")} and writes == {table("public.favoritemovies")}


def test_unload_reads_its_query_and_writes_its_prefix():
    # r_UNLOAD_command_examples: a window function over four TICKIT tables
    reads, writes, kind = effects(
        """unload ('select venuecity, venuestate, caldate, pricepaid,
        sum(pricepaid) over(partition by venuecity, venuestate
        order by caldate rows between 3 preceding and 3 following) as winsum
        from sales join date on sales.dateid=date.dateid
        join event on event.eventid=sales.eventid
        join venue on event.venueid=venue.venueid
        order by 1,2')
        to 's3://mybucket/tickit/winsum'
        iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'"""
    )
    assert reads == {
        table("public.sales"),
        table("public.date"),
        table("public.event"),
        table("public.venue"),
    }
    assert writes == {s3("s3://mybucket/tickit/winsum")} and kind == "UNLOAD"


def test_unload_query_with_doubled_quotes_and_a_manifest():
    # r_UNLOAD_command_examples: quotes inside the query are doubled
    reads, writes, _ = effects(
        """unload ('select * from venue where venuestate=''NV''')
        to 's3://mybucket/unload/venue_pipe_'
        iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
        manifest"""
    )
    assert reads == {table("public.venue")}
    assert writes == {s3("s3://mybucket/unload/venue_pipe_")}


def test_spectrum_schema_table_and_partitions():
    # c-getting-started-using-spectrum-create-external-table and r_ALTER_TABLE examples
    result = understood(
        """create external schema myspectrum_schema
        from data catalog
        database 'myspectrum_db'
        iam_role 'arn:aws:iam::123456789012:role/myspectrum_role'
        create external database if not exists;

        create external table myspectrum_schema.sales(
        salesid integer,
        listid integer,
        saletime timestamp)
        row format delimited
        fields terminated by '\\t'
        stored as textfile
        location 's3://redshift-downloads/tickit/spectrum/sales/'
        table properties ('numRows'='172000');

        alter table myspectrum_schema.sales add if not exists
        partition(saledate='2008-01-01')
        location 's3://awssampledbuswest2/tickit/spectrum/sales_partition/saledate=2008-01/'
        partition(saledate='2008-02-01')
        location 's3://awssampledbuswest2/tickit/spectrum/sales_partition/saledate=2008-02/';
        """
    )
    create_schema, create_table, add_partitions = result.statements
    assert create_schema.kind == "CREATE EXTERNAL SCHEMA"
    assert create_schema.writes == {schema("myspectrum_schema")}
    assert result.external_schemas["myspectrum_schema"].database == "myspectrum_db"
    assert result.external_schemas["myspectrum_schema"].source == "DATA CATALOG"
    # registering the table in the catalog is a write; its S3 data is not read yet
    assert create_table.kind == "CREATE EXTERNAL TABLE"
    assert create_table.writes == {table("myspectrum_schema.sales")}
    assert create_table.reads == frozenset()
    assert create_table.requires == {schema("myspectrum_schema")}
    assert add_partitions.writes == {table("myspectrum_schema.sales")}
    assert result.external_tables["myspectrum_schema.sales"].locations == (
        "s3://redshift-downloads/tickit/spectrum/sales/",
        "s3://awssampledbuswest2/tickit/spectrum/sales_partition/saledate=2008-01/",
        "s3://awssampledbuswest2/tickit/spectrum/sales_partition/saledate=2008-02/",
    )


def test_a_spectrum_table_the_file_defines_is_read_through_its_location():
    # Written for this test, after c-getting-started-using-spectrum-query-s3-data
    result = understood(
        """create external table spectrum.sales(salesid integer, saletime timestamp)
        stored as parquet location 's3://lake/tickit/spectrum/sales/';
        insert into public.sales_copy select * from spectrum.sales;"""
    )
    assert result.statements[-1].reads == {
        table("spectrum.sales"),
        s3("s3://lake/tickit/spectrum/sales/"),
    }


def test_create_external_table_as_select_writes_its_location():
    # r_CREATE_EXTERNAL_TABLE examples (CETAS)
    result = understood(
        """CREATE EXTERNAL TABLE spectrum.partitioned_lineitem
        PARTITIONED BY (l_shipdate, l_shipmode)
        STORED AS parquet
        LOCATION 'S3://mybucket/cetas/partitioned_lineitem/'
        AS SELECT l_orderkey, l_shipmode, l_shipdate, l_partkey FROM local_table"""
    )
    (statement,) = result.statements
    assert statement.kind == "CREATE EXTERNAL TABLE AS"
    assert statement.reads == {table("public.local_table")}
    assert statement.writes == {
        table("spectrum.partitioned_lineitem"),
        s3("S3://mybucket/cetas/partitioned_lineitem/"),
    }


def test_other_external_schemas_name_their_source():
    # r_CREATE_EXTERNAL_SCHEMA examples: Hive metastore, a datashare
    result = understood(
        "create external schema hive_schema from hive metastore database 'hive_db' "
        "uri '172.10.10.10' port 99 iam_role 'arn:aws:iam::123456789012:role/MySpectrumRole';\n"
        "CREATE EXTERNAL SCHEMA sales_schema FROM REDSHIFT DATABASE 'sales_db' SCHEMA 'public'"
    )
    assert result.external_schemas["hive_schema"].source == "HIVE METASTORE"
    assert result.external_schemas["sales_schema"].source == "REDSHIFT"
    assert result.writes == {schema("hive_schema"), schema("sales_schema")}


def test_alter_table_rename_and_append():
    # r_ALTER_TABLE examples; r_ALTER_TABLE_APPEND examples
    assert effects("alter table users rename to users_bkup")[1] == {
        table("public.users"),
        table("public.users_bkup"),
    }
    reads, writes, kind = effects("alter table sales append from sales_monthly")
    assert kind == "ALTER TABLE APPEND"
    assert reads == {table("public.sales_monthly")}
    assert writes == {table("public.sales"), table("public.sales_monthly")}


def test_schemas_are_created_and_dropped():
    # r_CREATE_SCHEMA, r_DROP_SCHEMA examples
    assert effects("create schema if not exists us_sales authorization dwuser")[1] == {
        schema("us_sales")
    }
    assert effects("drop schema s_sales cascade")[1] == {schema("s_sales")}


def test_temp_tables_stay_inside_the_file():
    # merge-examples: a merge that replaces existing rows, through a temp staging table
    result = understood(
        """create temp table stagesales as
        select * from sales_update
        where sales_update.saletime > '2008-11-30'
        and sales_update.salesid = (select sales.salesid from sales
        where sales.salesid = sales_update.salesid
        and sales.listid = sales_update.listid
        and (sales_update.qtysold != sales.qtysold
        or sales_update.pricepaid != sales.pricepaid));

        begin transaction;

        delete from sales
        using stagesales
        where sales.salesid = stagesales.salesid
        and sales.listid = stagesales.listid
        and sales.saletime > '2008-11-30';

        insert into sales
        select * from stagesales;

        end transaction;

        drop table stagesales;
        """
    )
    assert result.reads == {table("public.sales_update"), table("public.sales")}
    assert result.writes == {table("public.sales")}
    assert [s.kind for s in result.statements] == [
        "CREATE TABLE AS",
        "BEGIN",
        "DELETE",
        "INSERT",
        "END",
        "DROP TABLE",
    ]


def test_hash_temp_tables_and_schema_qualified_names_around_them():
    # Written for this test: `#stage` is temporary (r_CREATE_TABLE_NEW); once a temp
    # table `stage` exists an unqualified `stage` is it, while `public.stage` is still
    # the permanent table; a temp table cannot be created in a schema.
    result = understood(
        """CREATE TABLE #orders (LIKE tickit.sales);
        INSERT INTO #orders SELECT * FROM tickit.sales WHERE qtysold > 2;
        CREATE TEMP TABLE stage (LIKE tickit.sales);
        INSERT INTO stage SELECT * FROM #orders;
        INSERT INTO public.stage SELECT * FROM stage;
        CREATE TABLE stage (LIKE tickit.sales);
        INSERT INTO tickit.big_sales SELECT * FROM pg_temp.stage;
        DROP TABLE stage;
        INSERT INTO tickit.after_drop SELECT * FROM stage;
        """
    )
    assert result.reads == {table("tickit.sales"), table("public.stage")}
    assert result.writes == {
        table("public.stage"),
        table("tickit.big_sales"),
        table("tickit.after_drop"),
    }
    created = result.statements[5]
    assert (created.kind, created.writes) == ("CREATE TABLE", {table("public.stage")})
    bad = analyse("CREATE TEMP TABLE tickit.stage (a int)", "t.sql")
    assert [u.reason for u in bad.unknown] == ["a temporary table cannot be schema-qualified"]


def test_quoted_and_three_part_names():
    # r_names: delimited identifiers fold to lower case unless enable_case_sensitive_identifier;
    # a three-part name keeps its database.
    reads, writes, _ = effects(
        'INSERT INTO "Mart"."Daily ""Sales""" SELECT * FROM dev.tickit.sales JOIN "USERS" u ON true'
    )
    assert writes == {table('mart.daily "sales"')}
    assert reads == {table("dev.tickit.sales"), table("public.users")}


def test_search_path_decides_unqualified_names():
    # Getting Started Guide, step 5 (set search_path to tickit), then r_search_path
    result = understood(
        """set search_path to tickit;
        SELECT sum(qtysold) FROM sales, date WHERE sales.dateid = date.dateid;
        SET search_path = '$user', mart, public;
        INSERT INTO daily SELECT 1;
        RESET search_path;
        INSERT INTO daily SELECT 2;
        """
    )
    assert result.reads == {table("tickit.sales"), table("tickit.date")}
    assert result.writes == {table("mart.daily"), table("public.daily")}


def test_system_tables_are_not_pipeline_data():
    # loading-data-copy-job: reading the load log is not reading a dataset
    reads, _, _ = effects(
        """SELECT job_id, job_name, data_source, copy_query, filename, status, curtime
        FROM sys_copy_job copyjob
        JOIN stl_load_commits loadcommit ON copyjob.job_id = loadcommit.copy_job_id
        JOIN pg_catalog.pg_class c ON true"""
    )
    assert reads == frozenset()


def test_statements_without_dataset_effects():
    result = understood(
        """BEGIN; START TRANSACTION; ANALYZE sales; VACUUM DELETE ONLY sales TO 75 PERCENT;
        GRANT SELECT ON sales TO GROUP analysts; COMMENT ON TABLE sales IS 'x';
        LOCK sales; CREATE USER etl PASSWORD DISABLE; SET statement_timeout TO 60000;
        COMMIT; ROLLBACK; END;"""
    )
    assert result.reads == frozenset() and result.writes == frozenset()
    assert len(result.statements) == 12


@pytest.mark.parametrize(
    "sql, reason",
    [
        ("call test_sp1(3,'book')", "CALL test_sp1: a stored procedure's effects are unknown"),
        ("EXECUTE my_plan(1)", "EXECUTE runs SQL the analysis cannot see"),
        ("FROBNICATE sales", "FROBNICATE is not understood"),
        ("CREATE EXTERNAL TABLE s.t (a int) STORED AS PARQUET", "expected LOCATION 's3://...'"),
    ],
)
def test_what_is_not_understood_is_reported_with_its_line(sql, reason):
    result = analyse(f"-- header\nSELECT 1;\n\n{sql};\nSELECT 2", "steps/x.sql")
    (unknown,) = result.unknown
    assert unknown.reason == reason
    assert (unknown.file, unknown.line, unknown.statement) == ("steps/x.sql", 4, 2)
    assert str(unknown).startswith(f"steps/x.sql:4: statement 2: {reason}: ")
    with pytest.raises(Exception, match=r"steps/x\.sql: 1 statement"):
        result.check()


def test_an_unparseable_query_is_reported_not_guessed():
    result = analyse("SELECT * FROM (SELECT 1", "bad.sql")
    (unknown,) = result.unknown
    assert unknown.reason.startswith("sqlglot cannot parse it")
    assert result.statements == ()


def test_without_sqlglot_the_error_says_which_extra_to_install(monkeypatch):
    from sqlrunner.analysis import AnalysisError, queries

    monkeypatch.setattr(queries, "_sqlglot", None)
    monkeypatch.setitem(sys.modules, "sqlglot", None)  # what `import sqlglot` fails on
    with pytest.raises(AnalysisError, match=r"pip install 'sqlrunner\[lineage\]'"):
        analyse("SELECT * FROM sales", "x.sql")
