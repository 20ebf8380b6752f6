-- Source: Amazon Redshift Getting Started Guide, "Step 6: Load sample data from Amazon S3"
-- (https://docs.aws.amazon.com/redshift/latest/gsg/rs-gsg-create-sample-db.html): the
-- TICKIT tables, their COPY commands and the example queries, as published. The data
-- files are small stand-ins in the tutorial's formats (the public bucket is not reachable
-- from the local stack); expected rows follow from them.
-- s3: s3://awssampledbuswest2/tickit/allusers_pipe.txt = tickit/allusers_pipe.txt
-- s3: s3://awssampledbuswest2/tickit/venue_pipe.txt = tickit/venue_pipe.txt
-- s3: s3://awssampledbuswest2/tickit/category_pipe.txt = tickit/category_pipe.txt
-- s3: s3://awssampledbuswest2/tickit/date2008_pipe.txt = tickit/date2008_pipe.txt
-- s3: s3://awssampledbuswest2/tickit/allevents_pipe.txt = tickit/allevents_pipe.txt
-- s3: s3://awssampledbuswest2/tickit/listings_pipe.txt = tickit/listings_pipe.txt
-- s3: s3://awssampledbuswest2/tickit/sales_tab.txt = tickit/sales_tab.txt

create table users(
    userid integer not null distkey sortkey,
    username char(8),
    firstname varchar(30),
    lastname varchar(30),
    city varchar(30),
    state char(2),
    email varchar(100),
    phone char(14),
    likesports boolean,
    liketheatre boolean,
    likeconcerts boolean,
    likejazz boolean,
    likeclassical boolean,
    likeopera boolean,
    likerock boolean,
    likevegas boolean,
    likebroadway boolean,
    likemusicals boolean);

create table venue(
    venueid smallint not null distkey sortkey,
    venuename varchar(100),
    venuecity varchar(30),
    venuestate char(2),
    venueseats integer);

create table category(
    catid smallint not null distkey sortkey,
    catgroup varchar(10),
    catname varchar(10),
    catdesc varchar(50));

create table date(
    dateid smallint not null distkey sortkey,
    caldate date not null,
    day character(3) not null,
    week smallint not null,
    month character(5) not null,
    qtr character(5) not null,
    year smallint not null,
    holiday boolean default('N'));

create table event(
    eventid integer not null distkey,
    venueid smallint not null,
    catid smallint not null,
    dateid smallint not null sortkey,
    eventname varchar(200),
    starttime timestamp);

create table listing(
    listid integer not null distkey,
    sellerid integer not null,
    eventid integer not null,
    dateid smallint not null  sortkey,
    numtickets smallint not null,
    priceperticket decimal(8,2),
    totalprice decimal(8,2),
    listtime timestamp);

create table sales(
    salesid integer not null,
    listid integer not null distkey,
    sellerid integer not null,
    buyerid integer not null,
    eventid integer not null,
    dateid smallint not null sortkey,
    qtysold smallint not null,
    pricepaid decimal(8,2),
    commission decimal(8,2),
    saletime timestamp);

-- expect: count 4
copy users from 's3://awssampledbuswest2/tickit/allusers_pipe.txt'
credentials 'aws_iam_role=arn:aws:iam::123456789012:role/myRedshiftRole'
delimiter '|' region 'us-west-2';

-- expect: count 5
copy venue from 's3://awssampledbuswest2/tickit/venue_pipe.txt'
credentials 'aws_iam_role=arn:aws:iam::123456789012:role/myRedshiftRole'
delimiter '|' region 'us-west-2';

-- expect: count 11
copy category from 's3://awssampledbuswest2/tickit/category_pipe.txt'
credentials 'aws_iam_role=arn:aws:iam::123456789012:role/myRedshiftRole'
delimiter '|' region 'us-west-2';

-- expect: count 5
copy date from 's3://awssampledbuswest2/tickit/date2008_pipe.txt'
credentials 'aws_iam_role=arn:aws:iam::123456789012:role/myRedshiftRole'
delimiter '|' region 'us-west-2';

-- expect: count 3
copy event from 's3://awssampledbuswest2/tickit/allevents_pipe.txt'
credentials 'aws_iam_role=arn:aws:iam::123456789012:role/myRedshiftRole'
delimiter '|' timeformat 'YYYY-MM-DD HH:MI:SS' region 'us-west-2';

-- expect: count 3
copy listing from 's3://awssampledbuswest2/tickit/listings_pipe.txt'
credentials 'aws_iam_role=arn:aws:iam::123456789012:role/myRedshiftRole'
delimiter '|' region 'us-west-2';

-- expect: count 4
-- local: refused TIMEFORMAT
copy sales from 's3://awssampledbuswest2/tickit/sales_tab.txt'
credentials 'aws_iam_role=arn:aws:iam::123456789012:role/myRedshiftRole'
delimiter '\t' timeformat 'MM/DD/YYYY HH:MI:SS' region 'us-west-2';

-- Adapted (not from the source): the rows of sales_tab.txt, for the queries below while
-- the local stack refuses the COPY above; a no-op once that COPY loads them.
insert into sales
select * from (
    select 1, 1, 1, 3, 1, 1827, 4, 728.00, 109.20, timestamp '2008-01-01 02:36:48'
    union all select 2, 2, 2, 4, 2, 1828, 2, 76.00, 11.40, timestamp '2008-01-02 05:00:16'
    union all select 3, 3, 3, 3, 3, 1831, 3, 350.00, 52.50, timestamp '2008-01-05 08:26:17'
    union all select 4, 3, 3, 4, 3, 1831, 1, 175.00, 26.25, timestamp '2008-01-05 08:38:52'
) as rows_of_the_file
where not exists (select 1 from sales);

-- Get definition for the sales table.
-- expect: rows
-- | public | sales | salesid | integer | lzo | false | 0 | true
-- local: refused PG_TABLE_DEF
SELECT *
FROM pg_table_def
WHERE tablename = 'sales';

-- Find total sales on a given calendar date.
-- expect: rows
-- | 4
SELECT sum(qtysold)
FROM   sales, date
WHERE  sales.dateid = date.dateid
AND    caldate = '2008-01-05';

-- Find top 10 buyers by quantity.
-- expect: rows
-- | Lars | Ratliff | 7
-- | Barry | Roy | 3
SELECT firstname, lastname, total_quantity
FROM   (SELECT buyerid, sum(qtysold) total_quantity
        FROM  sales
        GROUP BY buyerid
        ORDER BY total_quantity desc limit 10) Q, users
WHERE Q.buyerid = userid
ORDER BY Q.total_quantity desc;

-- Find events in the 99.9 percentile in terms of all time gross sales.
-- expect: rows
-- | Gotterdammerung | 728.00
SELECT eventname, total_price
FROM  (SELECT eventid, total_price, ntile(1000) over(order by total_price desc) as percentile
        FROM (SELECT eventid, sum(pricepaid) total_price
                FROM   sales
                GROUP BY eventid)) Q, event E
        WHERE Q.eventid = E.eventid
        AND percentile = 1
ORDER BY total_price desc;

-- https://docs.aws.amazon.com/redshift/latest/dg/c_sampledb.html: top sellers (adapted city)
-- expect: rows
-- | 3 | IFT66TXU | Lars Ratliff | High Point | 4
select sellerid, username, (firstname ||' '|| lastname) as name,
city, sum(qtysold)
from sales, date, users
where sales.sellerid = users.userid
and sales.dateid = date.dateid
and year = 2008
and city = 'High Point'
group by sellerid, username, name, city
order by 5 desc
limit 5;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_REPEAT.html
-- expect: rows
-- | 1 | 111
-- | 10 | 101010
-- | 11 | 111111
select catid, repeat(catid,3)
from category
where catid in (1, 10, 11)
order by 1,2;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_QUOTE_IDENT.html
-- expect: rows
-- | 1 | "MLB"
-- | 6 | "Musicals"
select catid, quote_ident(catname)
from category
where catid in (1, 6)
order by 1,2;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_INITCAP.html
-- expect: rows
-- | Mlb
select initcap(catname)
from category
where catid = 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DECODE_expression.html
-- expect: rows
-- | 1 | Major League Baseball
-- | 2 | National Hockey League
-- | 3 | National Football League
-- | 4 | National Basketball Association
-- | 5 | Major League Soccer
-- | 6 | Unknown
select catid, decode(catname,
'NHL', 'National Hockey League',
'MLB', 'Major League Baseball',
'MLS', 'Major League Soccer',
'NFL', 'National Football League',
'NBA', 'National Basketball Association',
'Unknown')
from category
where catid <= 6
order by catid;

-- https://docs.aws.amazon.com/redshift/latest/dg/c_Examples_of_INSERT_30.html
create table category_stage
(catid smallint default 0,
catgroup varchar(10) default 'General',
catname varchar(10) default 'General',
catdesc varchar(50) default 'General');

-- expect: count 11
insert into category_stage
(select * from category);

-- expect: count 1
insert into category_stage values
(12, 'Concerts', 'Comedy', 'All stand-up comedy performances');

-- expect: count 1
insert into category_stage values
(13, 'Concerts', 'Other', default);

-- expect: rows
-- | 12 | Concerts | Comedy | All stand-up comedy performances
-- | 13 | Concerts | Other | General
select * from category_stage
where catid in(12,13) order by 1;

-- expect: count 3
insert into category_stage values
(default, default, default, default),
(20, default, 'Country', default),
(21, 'Concerts', 'Rock', default);

-- expect: rows
-- | 0 | General | General | General
-- | 20 | General | Country | General
-- | 21 | Concerts | Rock | General
select * from category_stage where catid in(0,20,21) order by 1;

create table category_ident
(catid int identity not null,
catgroup varchar(10) default 'General',
catname varchar(10) default 'General',
catdesc varchar(50) default 'General');

-- expect: count 11
insert into category_ident(catgroup,catname,catdesc)
select catgroup,catname,catdesc from category;

-- expect: error can't use subqueries in multi-row VALUES
insert into category(catid) values
((select max(catid)+1 from category)),
((select max(catid)+2 from category));

-- https://docs.aws.amazon.com/redshift/latest/dg/c_Example_MINUS_query.html
-- expect: rows unordered
-- | 0 | General | General | General
-- | 12 | Concerts | Comedy | All stand-up comedy performances
-- | 13 | Concerts | Other | General
-- | 20 | General | Country | General
-- | 21 | Concerts | Rock | General
select * from category_stage
minus
select * from category;

-- https://docs.aws.amazon.com/redshift/latest/dg/c_Examples_of_UPDATE_statements.html
-- expect: count 3
update category
set catgroup='Theatre'
where catid between 6 and 8;

-- expect: rows
-- | 6 | Theatre | Musicals | Musical theatre
-- | 7 | Theatre | Plays | All non-musical theatre
-- | 8 | Theatre | Opera | All opera and light opera
select * from category
where catid between 6 and 8 order by 1;

-- expect: count 3
update category
set catdesc=default, catname='Shows'
where catgroup='Theatre';

-- expect: rows
-- | 6 | Theatre | Shows | NULL
-- | 7 | Theatre | Shows | NULL
-- | 8 | Theatre | Shows | NULL
select * from category
where catname='Shows' order by 1;

-- expect: count 3
update category set catid=100
from event
where event.catid=category.catid;

-- expect: rows
-- | 1,2,3,4,5,7,10,11,100,100,100
select listagg(catid, ',') within group (order by catid) from category;
