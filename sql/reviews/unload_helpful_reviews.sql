-- The most helpful reviews of the run date: the top 10 per marketplace and product
-- category by helpful votes (ties broken by total votes, then review id, so reruns
-- write identical files), unloaded as Parquet under a run-dated prefix.
-- CLEANPATH empties the partition folders this UNLOAD writes, and no other date's. A
-- partition the date no longer has (a day that lost its only Automotive review) keeps its
-- old file under CLEANPATH, so the step owns the run date's prefix: once the UNLOAD has
-- committed, the runner deletes what is under it that this run did not write, and the
-- prefix holds exactly the date's current report.
--
-- @param run_date date
-- @param report_uri s3_uri
-- @owns ${report_uri}run_date=${run_date}/

UNLOAD ('
    SELECT marketplace, product_category, review_id, product_id, product_title,
           star_rating, helpful_votes, total_votes, review_headline, review_date
    FROM (
        SELECT r.*,
               ROW_NUMBER() OVER (
                   PARTITION BY marketplace, product_category
                   ORDER BY helpful_votes DESC, total_votes DESC, review_id
               ) AS helpful_rank
        FROM reviews r
        WHERE review_date = ''${run_date}''
    ) ranked
    WHERE helpful_rank <= 10
')
TO '${report_uri}run_date=${run_date}/'
IAM_ROLE default
FORMAT AS PARQUET
PARTITION BY (marketplace, product_category)
CLEANPATH;
