-- The run date's ten best-selling events by revenue (ties broken by event id, so reruns
-- write identical files), unloaded as one CSV file with a header under a run-dated
-- prefix the step owns: after the UNLOAD commits, the runner deletes what this run did
-- not write there.
--
-- @param run_date date
-- @param report_uri s3_uri
-- @owns ${report_uri}run_date=${run_date}/

UNLOAD ('
    SELECT event_rank, eventid, eventname, catname, venuename, venuecity,
           tickets, revenue, commission, buyers, day_share
    FROM (
        SELECT d.*, ROW_NUMBER() OVER (ORDER BY revenue DESC, eventid) AS event_rank
        FROM tickit.daily_event_sales d
        WHERE saledate = ''${run_date}''
    ) ranked
    WHERE event_rank <= 10
    ORDER BY event_rank
')
TO '${report_uri}run_date=${run_date}/top_events_'
IAM_ROLE default
CSV
HEADER
PARALLEL OFF
ALLOWOVERWRITE;
