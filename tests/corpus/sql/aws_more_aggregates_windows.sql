-- Source: Amazon Redshift Database Developer Guide, window/aggregate function pages or
-- examples, on the WINSALES sample table as published
-- (https://docs.aws.amazon.com/redshift/latest/dg/c_Window_functions.html).

CREATE TABLE winsales(
  salesid int,
  dateid date,
  sellerid int,
  buyerid char(10),
  qty int,
  qty_shipped int);

-- expect: count 11
INSERT INTO winsales VALUES
  (30001, '8/2/2003', 3, 'b', 10, 10),
  (10001, '12/24/2003', 1, 'c', 10, 10),
  (10005, '12/24/2003', 1, 'a', 30, null),
  (40001, '1/9/2004', 4, 'a', 40, null),
  (10006, '1/18/2004', 1, 'c', 10, null),
  (20001, '2/12/2004', 2, 'b', 20, 20),
  (40005, '2/12/2004', 4, 'a', 10, 10),
  (20002, '2/16/2004', 2, 'c', 20, 20),
  (30003, '4/18/2004', 3, 'b', 15, null),
  (30004, '4/18/2004', 3, 'b', 20, null),
  (30007, '9/7/2004', 3, 'c', 30, null);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_RANK.html
-- expect: rows
-- | 10001 | 10 | 1
-- | 10006 | 10 | 1
-- | 30001 | 10 | 1
-- | 40005 | 10 | 1
-- | 30003 | 15 | 5
-- | 20001 | 20 | 6
-- | 20002 | 20 | 6
-- | 30004 | 20 | 6
-- | 10005 | 30 | 9
-- | 30007 | 30 | 9
-- | 40001 | 40 | 11
select salesid, qty,
rank() over (order by qty) as rnk
from winsales
order by 2,1;

-- expect: rows
-- | 10001 | 10 | 8
-- | 10006 | 10 | 8
-- | 30001 | 10 | 8
-- | 40005 | 10 | 8
-- | 30003 | 15 | 7
-- | 20001 | 20 | 4
-- | 20002 | 20 | 4
-- | 30004 | 20 | 4
-- | 10005 | 30 | 2
-- | 30007 | 30 | 2
-- | 40001 | 40 | 1
select salesid, qty,
rank() over (order by qty desc) as rank
from winsales
order by 2,1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_MAX.html
-- expect: rows
-- | 10001 | 10 | NULL
-- | 10005 | 30 | 10
-- | 10006 | 10 | 30
-- | 20001 | 20 | 30
-- | 20002 | 20 | 20
-- | 30001 | 10 | 20
-- | 30003 | 15 | 20
-- | 30004 | 20 | 15
-- | 30007 | 30 | 20
-- | 40001 | 40 | 30
-- | 40005 | 10 | 40
select salesid, qty,
max(qty) over (order by salesid rows between 2 preceding and 1 preceding) as max
from winsales
order by salesid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_MIN.html
-- expect: rows
-- | 10001 | 10 | NULL
-- | 10005 | 30 | 10
-- | 10006 | 10 | 10
-- | 20001 | 20 | 10
-- | 20002 | 20 | 10
-- | 30001 | 10 | 20
-- | 30003 | 15 | 10
-- | 30004 | 20 | 10
-- | 30007 | 30 | 15
-- | 40001 | 40 | 20
-- | 40005 | 10 | 30
select salesid, qty,
min(qty) over
(order by salesid rows between 2 preceding and 1 preceding) as min
from winsales
order by salesid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_CUME_DIST.html (returns FLOAT8)
-- expect: types integer, integer, double precision
select sellerid, qty, cume_dist()
over (partition by sellerid order by qty)
from winsales;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_PERCENT_RANK.html (returns FLOAT8)
-- expect: types integer, integer, double precision
select sellerid, qty, percent_rank()
over (partition by sellerid order by qty)
from winsales;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LISTAGG.html
-- expect: rows
-- | 31141242333
select listagg(sellerid)
within group (order by dateid)
from winsales;

-- documented: 2003-08-02|2004-04-18|2004-04-18|2004-02-12 (a '|' result cannot be written
-- as a `-- |` row, so only that it runs is checked here)
-- expect: ok
select listagg(dateid,'|')
within group (order by sellerid desc,salesid asc)
from winsales
where buyerid  = 'b';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_first_value.html (LAST_VALUE)
create table venue (venueid smallint, venuename varchar(100), venuecity varchar(30), venuestate char(2), venueseats integer);

insert into venue (venuename, venuestate, venueseats) values
('Qualcomm Stadium', 'CA', 70561), ('Monster Park', 'CA', 69843), ('McAfee Coliseum', 'CA', 63026),
('Dodger Stadium', 'CA', 56000), ('Angel Stadium of Anaheim', 'CA', 45050), ('PETCO Park', 'CA', 42445),
('AT&T Park', 'CA', 41503), ('Shoreline Amphitheatre', 'CA', 22000), ('INVESCO Field', 'CO', 76125),
('Coors Field', 'CO', 50445), ('Nationals Park', 'DC', 41888), ('Dolphin Stadium', 'FL', 74916),
('Jacksonville Municipal Stadium', 'FL', 73800), ('Raymond James Stadium', 'FL', 65647),
('Tropicana Field', 'FL', 36048);

-- expect: rows unordered
-- | CA | 70561 | Qualcomm Stadium | Shoreline Amphitheatre
-- | CA | 69843 | Monster Park | Shoreline Amphitheatre
-- | CA | 63026 | McAfee Coliseum | Shoreline Amphitheatre
-- | CA | 56000 | Dodger Stadium | Shoreline Amphitheatre
-- | CA | 45050 | Angel Stadium of Anaheim | Shoreline Amphitheatre
-- | CA | 42445 | PETCO Park | Shoreline Amphitheatre
-- | CA | 41503 | AT&T Park | Shoreline Amphitheatre
-- | CA | 22000 | Shoreline Amphitheatre | Shoreline Amphitheatre
-- | CO | 76125 | INVESCO Field | Coors Field
-- | CO | 50445 | Coors Field | Coors Field
-- | DC | 41888 | Nationals Park | Nationals Park
-- | FL | 74916 | Dolphin Stadium | Tropicana Field
-- | FL | 73800 | Jacksonville Municipal Stadium | Tropicana Field
-- | FL | 65647 | Raymond James Stadium | Tropicana Field
-- | FL | 36048 | Tropicana Field | Tropicana Field
select venuestate, venueseats, venuename,
last_value(venuename)
over(partition by venuestate
order by venueseats desc
rows between unbounded preceding and unbounded following)
from (select * from venue where venueseats >0)
order by venuestate;

insert into venue values(2000,null,'Stanford','CA',90000);

-- expect: rows unordered
-- | CA | 90000 | NULL | Qualcomm Stadium
-- | CA | 70561 | Qualcomm Stadium | Qualcomm Stadium
-- | CA | 69843 | Monster Park | Qualcomm Stadium
-- | CA | 63026 | McAfee Coliseum | Qualcomm Stadium
-- | CA | 56000 | Dodger Stadium | Qualcomm Stadium
-- | CA | 45050 | Angel Stadium of Anaheim | Qualcomm Stadium
-- | CA | 42445 | PETCO Park | Qualcomm Stadium
-- | CA | 41503 | AT&T Park | Qualcomm Stadium
-- | CA | 22000 | Shoreline Amphitheatre | Qualcomm Stadium
-- local: refused IGNORE NULLS
select venuestate, venueseats, venuename,
first_value(venuename ignore nulls)
over(partition by venuestate
order by venueseats desc
rows between unbounded preceding and unbounded following)
from (select * from venue where venuestate='CA')
order by venuestate;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_STDDEV_functions.html ("regardless of the
-- data type of the expression, the return type of this function is a double precision
-- number"; VENUESEATS is an INTEGER column)
-- expect: types double precision
select stddev_samp(venueseats) from venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_BOOL_AND.html
create table users (userid integer, state char(2), likesports boolean);

insert into users values (1, 'AB', true), (2, 'AB', false), (3, 'AK', false), (4, 'AK', true);

-- expect: rows
-- | AB | f
-- | AK | f
select state, bool_and(likesports) from users
group by state order by state limit 5;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_BOOL_OR.html
-- expect: rows
-- | AB | t
-- | AK | t
select state, bool_or(likesports) from users
group by state order by state limit 5;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_AVG.html (BIGINT for an integer argument)
create table sales (salesid integer, qtysold smallint);

insert into sales values (1, 2), (2, 1), (3, 4), (4, 2);

-- expect: rows
-- | 2
select avg(qtysold)from sales;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_VARIANCE_functions.html (always DOUBLE PRECISION)
-- expect: types double precision
select var_samp(qtysold) from sales;
