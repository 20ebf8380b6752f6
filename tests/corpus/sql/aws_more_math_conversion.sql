-- Source: Amazon Redshift Database Developer Guide, math and type conversion pages/examples
-- (docs.aws.amazon.com/redshift/latest/dg/...), documented results.

create table sales (salesid integer, pricepaid decimal(8,2), commission decimal(8,2), saletime timestamp);

insert into sales values (100, 162.00, 24.30, '2008-02-18 02:36:48'), (784, 700.00, 111.15, '2008-06-06 05:00:16'),
(10000, 187.00, 28.05, '2008-06-09 08:38:52'), (1, 728.00, 109.20, '2008-02-18 02:36:48');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LOG.html
-- expect: rows
-- | 2
select log(100);

-- (LOG returns DOUBLE PRECISION)
-- expect: types double precision
select log(100);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LN.html
-- expect: rows
-- | 0.9999999998311267
select ln(2.718281828);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_SQRT.html
-- expect: rows
-- | 4
select sqrt(16);

-- expect: rows
-- | 4
select sqrt('16');

-- expect: rows
-- | 4
select sqrt(round(16.4));

-- (SQRT returns DOUBLE PRECISION)
-- expect: types double precision
select sqrt(round(16.4));

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DEGREES.html
-- expect: rows
-- | 180
select degrees(pi());

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ATAN2.html
-- expect: rows
-- | 90
select (atan2(1,0) * 180/(select pi())) as degrees;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ROUND.html
-- expect: rows
-- | 28.05 | 30
select commission, round(commission, -1)
from sales where salesid=10000;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TRUNC.html
-- expect: rows
-- | 111.15 | 110
select commission, trunc(commission,-1)
from sales where salesid=784;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_FLOOR.html
-- expect: rows
-- | 28
select floor(commission) from sales
where salesid=10000;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CAST_function.html
-- expect: rows
-- | 162
select cast(pricepaid as integer)
from sales where salesid=100;

-- expect: rows
-- | 162
select cast(162.00 as integer) as pricepaid;

-- expect: rows
-- | 2008-02-18
select cast('2008-02-18 02:36:48' as date) as mysaletime;

-- expect: rows
-- | 2008
select cast(2008 as char(4));

-- expect: rows
-- | 109.7
select cast(109.652 as decimal(4,1));

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CONVERT_function.html
-- expect: rows
-- | 162
SELECT CONVERT(integer, pricepaid)
FROM sales WHERE salesid=100;

-- expect: rows
-- | 2008
SELECT CONVERT(char(4), 2008);

-- expect: types character varying(30)
SELECT CONVERT(VARCHAR(30), GETDATE());

-- (the page shows no result rows; the time of the SALES row)
-- expect: rows
-- | 02:36:48 | 100
SELECT CONVERT(time, saletime), salesid
FROM sales where salesid = 100 order by salesid limit 10;

-- (the page shows no result: it runs)
-- expect: ok
SELECT CONVERT(datetime, '2008-02-18 02:36:48') as mysaletime;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TO_NUMBER.html
-- expect: rows
-- | -12454.8
select to_number('12,454.8-', 'FM99G999D9S');

-- expect: rows
-- | 12454.88
select to_number('$ 12,454.88', 'FML99G999D99');

-- expect: rows
-- | 2012454.88
select to_number('$ 2,012,454.88', 'FML9,999,999.99');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TO_CHAR.html
-- expect: rows
-- | 125.80-
select to_char(-125.8, '999D99S');

-- expect: rows
-- | $-125.88
select to_char(-125.88, '$S999D99');

-- expect: rows
-- | $<125.88>
select to_char(-125.88, '$999D99PR');

-- expect: rows
-- | CXXV
select to_char(125, 'RN');

-- expect: rows
-- | 1 | 728.00 | 109.20 | 618.80 | dcxix
select salesid, pricepaid, commission, (pricepaid - commission)
as difference, to_char(pricepaid - commission, 'rn') from sales
where salesid = 1
group by sales.pricepaid, sales.commission, salesid
order by salesid limit 10;
