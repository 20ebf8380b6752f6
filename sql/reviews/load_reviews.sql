-- Load one day of reviews from the data lake into Redshift through Spectrum.
-- Idempotent: the day's rows are replaced in one transaction, so a rerun or a backfill
-- of the same date leaves exactly one copy, and a failure leaves the previous copy.
--
-- @param run_date date

BEGIN;

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

COMMIT;
