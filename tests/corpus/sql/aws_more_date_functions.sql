-- Source: Amazon Redshift Database Developer Guide, date and time function pages (docs.aws.amazon.com/redshift/latest/dg/...), documented results.

-- the TICKIT LISTING rows the examples show (listid 1-10)
create table listing (listid integer, listtime timestamp);

insert into listing values
(1, '2008-01-24 06:43:29'), (2, '2008-03-05 12:25:29'), (3, '2008-11-01 07:35:33'),
(4, '2008-05-24 01:18:37'), (5, '2008-05-17 02:29:11'), (6, '2008-08-15 02:08:13'),
(7, '2008-11-15 09:38:15'), (8, '2008-11-09 05:07:30'), (9, '2008-09-09 08:03:36'),
(10, '2008-06-17 09:44:54');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TIMESTAMP_CMP.html
-- expect: rows
-- | 0 | -1 | 1
SELECT TIMESTAMP_CMP('2008-01-24 06:43:29', '2008-01-24 06:43:29'), TIMESTAMP_CMP('2008-01-24 06:43:29', '2008-02-18 02:36:48'), TIMESTAMP_CMP('2008-02-18 02:36:48', '2008-01-24 06:43:29');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TIMESTAMP_CMP.html
-- expect: rows
-- | 1 | 0
-- | 2 | 0
-- | 3 | 0
-- | 4 | 0
-- | 5 | 0
-- | 6 | 0
-- | 7 | 0
-- | 8 | 0
-- | 9 | 0
-- | 10 | 0
select listid, timestamp_cmp(listtime, listtime)
from listing
order by 1 , 2
limit 10;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TIMESTAMPTZ_CMP.html
-- expect: rows
-- | 0 | -1 | 1
SELECT TIMESTAMPTZ_CMP('2008-01-24 06:43:29+00', '2008-01-24 06:43:29+00'), TIMESTAMPTZ_CMP('2008-01-24 06:43:29+00', '2008-02-18 02:36:48+00'), TIMESTAMPTZ_CMP('2008-02-18 02:36:48+00', '2008-01-24 06:43:29+00');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TIMESTAMP_CMP_DATE.html
-- expect: rows
-- | 1 | 2008-01-24 06:43:29 | -1
-- | 2 | 2008-03-05 12:25:29 | -1
-- | 3 | 2008-11-01 07:35:33 | 1
-- | 4 | 2008-05-24 01:18:37 | -1
-- | 5 | 2008-05-17 02:29:11 | -1
-- | 6 | 2008-08-15 02:08:13 | 1
-- | 7 | 2008-11-15 09:38:15 | 1
-- | 8 | 2008-11-09 05:07:30 | 1
-- | 9 | 2008-09-09 08:03:36 | 1
-- | 10 | 2008-06-17 09:44:54 | -1
select listid, listtime,
timestamp_cmp_date(listtime, '2008-06-18')
from listing
order by 1, 2, 3
limit 10;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_CMP_TIMESTAMP.html
-- expect: rows
-- | 1 | 2008-06-18 | 2008-01-24 06:43:29 | 1
-- | 2 | 2008-06-18 | 2008-03-05 12:25:29 | 1
-- | 3 | 2008-06-18 | 2008-11-01 07:35:33 | -1
-- | 4 | 2008-06-18 | 2008-05-24 01:18:37 | 1
-- | 5 | 2008-06-18 | 2008-05-17 02:29:11 | 1
-- | 6 | 2008-06-18 | 2008-08-15 02:08:13 | -1
-- | 7 | 2008-06-18 | 2008-11-15 09:38:15 | -1
-- | 8 | 2008-06-18 | 2008-11-09 05:07:30 | -1
-- | 9 | 2008-06-18 | 2008-09-09 08:03:36 | -1
-- | 10 | 2008-06-18 | 2008-06-17 09:44:54 | 1
select listid, '2008-06-18', listtime,
date_cmp_timestamp('2008-06-18', listtime)
from listing
order by 1, 2, 3, 4
limit 10;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_PART_function.html
-- expect: rows
-- | 789000
SELECT DATE_PART(microsecond, timestamp '20220502 04:05:06.789');

-- expect: rows
-- | 5
SELECT DATE_PART(month, date '20220502');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_EXTRACT_function.html
-- expect: rows
-- | 1997
select extract(year from timestamptz '1.12.1997 07:37:16.00 PST');

-- expect: rows
-- | 123
select extract(ms from time '18:25:33.123456');

-- expect: rows
-- | 123
select extract(ms from timetz '18:25:33.123456 EST');

-- expect: rows
-- | -7
select extract(timezone_hour from timetz '1.12.1997 07:37:16.00 PDT');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_Dateparts_for_datetime_functions.html
-- expect: rows
-- | 2
select extract (mil from timestamp '2000-12-16 12:21:13');

-- expect: rows
-- | 3
select extract (mil from timestamp '2001-12-16 12:21:13');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_TRUNC.html
-- expect: rows
-- | 2020-04-30 04:05:00
SELECT DATE_TRUNC('minute', TIMESTAMP '20200430 04:05:06.789');

-- expect: rows
-- | 2020-01-01 00:00:00
SELECT DATE_TRUNC('year', TIMESTAMP '20200430 04:05:06.789');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATEADD_function.html
-- expect: rows
-- | 2017-02-28 00:00:00
select dateadd(month,12,'2016-02-29');

-- expect: rows
-- | 2017-03-01 00:00:00
select dateadd(year, 1, '2016-02-29');

-- expect: rows
-- | 23:24:55+00
select dateadd(hour, 2, timetz '13:24:55 PST');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE-CONCATENATE_function.html
-- expect: rows
-- | 2000-01-01 20:00:00
select date '2000-01-01' + time '20:00:00' as ts;

-- expect: rows
-- | 2000-01-02 04:00:00+00
select date '2000-01-01' + timetz '20:00:00 PST' as ts;

-- https://docs.aws.amazon.com/redshift/latest/dg/CONVERT_TIMEZONE.html
-- expect: rows
-- | 2014-05-17 10:00:00 | 2014-05-17 14:15:00 | 2014-05-17 10:00:00 | 2014-05-17 10:00:00
SELECT CONVERT_TIMEZONE('GMT','NEWZONE +2','2014-05-17 12:00:00') as newzone_plus_2,
CONVERT_TIMEZONE('GMT','NEWZONE-2:15','2014-05-17 12:00:00') as newzone_minus_2_15,
CONVERT_TIMEZONE('GMT','America/Los_Angeles+2','2014-05-17 12:00:00') as la_plus_2,
CONVERT_TIMEZONE('GMT','GMT+2','2014-05-17 12:00:00') as gmt_plus_2;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_interval_literals.html
create table date (dateid smallint, caldate date);

insert into date values (2192, '2008-12-31');

-- expect: rows
-- | 2008-12-31 00:00:01
select caldate + interval '1 second' as dateplus from date
where caldate='12-31-2008';

-- expect: rows
-- | 2008-12-31 03:35:00
select caldate + interval '3 hours, 35 minutes' as dateplus from date
where caldate='12-31-2008';

-- expect: rows
-- | 2009-12-30 00:00:00
select caldate + interval '52 weeks' as dateplus from date
where caldate='12-31-2008';

-- expect: rows
-- | 2009-01-07 01:01:01
select caldate + interval '1w, 1h, 1m, 1s' as dateplus from date
where caldate='12-31-2008';

-- expect: rows
-- | 2008-12-31 12:00:00
select caldate + interval '0.5 days' as dateplus from date
where caldate='12-31-2008';

-- expect: rows
-- | 2022-10-15 00:00:00
select date '2023-02-15' - interval '4 months';

-- expect: rows
-- | 2022-11-30 00:00:00
select date '2023-03-31' - interval '4 months';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_PART_YEAR.html
-- expect: rows
-- | 2008-12-31 | 2008
select caldate, date_part_year(caldate)
from date
order by
dateid limit 10;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TO_CHAR.html
-- expect: rows
-- | DECEMBER -THU-31-2009 11:15PM
select to_char(timestamp '2009-12-31 23:15:59', 'MONTH-DY-DD-YYYY HH12:MIPM');

-- expect: rows
-- | DECEMBER
select to_char(date '2009-12-31', 'MONTH');

-- expect: rows
-- | 23:15:59
select to_char(timestamp '2009-12-31 23:15:59','HH24:MI:SS');

-- expect: rows
-- | JAN-24-2008 06:43AM
select to_char(listtime, 'MON-DD-YYYY HH12:MIPM') from listing where listid=1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TIMEOFDAY_function.html (returns VARCHAR)
-- expect: types character varying
select timeofday();

-- https://docs.aws.amazon.com/redshift/latest/dg/r_Date_and_time_literals.html
-- expect: types timestamp without time zone
select dateadd(day,1,'today');
