-- Source: aws-samples/redshift-immersionday-labs, lab3/README.md ("LAB 3 - Table Design and
-- Query Tuning"): customer_v1..v3 and orders_v1..v4 DDL, INSERT ... SELECT, ANALYZE,
-- ANALYZE COMPRESSION, the lab's queries, result cache / selective filtering / join strategy
-- steps. Prerequisite tables use lab2's DDL, loaded here with small INSERTs written for this
-- corpus; expected rows computed by hand from them (Redshift semantics: AVG of DECIMAL keeps
-- the scale; CHAR comparisons ignore trailing blanks).

CREATE TABLE region (R_REGIONKEY bigint NOT NULL PRIMARY KEY, R_NAME varchar(25), R_COMMENT varchar(152)) diststyle all;
CREATE TABLE nation (N_NATIONKEY bigint NOT NULL PRIMARY KEY, N_NAME varchar(25), N_REGIONKEY bigint REFERENCES region(R_REGIONKEY), N_COMMENT varchar(152)) diststyle all;
create table customer (C_CUSTKEY bigint NOT NULL PRIMARY KEY, C_NAME varchar(25), C_ADDRESS varchar(40), C_NATIONKEY bigint REFERENCES nation(N_NATIONKEY), C_PHONE varchar(15), C_ACCTBAL decimal(18,4), C_MKTSEGMENT varchar(10), C_COMMENT varchar(117)) diststyle all;
create table orders (O_ORDERKEY bigint NOT NULL PRIMARY KEY, O_CUSTKEY bigint REFERENCES customer(C_CUSTKEY), O_ORDERSTATUS varchar(1), O_TOTALPRICE decimal(18,4), O_ORDERDATE Date, O_ORDERPRIORITY varchar(15), O_CLERK varchar(15), O_SHIPPRIORITY Integer, O_COMMENT varchar(79)) distkey (O_ORDERKEY) sortkey (O_ORDERDATE);

insert into region values (0,'AFRICA','c'),(1,'AMERICA','c'),(2,'ASIA','c'),(3,'EUROPE','c'),(4,'MIDDLE EAST','c');
insert into nation values (0,'ALGERIA',0,'c'),(1,'ARGENTINA',1,'c'),(6,'FRANCE',3,'c'),(8,'INDIA',2,'c'),(9,'INDONESIA',2,'c'),(12,'JAPAN',2,'c');
insert into customer values
 (1,'Customer#000000001','addr 1',8,'18-111-1111',711.56,'BUILDING','c1'),
 (2,'Customer#000000002','addr 2',12,'22-222-2222',121.65,'AUTOMOBILE','c2'),
 (3,'Customer#000000003','addr 3',1,'11-333-3333',7498.12,'AUTOMOBILE','c3'),
 (4,'Customer#000000004','addr 4',9,'19-444-4444',2866.83,'MACHINERY','c4'),
 (5,'Customer#000000005','addr 5',6,'16-555-5555',794.47,'HOUSEHOLD','c5'),
 (6,'Customer#000000006','addr 6',0,'10-666-6666',7638.57,'AUTOMOBILE','c6');
insert into orders values
 (1,3,'O',1000.50,'1995-03-15','1-URGENT','Clerk#000000951',0,'o1'),
 (2,1,'O',2000.00,'1995-11-30','2-HIGH','Clerk#000000880',0,'o2'),
 (3,2,'F',1500.25,'1995-01-01','3-MEDIUM','Clerk#000000955',0,'o3'),
 (4,4,'F',300.00,'1992-07-06','5-LOW','Clerk#000000124',0,'o4'),
 (5,1,'O',1000.00,'1995-12-31','1-URGENT','Clerk#000000925',0,'o5'),
 (6,2,'F',250.75,'1996-02-02','2-HIGH','Clerk#000000925',0,'o6');

CREATE TABLE customer_v1 (
  c_custkey int8 NOT NULL DISTKEY SORTKEY PRIMARY KEY      ,
  c_name varchar(25) NOT NULL                              ,
  c_address varchar(40) NOT NULL                           ,
  c_nationkey int4 NOT NULL REFERENCES nation(n_nationkey) ,
  c_phone char(15) NOT NULL                                ,
  c_acctbal numeric(12,2) NOT NULL                         ,
  c_mktsegment char(10) NOT NULL                           ,
  c_comment varchar(117) NOT NULL
);

-- expect: count 6
INSERT INTO customer_v1
SELECT * FROM customer;
ANALYZE customer_v1;

-- local: refused ANALYZE COMPRESSION
ANALYZE COMPRESSION customer_v1;

CREATE TABLE customer_v2 (
  c_custkey int8 NOT NULL ENCODE DELTA DISTKEY SORTKEY PRIMARY KEY     ,
  c_name varchar(25) NOT NULL ENCODE ZSTD                              ,
  c_address varchar(40) NOT NULL ENCODE ZSTD                           ,
  c_nationkey int4 NOT NULL ENCODE ZSTD  REFERENCES nation(n_nationkey),
  c_phone char(15) NOT NULL ENCODE ZSTD                                ,
  c_acctbal numeric(12,2) NOT NULL ENCODE ZSTD                         ,
  c_mktsegment char(10) NOT NULL ENCODE ZSTD                           ,
  c_comment varchar(117) NOT NULL ENCODE ZSTD
);

-- expect: count 6
INSERT INTO customer_v2
SELECT * FROM customer_v1;
ANALYZE customer_v2;

CREATE TABLE customer_v3 (
  c_custkey int8 NOT NULL ENCODE DELTA DISTKEY SORTKEY PRIMARY KEY,
  c_name varchar(25) NOT NULL ENCODE ZSTD                         ,
  c_address varchar(40) NOT NULL ENCODE ZSTD                      ,
  c_nationname char(25) NOT NULL ENCODE ZSTD                      ,
  c_regionname char(25) NOT NULL ENCODE ZSTD                      ,
  c_phone char(15) NOT NULL ENCODE ZSTD                           ,
  c_acctbal numeric(12,2) NOT NULL ENCODE ZSTD                    ,
  c_mktsegment char(10) NOT NULL ENCODE ZSTD                      ,
  c_comment varchar(117) NOT NULL ENCODE ZSTD
);

-- expect: count 6
INSERT INTO customer_v3(c_custkey, c_name, c_address, c_nationname, c_regionname, c_phone, c_acctbal, c_mktsegment, c_comment)
SELECT c_custkey, c_name, c_address, n_name, r_name, c_phone, c_acctbal, c_mktsegment, c_comment
FROM customer_v2
INNER JOIN nation ON c_nationkey = n_nationkey
INNER JOIN region ON n_regionkey = r_regionkey;

ANALYZE customer_v3;

-- customers 1 (INDIA), 2 (JAPAN), 4 (INDONESIA) are in ASIA
-- expect: rows
-- | 3
SELECT COUNT(c_custkey)
FROM customer_v1 c
INNER JOIN nation n ON c.c_nationkey = n.n_nationkey
INNER JOIN region r ON n.n_regionkey = r.r_regionkey
WHERE r.r_name = 'ASIA';

-- expect: rows
-- | 3
SELECT COUNT(c_custkey)
FROM customer_v3 c
WHERE c.c_regionname = 'ASIA';

-- the lab's timing query reads STL_QUERY (system table, not emulated)
-- local: refused STL_QUERY
SELECT query, TRIM(querytxt) as SQL, starttime, endtime, DATEDIFF(microsecs, starttime, endtime) AS duration
FROM STL_QUERY
WHERE TRIM(querytxt) like '%customer%'
ORDER BY starttime DESC
LIMIT 3;

CREATE TABLE orders_v1 (
  o_orderkey int8 NOT NULL PRIMARY KEY                             ,
  o_custkey int8 NOT NULL DISTKEY REFERENCES customer_v3(c_custkey),
  o_orderstatus char(1) NOT NULL                                   ,
  o_totalprice numeric(12,2) NOT NULL                              ,
  o_orderdate date NOT NULL SORTKEY                                ,
  o_orderpriority char(15) NOT NULL                                ,
  o_clerk char(15) NOT NULL                                        ,
  o_shippriority int4 NOT NULL                                     ,
  o_comment varchar(79) NOT NULL
);

-- expect: count 6
INSERT INTO orders_v1
SELECT * FROM orders;
ANALYZE orders_v1;

CREATE TABLE orders_v2 (
  o_orderkey int8 NOT NULL PRIMARY KEY ENCODE ZSTD                 ,
  o_custkey int8 NOT NULL DISTKEY REFERENCES customer_v3(c_custkey)
ENCODE ZSTD							       ,
  o_orderstatus char(1) NOT NULL ENCODE ZSTD                       ,
  o_totalprice numeric(12,2) NOT NULL ENCODE ZSTD                  ,
  o_orderdate date NOT NULL SORTKEY ENCODE ZSTD                    ,
  o_orderpriority char(15) NOT NULL ENCODE ZSTD                    ,
  o_clerk char(15) NOT NULL ENCODE ZSTD                            ,
  o_shippriority int4 NOT NULL ENCODE ZSTD                         ,
  o_comment varchar(79) NOT NULL ENCODE ZSTD
);

-- expect: count 6
INSERT INTO orders_v2
SELECT * FROM orders_v1;
ANALYZE orders_v2;

CREATE TABLE orders_v3 (
  o_orderkey int8 NOT NULL PRIMARY KEY ENCODE ZSTD                 ,
  o_custkey int8 NOT NULL REFERENCES customer_v3(c_custkey)
ENCODE ZSTD							       ,
  o_orderstatus char(1) NOT NULL ENCODE ZSTD                       ,
  o_totalprice numeric(12,2) NOT NULL ENCODE ZSTD                  ,
  o_orderdate date NOT NULL SORTKEY ENCODE ZSTD                    ,
  o_orderpriority char(15) NOT NULL ENCODE ZSTD                    ,
  o_clerk char(15) NOT NULL ENCODE ZSTD                            ,
  o_shippriority int4 NOT NULL ENCODE ZSTD                         ,
  o_comment varchar(79) NOT NULL ENCODE ZSTD
) diststyle all;

-- expect: count 6
INSERT INTO orders_v3
SELECT * FROM orders_v2;
ANALYZE orders_v3;

-- 1995, ASIA: BUILDING has orders 2 and 5 (2000.00, 1000.00), AUTOMOBILE order 3 (1500.25);
-- AVG of numeric(12,2) keeps scale 2 on Redshift
-- expect: rows unordered
-- | BUILDING | 2 | 1500.00 | 3000.00
-- | AUTOMOBILE | 1 | 1500.25 | 1500.25
SELECT c_mktsegment, COUNT(o_orderkey) AS orders_count,
AVG(o_totalprice) AS medium_amount,
SUM(o_totalprice) AS orders_revenue
FROM orders_v1 o
INNER JOIN customer_v3 c ON o.o_custkey = c.c_custkey
WHERE o_orderdate BETWEEN '1995-01-01' AND '1995-12-31' AND
c_regionname = 'ASIA'
GROUP BY c_mktsegment;

-- Result Set Caching
-- expect: rows unordered
-- | AUTOMOBILE | 1-URGENT | 1000.50
-- | BUILDING | 2-HIGH | 2000.00
-- | BUILDING | 1-URGENT | 1000.00
-- | AUTOMOBILE | 3-MEDIUM | 1500.25
-- | AUTOMOBILE | 2-HIGH | 250.75
-- | MACHINERY | 5-LOW | 300.00
SELECT c_mktsegment, o_orderpriority, sum(o_totalprice)
FROM Customer_v3 c
JOIN Orders_v2 o on c.c_custkey = o.o_custkey
GROUP BY c_mktsegment, o_orderpriority;

-- expect: count 1
UPDATE customer_v3
SET c_mktsegment = c_mktsegment
WHERE c_mktsegment = 'MACHINERY';

VACUUM DELETE ONLY customer_v3;

-- expect: rows
-- | MACHINERY | 1
SELECT c_mktsegment, count(1)
FROM Customer_v3 c
WHERE c_mktsegment = 'MACHINERY'
GROUP BY c_mktsegment;

-- Selective Filtering
-- expect: rows
-- | 1 | 300.00
select count(1), sum(o_totalprice)
FROM orders_v3
WHERE o_orderdate between '1992-07-05' and '1992-07-07';

-- expect: rows
-- | 6 | 6051.50
select count(1), sum(o_totalprice)
FROM orders_v3
where o_orderkey < 600001;

-- Join Strategies
-- expect: ok
EXPLAIN
SELECT c_mktsegment, o_orderpriority, sum(o_totalprice)
FROM Customer_v3 c
JOIN Orders o on c.c_custkey = o.o_custkey
GROUP BY c_mktsegment, o_orderpriority;

-- expect: count 6
CREATE TABLE orders_v4
DISTKEY(o_custkey) SORTKEY (o_custkey) as
SELECT * FROM orders_v2;

-- expect: types bigint, bigint, character(1), numeric(12,2), date, character(15), character(15), integer, character varying(79)
select * from orders_v4;

-- expect: ok
EXPLAIN
SELECT * FROM region, nation;
