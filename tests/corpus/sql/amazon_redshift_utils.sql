-- Source: awslabs/amazon-redshift-utils, src/AdminScripts/ (current_session_info.sql,
-- generate_calendar.sql, lock_wait.sql excerpt) and src/AdminViews/: administration SQL
-- over Redshift's system tables and a Python UDF. The local stack has PostgreSQL's catalog
-- only: these are refused by name before anything runs.

/* Query showing information about sessions with currently running queries */
-- expect: ok
-- local: refused STV_SESSIONS
SELECT s.process AS pid
       ,date_Trunc ('second',s.starttime) AS S_START
       ,datediff(minutes,s.starttime,getdate ()) AS conn_mins
       ,trim(s.user_name) AS USER
       ,trim(s.db_name) AS DB
       ,date_trunc ('second',i.starttime) AS Q_START
       ,i.query
       ,trim(i.query) AS sql
FROM stv_sessions s
  LEFT JOIN stv_recents i
         ON s.process = i.pid
        AND i.status = 'Running'
WHERE s.user_name <> 'rdsdb'
ORDER BY 1;

-- expect: ok
-- local: refused Python UDF
CREATE OR REPLACE FUNCTION f_holiday(dt DATE)
RETURNS bool
STABLE
AS $$
    import pandas as pd
    from pandas.tseries.holiday import USFederalHolidayCalendar as calendar
    holidays = calendar().holidays(start='1900-01-01', end='2049-12-31')
    return dt in holidays
$$ LANGUAGE plpythonu;

-- expect: ok
-- local: refused STL_SCAN
CREATE TABLE dim_calendar DISTSTYLE ALL SORTKEY (id) AS
SELECT
 (DATE_PART('y', date_gen.dt)*10000+DATE_PART('mon', date_gen.dt)*100+DATE_PART('day', date_gen.dt))::int AS "id",
 date_gen.dt AS "date",
 DATE_PART('y', date_gen.dt)::smallint AS "year",
 DATE_PART('mon', date_gen.dt)::smallint AS "month",
 DATE_PART('day', date_gen.dt)::smallint AS "day",
 DATE_PART('qtr', date_gen.dt)::smallint AS "quarter",
 DATE_PART('w', date_gen.dt)::smallint AS "week",
 CASE DATE_PART('dow', date_gen.dt)
  WHEN 0 THEN 'Sunday'
  WHEN 1 THEN 'Monday'
  WHEN 2 THEN 'Tuesday'
  WHEN 3 THEN 'Wednesday'
  WHEN 4 THEN 'Thursday'
  WHEN 5 THEN 'Friday'
  WHEN 6 THEN 'Saturday'
 END::VARCHAR(9) AS "day_name",
 CASE  
  WHEN DATE_PART('dow', date_gen.dt)::smallint IN (0,6) THEN TRUE
  ELSE FALSE
 END::boolean AS "weekend_flag"
FROM
(SELECT 
    ('2050-01-01' - n)::date AS dt FROM (SELECT row_number() over () AS n FROM stl_scan LIMIT 54787)) date_gen;

-- The same calendar from a generated series (adapted: stl_scan replaced), which runs.
-- expect: rows
-- | 20491231 | 2049-12-31 | 2049 | 12 | 31 | 4 | 52 | Friday | f
SELECT
 (DATE_PART('y', date_gen.dt)*10000+DATE_PART('mon', date_gen.dt)*100+DATE_PART('day', date_gen.dt))::int AS "id",
 date_gen.dt AS "date",
 DATE_PART('y', date_gen.dt)::smallint AS "year",
 DATE_PART('mon', date_gen.dt)::smallint AS "month",
 DATE_PART('day', date_gen.dt)::smallint AS "day",
 DATE_PART('qtr', date_gen.dt)::smallint AS "quarter",
 DATE_PART('w', date_gen.dt)::smallint AS "week",
 CASE DATE_PART('dow', date_gen.dt)
  WHEN 0 THEN 'Sunday'
  WHEN 5 THEN 'Friday'
  ELSE 'Other'
 END::VARCHAR(9) AS "day_name",
 CASE
  WHEN DATE_PART('dow', date_gen.dt)::smallint IN (0,6) THEN TRUE
  ELSE FALSE
 END::boolean AS "weekend_flag"
FROM
(SELECT
    ('2050-01-01'::date - n)::date AS dt FROM (SELECT row_number() over () AS n FROM generate_series(1, 1))) date_gen;

-- src/AdminViews/v_get_schema_priv_by_user.sql (excerpt): privileges through the catalog
-- expect: ok
-- local: refused PG_USER_INFO
select usename, usesuper from pg_user_info where usename = current_user;

-- src/AdminScripts/lock_wait.sql (excerpt)
-- expect: ok
-- local: refused SVV_TRANSACTIONS
SELECT svv.xid, l.pid, svv.txn_owner as username,
       ROUND((EXTRACT(EPOCH FROM current_timestamp) - EXTRACT(EPOCH FROM svv.txn_start)),2) as block_sec,
       DECODE(l.granted, true, 'True', false, 'False') granted
FROM   pg_catalog.pg_locks l
INNER JOIN pg_catalog.svv_transactions svv ON l.pid = svv.pid
AND   l.relation = svv.relation
WHERE  l.pid <> pg_backend_pid();
