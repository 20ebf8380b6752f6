-- Source: the SQL apache-airflow-providers-amazon 9.34.0 (the version MWAA 3.3.1 pins)
-- emits, rendered with the operators' own builders:
-- S3ToRedshiftOperator (airflow/providers/amazon/aws/transfers/s3_to_redshift.py:
-- _build_copy_query and the REPLACE and UPSERT methods of execute) and RedshiftToS3Operator
-- (redshift_to_s3.py: _build_unload_query, which wraps the query in $$...$$), for a
-- table public.sales, a role ARN in credentials and copy_options ["CSV", "IGNOREHEADER 1"].
-- s3: s3://airflow-bucket/incoming/sales.csv = airflow/sales.csv

create table public.sales (salesid integer not null, qtysold smallint not null, saletime timestamp) distkey(salesid);

-- method="APPEND"
-- expect: count 3
                    COPY public.sales 
                    FROM 's3://airflow-bucket/incoming/sales.csv'
                    credentials
                    'aws_iam_role=arn:aws:iam::123456789012:role/RedshiftS3'
                    region 'us-east-1'
                    CSV
			IGNOREHEADER 1;

-- method="REPLACE": ["BEGIN;", f"DELETE FROM {destination};", copy_statement, "COMMIT"]
BEGIN;

-- expect: count 3
DELETE FROM public.sales;

-- expect: count 3
                    COPY public.sales 
                    FROM 's3://airflow-bucket/incoming/sales.csv'
                    credentials
                    'aws_iam_role=arn:aws:iam::123456789012:role/RedshiftS3'
                    region 'us-east-1'
                    CSV
			IGNOREHEADER 1;

COMMIT;

-- method="UPSERT" with upsert_keys=["salesid"]: a #temporary copy, then delete + insert
CREATE TABLE #sales (LIKE public.sales INCLUDING DEFAULTS);

-- expect: count 3
                    COPY #sales 
                    FROM 's3://airflow-bucket/incoming/sales.csv'
                    credentials
                    'aws_iam_role=arn:aws:iam::123456789012:role/RedshiftS3'
                    
                    CSV
			IGNOREHEADER 1;

BEGIN;

-- expect: count 3
DELETE FROM public.sales USING #sales WHERE sales.salesid = #sales.salesid;

-- expect: count 3
INSERT INTO public.sales SELECT * FROM #sales;

COMMIT;

-- expect: rows
-- | 3 | 9
select count(*), sum(qtysold) from public.sales;

-- RedshiftToS3Operator(select_query=..., unload_options=["CSV", "PARALLEL OFF"], include_header=True)
-- expect: keys s3://airflow-bucket/exports/sales_
-- | exports/sales_000
                    UNLOAD ($$SELECT * FROM public.sales WHERE saletime >= '2008-01-02'$$)
                    TO 's3://airflow-bucket/exports/sales_'
                    credentials
                    'aws_iam_role=arn:aws:iam::123456789012:role/RedshiftS3'
                    CSV
			HEADER
			PARALLEL OFF;
