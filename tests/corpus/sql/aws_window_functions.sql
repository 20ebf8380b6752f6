-- Source: Amazon Redshift Database Developer Guide, "Window functions"
-- (https://docs.aws.amazon.com/redshift/latest/dg/c_Window_functions.html): the WINSALES
-- sample table as published, and the examples of the window function pages on it.

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

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_AVG.html
-- expect: rows
-- | 30001 | 2003-08-02 | 3 | 10 | 10
-- | 10001 | 2003-12-24 | 1 | 10 | 10
-- | 10005 | 2003-12-24 | 1 | 30 | 16
-- | 40001 | 2004-01-09 | 4 | 40 | 22
-- | 10006 | 2004-01-18 | 1 | 10 | 20
-- | 20001 | 2004-02-12 | 2 | 20 | 20
-- | 40005 | 2004-02-12 | 4 | 10 | 18
-- | 20002 | 2004-02-16 | 2 | 20 | 18
-- | 30003 | 2004-04-18 | 3 | 15 | 18
-- | 30004 | 2004-04-18 | 3 | 20 | 18
-- | 30007 | 2004-09-07 | 3 | 30 | 19
select salesid, dateid, sellerid, qty,
avg(qty) over
(order by dateid, salesid rows unbounded preceding) as avg
from winsales
order by 2,1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_COUNT.html
-- expect: rows
-- | 10001 | 10 | 10 | 1
-- | 10005 | 30 | NULL | 1
-- | 10006 | 10 | NULL | 1
-- | 20001 | 20 | 20 | 2
-- | 20002 | 20 | 20 | 3
-- | 30001 | 10 | 10 | 4
-- | 30003 | 15 | NULL | 4
-- | 30004 | 20 | NULL | 4
-- | 30007 | 30 | NULL | 4
-- | 40001 | 40 | NULL | 4
-- | 40005 | 10 | 10 | 5
select salesid, qty, qty_shipped,
count(qty_shipped)
over (order by salesid rows unbounded preceding) as count
from winsales
order by salesid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_SUM.html
-- expect: rows
-- | 30001 | 2003-08-02 | 3 | 10 | 10
-- | 10001 | 2003-12-24 | 1 | 10 | 10
-- | 10005 | 2003-12-24 | 1 | 30 | 40
-- | 40001 | 2004-01-09 | 4 | 40 | 40
-- | 10006 | 2004-01-18 | 1 | 10 | 50
-- | 20001 | 2004-02-12 | 2 | 20 | 20
-- | 40005 | 2004-02-12 | 4 | 10 | 50
-- | 20002 | 2004-02-16 | 2 | 20 | 40
-- | 30003 | 2004-04-18 | 3 | 15 | 25
-- | 30004 | 2004-04-18 | 3 | 20 | 45
-- | 30007 | 2004-09-07 | 3 | 30 | 75
select salesid, dateid, sellerid, qty,
sum(qty) over (partition by sellerid
order by dateid, salesid rows unbounded preceding) as sum
from winsales
order by 2,1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_DENSE_RANK.html
-- expect: rows
-- | 10001 | 10 | 5 | 8
-- | 10006 | 10 | 5 | 8
-- | 30001 | 10 | 5 | 8
-- | 40005 | 10 | 5 | 8
-- | 30003 | 15 | 4 | 7
-- | 20001 | 20 | 3 | 4
-- | 20002 | 20 | 3 | 4
-- | 30004 | 20 | 3 | 4
-- | 10005 | 30 | 2 | 2
-- | 30007 | 30 | 2 | 2
-- | 40001 | 40 | 1 | 1
select salesid, qty,
dense_rank() over(order by qty desc) as d_rnk,
rank() over(order by qty desc) as rnk
from winsales
order by 2,1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_LISTAGG.html
-- expect: rows
-- | 11122333344
-- | 11122333344
-- | 11122333344
-- | 11122333344
-- | 11122333344
-- | 11122333344
-- | 11122333344
-- | 11122333344
-- | 11122333344
-- | 11122333344
-- | 11122333344
select listagg(sellerid)
within group (order by sellerid)
over() from winsales;

-- expect: rows
-- | 3233
-- | 3233
-- | 3233
-- | 3233
select listagg(sellerid)
within group (order by dateid)
over () as seller
from winsales
where buyerid = 'b' ;

-- expect: rows
-- | 2003-08-02,2004-04-18,2004-04-18,2004-02-12
-- | 2003-08-02,2004-04-18,2004-04-18,2004-02-12
-- | 2003-08-02,2004-04-18,2004-04-18,2004-02-12
-- | 2003-08-02,2004-04-18,2004-04-18,2004-02-12
select listagg(dateid,',')
within group (order by sellerid desc,salesid asc)
over () as dates
from winsales
where buyerid  = 'b';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LISTAGG.html (aggregate form)
-- expect: rows
-- | 1 | 10001,10005,10006
-- | 2 | 20001,20002
-- | 3 | 30001,30003,30004,30007
-- | 4 | 40001,40005
select sellerid, listagg(salesid, ',') within group (order by salesid) as sales
from winsales group by sellerid order by sellerid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_MEDIAN.html
-- expect: rows
-- | 1 | 10 | 10.0
-- | 1 | 10 | 10.0
-- | 1 | 30 | 10.0
-- | 2 | 20 | 20.0
-- | 2 | 20 | 20.0
-- | 3 | 10 | 17.5
-- | 3 | 15 | 17.5
-- | 3 | 20 | 17.5
-- | 3 | 30 | 17.5
-- | 4 | 10 | 25.0
-- | 4 | 40 | 25.0
select sellerid, qty, median(qty)
over (partition by sellerid)
from winsales
order by sellerid, qty;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_PERCENTILE_CONT.html
-- expect: rows unordered
-- | 1 | 10 | 20.0
-- | 1 | 10 | 20.0
-- | 3 | 10 | 20.0
-- | 4 | 10 | 20.0
-- | 3 | 15 | 20.0
-- | 2 | 20 | 20.0
-- | 3 | 20 | 20.0
-- | 2 | 20 | 20.0
-- | 3 | 30 | 20.0
-- | 1 | 30 | 20.0
-- | 4 | 40 | 20.0
select sellerid, qty, percentile_cont(0.5)
within group (order by qty)
over() as median from winsales;

-- expect: rows unordered
-- | 2 | 20 | 20.0
-- | 2 | 20 | 20.0
-- | 4 | 10 | 25.0
-- | 4 | 40 | 25.0
-- | 1 | 10 | 10.0
-- | 1 | 10 | 10.0
-- | 1 | 30 | 10.0
-- | 3 | 10 | 17.5
-- | 3 | 15 | 17.5
-- | 3 | 20 | 17.5
-- | 3 | 30 | 17.5
select sellerid, qty, percentile_cont(0.5)
within group (order by qty)
over(partition by sellerid) as median from winsales;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_MEDIAN.html (aggregate form)
-- expect: rows
-- | 1 | 10.0
-- | 2 | 20.0
-- | 3 | 17.5
-- | 4 | 25.0
select sellerid, median(qty) from winsales group by sellerid order by sellerid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_PERCENTILE_DISC.html
-- expect: rows unordered
-- | 1 | 10 | 10
-- | 1 | 10 | 10
-- | 1 | 30 | 10
-- | 2 | 20 | 20
-- | 2 | 20 | 20
-- | 3 | 10 | 15
-- | 3 | 15 | 15
-- | 3 | 20 | 15
-- | 3 | 30 | 15
-- | 4 | 10 | 10
-- | 4 | 40 | 10
-- local: refused PERCENTILE_DISC window function
select sellerid, qty, percentile_disc(0.5)
within group (order by qty)
over(partition by sellerid) as median from winsales;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_RATIO_TO_REPORT.html (WINSALES' qty)
-- expect: rows
-- | 1 | 10 | 0.2
-- | 1 | 10 | 0.2
-- | 1 | 30 | 0.6
select sellerid, qty, round(ratio_to_report(qty)
over (partition by sellerid), 1)
from winsales where sellerid = 1 order by qty;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_first_value.html
-- expect: rows
-- | 1 | 30
-- | 2 | 20
-- | 3 | 30
-- | 4 | 40
select distinct sellerid, first_value(qty)
over (partition by sellerid order by qty desc
rows between unbounded preceding and unbounded following)
from winsales order by 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_NTH.html
-- expect: rows
-- | 1 | 10
-- | 3 | 20
-- local: refused IGNORE NULLS
select distinct sellerid, nth_value(qty, 2)
ignore nulls
over(partition by sellerid order by qty desc
rows between unbounded preceding and unbounded following)
as second_qty
from winsales where sellerid in (1, 3) order by 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_NTILE.html
-- expect: rows
-- | 10001 | 10 | 3
-- | 10005 | 30 | 1
-- | 10006 | 10 | 3
select salesid, qty, ntile from (
select salesid, qty, ntile(4)
over(order by qty desc, salesid) as ntile
from winsales) where salesid < 20000
order by salesid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_ROW_NUMBER.html
-- expect: rows
-- | 30001 | 3 | 10 | 1
-- | 30003 | 3 | 15 | 2
-- | 30004 | 3 | 20 | 3
-- | 30007 | 3 | 30 | 4
select salesid, sellerid, qty,
row_number() over(partition by sellerid order by qty asc) as row
from winsales where sellerid = 3 order by 4;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_QUALIFY_clause.html (on WINSALES)
-- expect: rows
-- | 1 | 10005 | 30
-- | 2 | 20001 | 20
-- | 3 | 30007 | 30
-- | 4 | 40001 | 40
select sellerid, salesid, qty from winsales
qualify row_number() over (partition by sellerid order by qty desc, salesid) = 1
order by sellerid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TOP_clause.html (on WINSALES)
-- expect: rows
-- | 40001 | 40
-- | 10005 | 30
-- | 30007 | 30
select top 3 salesid, qty from winsales order by qty desc, salesid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ANY_VALUE.html
-- expect: rows
-- | 2 | 20
select sellerid, any_value(qty) from winsales where sellerid = 2 group by sellerid;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COUNT.html: APPROXIMATE COUNT
-- expect: rows
-- | 4
select approximate count(distinct sellerid) from winsales;
