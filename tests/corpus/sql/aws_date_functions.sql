-- Source: Amazon Redshift Database Developer Guide, "Date and time functions"
-- (https://docs.aws.amazon.com/redshift/latest/dg/Date_functions_header.html): the
-- examples of each function's page with literal inputs, and the documented results.

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATEADD_function.html
-- expect: rows
-- | 2009-08-28 00:00:00
select dateadd(month,18,'2008-02-28');

-- expect: rows
-- | 2008-02-28 00:30:00
select dateadd(m,30,'2008-02-28');

-- expect: rows
-- | 21:24:55
select dateadd(hour, 8, time '13:24:55');

-- expect: rows
-- | 01:24:55
select dateadd(hour, 12, time '13:24:55');

-- expect: rows
-- | 2008-05-30 00:00:00
select dateadd(month,1,'2008-04-30');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html
-- expect: rows
-- | 52
select datediff(week,'2009-01-01','2009-12-31') as numweeks;

-- expect: rows
-- | 53
select datediff(hour, '2023-01-01', '2023-01-03 05:04:03');

-- expect: rows
-- | 60
select datediff(minute, time '20:00:00', time '21:00:00') as nummins;

-- expect: types bigint
select datediff(day, '2009-01-01', '2009-03-23');

create table date_table (start_date date, end_date date);

insert into date_table values ('2009-01-01', '2009-03-23'), ('2023-01-04', '2024-05-04');

-- expect: rows
-- | 81
-- | 486
select datediff(day, start_date, end_date) as duration from date_table order by 1;

create table time_test (time_val time);

insert into time_test values ('20:00:00'), ('00:00:00.5550'), ('00:58:00');

-- expect: rows
-- | -5
-- | 15
-- | 15
select datediff(hour, time_val, time '15:24:45') from time_test order by time_val desc;

-- expect: rows unordered
-- | 20:05:00
-- | 00:05:00.555
-- | 01:03:00
select dateadd(minute,5,time_val) as minplus5 from time_test;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_PART_function.html
-- expect: rows
-- | 5
SELECT DATE_PART(minute, timestamp '20230104 04:05:06.789');

-- expect: rows
-- | 18
SELECT DATE_PART(week, timestamp '20220502 04:05:06.789');

-- expect: rows
-- | 2
SELECT DATE_PART(day, timestamp '20220502 04:05:06.789');

-- expect: rows
-- | 1
SELECT DATE_PART(dayofweek, timestamp '20220502 04:05:06.789');

-- expect: rows
-- | 21
SELECT DATE_PART(century, timestamp '20220502 04:05:06.789');

-- expect: rows
-- | 3
SELECT DATE_PART(millennium, timestamp '20220502 04:05:06.789');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_Dateparts_for_datetime_functions.html
create table seconds(micro timestamp);

insert into seconds values('2009-09-21 11:10:03.189717');

-- expect: rows
-- | 3
select extract(sec from micro) from seconds;

-- expect: rows
-- | 3.189717
select date_part(sec, micro) from seconds;

-- expect: rows
-- | 20
select extract (century from timestamp '2000-12-16 12:21:13');

-- expect: rows
-- | 21
select extract (century from timestamp '2001-12-16 12:21:13');

-- expect: rows
-- | 200
select extract(decade from timestamp '1999-02-16 20:38:40');

-- expect: rows
-- | 201
select extract(decade from timestamp '2000-02-16 20:38:40');

-- expect: rows
-- | 202
select extract(decade from timestamp '2010-02-16 20:38:40');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_EXTRACT_function.html
-- expect: rows
-- | 8
select extract(minute from timestamp '2009-09-09 12:08:43');

-- expect: rows
-- | 101
select extract(ms from timestamp '2009-09-09 12:08:43.101');

-- expect: rows
-- | 20
-- | 0
-- | 0
select extract(hour from time_val) as hours from time_test order by time_val desc;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_TRUNC.html
-- expect: rows
-- | 2020-04-30 04:05:06
SELECT DATE_TRUNC('second', TIMESTAMP '20200430 04:05:06.789');

-- expect: rows
-- | 2020-04-01 00:00:00
SELECT DATE_TRUNC('quarter', TIMESTAMP '20200430 04:05:06.789');

-- expect: rows
-- | 2001-01-01 00:00:00
SELECT DATE_TRUNC('millennium', TIMESTAMP '20200430 04:05:06.789');

-- expect: rows
-- | 2022-04-25 00:00:00
select date_trunc('week', TIMESTAMP '20220430 04:05:06.789');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TRUNC_date.html
-- expect: types date
select trunc(sysdate);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_GETDATE.html
-- expect: types timestamp without time zone
select getdate();

-- expect: types date
select trunc(getdate());

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ADD_MONTHS.html
-- expect: rows
-- | 2008-04-30 00:00:00
select add_months('2008-03-31',1);

-- expect: rows
-- | 2008-05-31 00:00:00
select add_months('2008-04-30',1);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_MONTHS_BETWEEN_function.html
-- expect: rows
-- | -2
select months_between('1969-01-18', '1969-03-18')
as months;

-- https://docs.aws.amazon.com/redshift/latest/dg/CONVERT_TIMEZONE.html
-- expect: rows
-- | 2008-03-05 09:25:29
select convert_timezone('EST', 'PST', '20080305 12:25:29');

-- expect: rows
-- | 2013-02-01 03:00:00
select convert_timezone('America/New_York', '2013-02-01 08:00:00');

-- expect: rows
-- | 2013-06-01 04:00:00
select convert_timezone('America/New_York', '2013-06-01 08:00:00');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_NEXT_DAY.html
-- expect: rows
-- | 2014-08-26
select next_day('2014-08-20','Tuesday');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LAST_DAY.html
-- expect: types date
select last_day(sysdate);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_INTERVAL_CMP.html
-- expect: rows
-- | -1
select interval_cmp('3 days','1 year');

-- expect: rows
-- | 0
select interval_cmp('7 days','1 week');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_PART_YEAR.html
-- expect: rows
-- | 2022
SELECT DATE_PART_YEAR(date '20220502 04:05:06.789');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_CMP.html
-- expect: rows
-- | -1
-- | 0
-- | 1
select date_cmp(d, '2008-01-04') from (select '2008-01-03'::date as d union all select '2008-01-04' union all select '2008-01-05') order by d;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TO_TIMESTAMP.html
-- expect: rows
-- | 2017-01-01 00:00:00+00
SELECT TO_TIMESTAMP('2017','YYYY');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TO_CHAR.html
-- expect: rows
-- | 365
select to_char(timestamp '2009-12-31 23:15:59', 'DDD');

-- expect: rows
-- | 1
select to_char(timestamp '2022-05-16 23:15:59', 'ID');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TO_DATE_function.html
-- expect: rows
-- | 2001-10-02
select to_date('02 Oct 2001', 'DD Mon YYYY');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_AT_TIME_ZONE.html
-- expect: rows
-- | 2001-02-16 18:38:40
SELECT TIMESTAMP WITH TIME ZONE '2001-02-16 20:38:40-05' AT TIME ZONE 'MST';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_SYSDATE.html
-- expect: types timestamp without time zone
select sysdate;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_Dateparts_for_datetime_functions.html
-- (EPOCH): CREATE TABLE AS names the DATE_PART column pgdate_part
create table event (eventid integer, eventname varchar(200), starttime timestamp);

insert into event values (1, 'Mamma Mia!', '2008-01-01 20:00:00'), (2, 'Spring Awakening', '2008-01-01 15:00:00');

create table event_example
as select eventname, starttime, date_part(epoch, starttime) from event;

-- expect: rows
-- | Mamma Mia! | 2008-01-01 20:00:00 | 1199217600
-- | Spring Awakening | 2008-01-01 15:00:00 | 1199199600
select eventname, starttime, pgdate_part from event_example order by pgdate_part desc;

-- expect: rows
-- | Mamma Mia! | 2008-01-01 20:00:00 | 2008-01-01 20:00:00+00
-- | Spring Awakening | 2008-01-01 15:00:00 | 2008-01-01 15:00:00+00
select eventname,
starttime,
timestamp with time zone 'epoch' + pgdate_part * interval '1 second' AS converted_timestamp
from event_example order by 1;
