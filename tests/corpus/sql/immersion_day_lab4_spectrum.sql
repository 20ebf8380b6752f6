-- Source: aws-samples/redshift-immersionday-labs, lab4/README.md ("Lab 4 - Modernize Your Data
-- Warehouse with Amazon Redshift Spectrum"): the DAS table and its COPY, the blizzard query, the
-- external schema, CTAS / INSERT from Spectrum, DROP PARTITION, views WITH NO SCHEMA BINDING,
-- the "Plan for the Future" CTAS / Parquet COPY / INSERT and the age-off steps (UNLOAD, ADD
-- PARTITION, DELETE). The lab's Glue crawler is replaced by a CREATE EXTERNAL TABLE with the
-- crawled columns; small CSV and Parquet files written for this corpus, expected rows by hand.
-- s3: s3://us-west-2.serverless-analytics/NYC-Pub/green/green_tripdata_2016-01.csv = immersion/lab4/green_tripdata_2016-01.csv
-- s3: s3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2016/month=1/type=green/part-0.parquet = immersion/lab4/g201601.parquet
-- s3: s3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2016/month=1/type=yellow/part-0.parquet = immersion/lab4/y201601.parquet
-- s3: s3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2016/month=2/type=green/part-0.parquet = immersion/lab4/g201602.parquet
-- s3: s3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2015/month=10/type=green/part-0.parquet = immersion/lab4/g201510.parquet

CREATE SCHEMA workshop_das;

CREATE TABLE workshop_das.green_201601_csv
(
  vendorid                VARCHAR(4),
  pickup_datetime         TIMESTAMP,
  dropoff_datetime        TIMESTAMP,
  store_and_fwd_flag      VARCHAR(1),
  ratecode                INT,
  pickup_longitude        FLOAT4,
  pickup_latitude         FLOAT4,
  dropoff_longitude       FLOAT4,
  dropoff_latitude        FLOAT4,
  passenger_count         INT,
  trip_distance           FLOAT4,
  fare_amount             FLOAT4,
  extra                   FLOAT4,
  mta_tax                 FLOAT4,
  tip_amount              FLOAT4,
  tolls_amount            FLOAT4,
  ehail_fee               FLOAT4,
  improvement_surcharge   FLOAT4,
  total_amount            FLOAT4,
  payment_type            VARCHAR(4),
  trip_type               VARCHAR(4)
)
DISTSTYLE EVEN
SORTKEY (passenger_count,pickup_datetime);

-- header skipped, blank lines ignored, empty ehail_fee (FLOAT4) loads as NULL
-- expect: count 6
COPY workshop_das.green_201601_csv
FROM 's3://us-west-2.serverless-analytics/NYC-Pub/green/green_tripdata_2016-01.csv'
IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
DATEFORMAT 'auto'
IGNOREHEADER 1
DELIMITER ','
IGNOREBLANKLINES
;

-- expect: rows
-- | 6
select count(1) from workshop_das.green_201601_csv;

-- expect: rows
-- | 2016-01-01 | 3
-- | 2016-01-22 | 2
-- | 2016-01-23 | 1
SELECT TO_CHAR(pickup_datetime, 'YYYY-MM-DD'),
COUNT(*)
FROM workshop_das.green_201601_csv
GROUP BY 1
ORDER BY 1;

-- expect: rows
-- | 2016-01-01 00:29:24 | 1.46 | 11.16 | NULL | 1
select pickup_datetime, trip_distance, total_amount, ehail_fee, trip_type from workshop_das.green_201601_csv order by pickup_datetime desc limit 1 offset 3;

CREATE external SCHEMA adb305
FROM data catalog DATABASE 'spectrumdb'
IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
CREATE external DATABASE if not exists;

-- in place of the lab's Glue crawler
CREATE EXTERNAL TABLE adb305.ny_pub (
  vendorid varchar(4), pickup_datetime timestamp, dropoff_datetime timestamp, ratecode int,
  passenger_count int, trip_distance float8, fare_amount float8, total_amount float8, payment_type int)
PARTITIONED BY (year int, month int, type varchar(10))
STORED AS PARQUET
LOCATION 's3://us-west-2.serverless-analytics/canonical/NY-Pub/';

ALTER TABLE adb305.ny_pub ADD PARTITION (year=2016, month=1, type='green') LOCATION 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2016/month=1/type=green/';
ALTER TABLE adb305.ny_pub ADD PARTITION (year=2016, month=1, type='yellow') LOCATION 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2016/month=1/type=yellow/';
ALTER TABLE adb305.ny_pub ADD PARTITION (year=2016, month=2, type='green') LOCATION 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2016/month=2/type=green/';
ALTER TABLE adb305.ny_pub ADD PARTITION (year=2015, month=10, type='green') LOCATION 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2015/month=10/type=green/';

-- expect: rows
-- | 2016-01-01 | 1
-- | 2016-01-05 | 1
-- | 2016-01-06 | 1
-- | 2016-01-22 | 1
-- | 2016-01-23 | 1
SELECT TO_CHAR(pickup_datetime, 'YYYY-MM-DD'),
COUNT(*)
FROM adb305.ny_pub
WHERE YEAR = 2016 and Month = 01
GROUP BY 1
ORDER BY 1;

-- expect: count 3
CREATE TABLE workshop_das.taxi_201601 AS
SELECT * FROM adb305.ny_pub
WHERE year = 2016 AND month = 1 AND type = 'green';

-- expect: count 2
INSERT INTO workshop_das.taxi_201601 (
  SELECT *
  FROM adb305.ny_pub
  WHERE year = 2016 AND month = 1 AND type != 'green');

ALTER TABLE adb305.ny_pub DROP PARTITION(year=2016, month=1, type='green');
ALTER TABLE adb305.ny_pub DROP PARTITION(year=2016, month=1, type='yellow');

CREATE VIEW adb305_view_NYTaxiRides AS
  SELECT * FROM workshop_das.taxi_201601
  UNION ALL
  SELECT * FROM adb305.ny_pub
WITH NO SCHEMA BINDING;

-- DAS: 2016-01 green 3, yellow 2; Spectrum: 2016-02 green 2 (2015-10 filtered out)
-- expect: rows
-- | 2016 | 1 | green | 3
-- | 2016 | 1 | yellow | 2
-- | 2016 | 2 | green | 2
SELECT year, month, type, COUNT(*)
FROM adb305_view_NYTaxiRides
WHERE year = 2016 AND month IN (1,2)
GROUP BY 1,2,3 ORDER BY 1,2,3;

-- expect: ok
EXPLAIN
SELECT year, month, type, COUNT(*)
FROM adb305_view_NYTaxiRides
WHERE year = 2016 AND month IN (1) AND passenger_count = 4
GROUP BY 1,2,3 ORDER BY 1,2,3;

-- Plan for the Future
-- expect: count 0
CREATE TABLE workshop_das.taxi_current
DISTSTYLE EVEN
SORTKEY(year, month, type) AS
SELECT * FROM adb305.ny_pub WHERE 1 = 0;

-- expect: count 0
CREATE TABLE workshop_das.taxi_loader AS
  SELECT vendorid, pickup_datetime, dropoff_datetime, ratecode, passenger_count,
  	trip_distance, fare_amount, total_amount, payment_type
  FROM workshop_das.taxi_current
  WHERE 1 = 0;

-- expect: count 1
COPY workshop_das.taxi_loader FROM 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2015/month=10/type=green' IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftImmersionRole' FORMAT AS PARQUET;
-- expect: count 2
COPY workshop_das.taxi_loader FROM 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2016/month=2/type=green' IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftImmersionRole' FORMAT AS PARQUET;

-- expect: count 3
INSERT INTO workshop_das.taxi_current
  SELECT *, DATE_PART(year,pickup_datetime), DATE_PART(month,pickup_datetime), 'green'
  FROM workshop_das.taxi_loader;

-- expect: rows
-- | 2015 | 10 | green | 1
-- | 2016 | 2 | green | 2
select year, month, type, count(*) from workshop_das.taxi_current group by 1, 2, 3 order by 1, 2;

TRUNCATE workshop_das.taxi_loader;

CREATE OR REPLACE VIEW adb305_view_NYTaxiRides AS
   SELECT * FROM workshop_das.taxi_current
UNION ALL
  SELECT * FROM adb305.ny_pub
WITH NO SCHEMA BINDING;

ALTER TABLE adb305.ny_pub DROP PARTITION(year=2015, month=10, type='green');

-- DAS 3 rows + Spectrum 2016-02 green 2 rows
-- expect: rows
-- | 5
select count(*) from adb305_view_NYTaxiRides;

-- age-off Q4 2015: UNLOAD the DAS rows to S3 ...
-- expect: ok
UNLOAD ('SELECT vendorid, pickup_datetime, dropoff_datetime, ratecode, passenger_count, trip_distance, fare_amount, total_amount, payment_type FROM workshop_das.taxi_current WHERE year = 2015 AND month = 10')
TO 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2015/month=10/type=green/aged_'
IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
FORMAT AS PARQUET;

-- ... extend the Spectrum table over them ...
ALTER TABLE adb305.ny_pub ADD PARTITION (year=2015, month=10, type='green') LOCATION 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2015/month=10/type=green/';

-- ... and remove them from DAS
-- expect: count 1
DELETE FROM workshop_das.taxi_current WHERE year = 2015 AND month = 10;

-- the 2015-10 partition now holds the original file and the unloaded one (1 + 1 rows)
-- expect: rows
-- | 2015 | 10 | green | 2
-- | 2016 | 2 | green | 4
SELECT year, month, type, COUNT(*) FROM adb305_view_NYTaxiRides GROUP BY 1,2,3 ORDER BY 1,2,3;

-- a new file lands in a registered partition (the same UNLOAD pattern) while the view is the
-- only statement reading the table: Spectrum reads the files present when the query runs
-- expect: ok
UNLOAD ('SELECT vendorid, pickup_datetime, dropoff_datetime, ratecode, passenger_count, trip_distance, fare_amount, total_amount, payment_type FROM workshop_das.taxi_current WHERE year = 2016 AND month = 2')
TO 's3://us-west-2.serverless-analytics/canonical/NY-Pub/year=2016/month=2/type=green/late_'
IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
FORMAT AS PARQUET;

-- the same rows read by naming the external table itself (2 original + 2 unloaded)
-- expect: rows
-- | 4
SELECT COUNT(*) FROM adb305.ny_pub WHERE year = 2016 AND month = 2;
