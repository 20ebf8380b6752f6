-- The run date's sales as the data lake has them (Parquet read through Spectrum),
-- summed into lake_sales_daily and checked against the sales the warehouse loaded from
-- the tutorial's file: the two sources must agree on the day's sales and revenue, or
-- the run stops before anything is reported (the check rolls the day back).
--
-- @param run_date date
-- @param lake_uri s3_uri

ALTER TABLE tickit_lake.sales ADD IF NOT EXISTS
    PARTITION (saledate = '${run_date}') LOCATION '${lake_uri}saledate=${run_date}/';

CREATE TABLE IF NOT EXISTS tickit.lake_sales_daily (
    saledate date NOT NULL SORTKEY,
    sales    integer NOT NULL,
    tickets  integer NOT NULL,
    revenue  decimal(12,2) NOT NULL
);

BEGIN;

DELETE FROM tickit.lake_sales_daily WHERE saledate = '${run_date}';

INSERT INTO tickit.lake_sales_daily
SELECT saledate, count(*), sum(qtysold), sum(pricepaid)
FROM tickit_lake.sales
WHERE saledate = '${run_date}'
GROUP BY saledate;

-- @check lake_matches_warehouse: the data lake and the loaded sales agree on the run date's sales and revenue
SELECT w.sales AS warehouse_sales, coalesce(l.sales, 0) AS lake_sales,
       w.revenue AS warehouse_revenue, coalesce(l.revenue, 0) AS lake_revenue
FROM (
    SELECT count(*) AS sales, coalesce(sum(pricepaid), 0) AS revenue
    FROM tickit.sales
    WHERE CAST(saletime AS date) = '${run_date}'
) w
LEFT JOIN tickit.lake_sales_daily l ON l.saledate = '${run_date}'
WHERE w.sales <> coalesce(l.sales, 0) OR w.revenue <> coalesce(l.revenue, 0);

COMMIT;
