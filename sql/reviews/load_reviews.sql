-- Load one day of reviews from the data lake into Redshift through Spectrum.
-- Idempotent: the day's rows are replaced in one transaction, so a rerun or a backfill
-- of the same date leaves exactly one copy, and a failure leaves the previous copy.
--
-- Two runs of the same date may overlap (a schedule delivered twice, a rerun meeting the
-- scheduled run). LOCK, first in the transaction, makes the second wait until the first
-- commits; only then does its DELETE look at the table, so it deletes the first run's rows
-- and the day ends loaded once. Without it, under READ COMMITTED (PostgreSQL) both DELETEs
-- see no rows of the other and both INSERTs stand. LOCK [TABLE] name takes an ACCESS
-- EXCLUSIVE lock on Redshift and on PostgreSQL alike (Redshift LOCK reference; PostgreSQL
-- "Explicit Locking"); readers of reviews wait for the load to commit, seconds.
--
-- @param run_date date
-- @param min_rows integer default 1

BEGIN;

LOCK reviews;

DELETE FROM reviews WHERE review_date = '${run_date}';

INSERT INTO reviews (
    marketplace, customer_id, review_id, product_id, product_parent, product_title,
    star_rating, helpful_votes, total_votes, vine, verified_purchase, review_headline,
    review_date, year, product_category
)
SELECT
    marketplace, customer_id, review_id, product_id, product_parent, product_title,
    star_rating, helpful_votes, total_votes, vine, verified_purchase, review_headline,
    review_date, year, product_category
FROM reviews_lake.reviews
WHERE review_date = '${run_date}';

-- An empty day is missing data, not a quiet day: the run fails and the previous rows stay
-- (the check rolls the transaction back). A spec that accepts empty days sets min_rows 0.
-- @check lake_has_the_day: the data lake has at least min_rows reviews for the run date
SELECT count(*) AS loaded_rows, ${min_rows} AS min_rows
FROM reviews
WHERE review_date = '${run_date}'
HAVING count(*) < ${min_rows};

COMMIT;
