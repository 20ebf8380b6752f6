-- Source: aws-samples/redshift-immersionday-labs, lab2/README.md ("LAB 2 - Data Loading"):
-- the TPC-H DDL, the COPY commands, ANALYZE, VACUUM, DELETE and the NOLOAD troubleshooting step.
-- The lab's data files are LZOP; LZOP is refused locally, so every COPY is given twice: as
-- written (lzop) and with GZIP in place of LZOP (the later Immersion Day "lineitem_incremental"
-- procedure loads the same bucket with gzip), all other options kept. Small data files
-- written for this corpus (TPC-H .tbl layout, trailing '|'); expected rows computed by hand.
-- s3: s3://redshift-immersionday-labs/data/region/region.tbl.gz = immersion/lab/region.tbl.gz
-- s3: s3://redshift-immersionday-labs/data/nation/nation.tbl.1.gz = immersion/lab/nation.tbl.1.gz
-- s3: s3://redshift-immersionday-labs/data/nation/nation.tbl.2.gz = immersion/lab/nation.tbl.2.gz
-- s3: s3://redshift-immersionday-labs/data/customer/customer.tbl.1.gz = immersion/lab/customer.tbl.1.gz
-- s3: s3://redshift-immersionday-labs/data/customer/customer.tbl.2.gz = immersion/lab/customer.tbl.2.gz
-- s3: s3://redshift-immersionday-labs/data/orders/orders.tbl.1.gz = immersion/lab/orders.tbl.1.gz
-- s3: s3://redshift-immersionday-labs/data/orders/orders.tbl.2.gz = immersion/lab/orders.tbl.2.gz
-- s3: s3://redshift-immersionday-labs/data/supplier/supplier.tbl.1.gz = immersion/lab/supplier.tbl.1.gz
-- s3: s3://redshift-immersionday-labs/data/supplier/supplier.tbl.2.gz = immersion/lab/supplier.tbl.2.gz
-- s3: s3://redshift-immersionday-labs/data/supplier/supplier.json = immersion/lab/supplier.json

DROP TABLE IF EXISTS partsupp;
DROP TABLE IF EXISTS lineitem;
DROP TABLE IF EXISTS supplier;
DROP TABLE IF EXISTS part;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS customer;
DROP TABLE IF EXISTS nation;
DROP TABLE IF EXISTS region;

CREATE TABLE region (
  R_REGIONKEY bigint NOT NULL PRIMARY KEY,
  R_NAME varchar(25),
  R_COMMENT varchar(152))
diststyle all;

CREATE TABLE nation (
  N_NATIONKEY bigint NOT NULL PRIMARY KEY,
  N_NAME varchar(25),
  N_REGIONKEY bigint REFERENCES region(R_REGIONKEY),
  N_COMMENT varchar(152))
diststyle all;

create table customer (
  C_CUSTKEY bigint NOT NULL PRIMARY KEY,
  C_NAME varchar(25),
  C_ADDRESS varchar(40),
  C_NATIONKEY bigint REFERENCES nation(N_NATIONKEY),
  C_PHONE varchar(15),
  C_ACCTBAL decimal(18,4),
  C_MKTSEGMENT varchar(10),
  C_COMMENT varchar(117))
diststyle all;

create table orders (
  O_ORDERKEY bigint NOT NULL PRIMARY KEY,
  O_CUSTKEY bigint REFERENCES customer(C_CUSTKEY),
  O_ORDERSTATUS varchar(1),
  O_TOTALPRICE decimal(18,4),
  O_ORDERDATE Date,
  O_ORDERPRIORITY varchar(15),
  O_CLERK varchar(15),
  O_SHIPPRIORITY Integer,
  O_COMMENT varchar(79))
distkey (O_ORDERKEY)
sortkey (O_ORDERDATE);

create table part (
  P_PARTKEY bigint NOT NULL PRIMARY KEY,
  P_NAME varchar(55),
  P_MFGR  varchar(25),
  P_BRAND varchar(10),
  P_TYPE varchar(25),
  P_SIZE integer,
  P_CONTAINER varchar(10),
  P_RETAILPRICE decimal(18,4),
  P_COMMENT varchar(23))
diststyle all;

create table supplier (
  S_SUPPKEY bigint NOT NULL PRIMARY KEY,
  S_NAME varchar(25),
  S_ADDRESS varchar(40),
  S_NATIONKEY bigint REFERENCES nation(n_nationkey),
  S_PHONE varchar(15),
  S_ACCTBAL decimal(18,4),
  S_COMMENT varchar(101))
diststyle all;

create table lineitem (
  L_ORDERKEY bigint NOT NULL REFERENCES orders(O_ORDERKEY),
  L_PARTKEY bigint REFERENCES part(P_PARTKEY),
  L_SUPPKEY bigint REFERENCES supplier(S_SUPPKEY),
  L_LINENUMBER integer NOT NULL,
  L_QUANTITY decimal(18,4),
  L_EXTENDEDPRICE decimal(18,4),
  L_DISCOUNT decimal(18,4),
  L_TAX decimal(18,4),
  L_RETURNFLAG varchar(1),
  L_LINESTATUS varchar(1),
  L_SHIPDATE date,
  L_COMMITDATE date,
  L_RECEIPTDATE date,
  L_SHIPINSTRUCT varchar(25),
  L_SHIPMODE varchar(10),
  L_COMMENT varchar(44),
PRIMARY KEY (L_ORDERKEY, L_LINENUMBER))
distkey (L_ORDERKEY)
sortkey (L_RECEIPTDATE);

create table partsupp (
  PS_PARTKEY bigint NOT NULL REFERENCES part(P_PARTKEY),
  PS_SUPPKEY bigint NOT NULL REFERENCES supplier(S_SUPPKEY),
  PS_AVAILQTY integer,
  PS_SUPPLYCOST decimal(18,4),
  PS_COMMENT varchar(199),
PRIMARY KEY (PS_PARTKEY, PS_SUPPKEY))
diststyle even;

-- as written (lzop): no .lzo files exist in this corpus; Redshift would decompress LZOP
-- local: refused LZOP
COPY region FROM 's3://redshift-immersionday-labs/data/region/region.tbl.lzo'
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
region 'us-west-2' lzop delimiter '|' COMPUPDATE PRESET;

-- local: refused LZOP
COPY nation FROM 's3://redshift-immersionday-labs/data/nation/nation.tbl.'
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
region 'us-west-2' lzop delimiter '|' COMPUPDATE PRESET;

-- gzip in place of lzop: a single file
-- expect: count 5
COPY region FROM 's3://redshift-immersionday-labs/data/region/region.tbl.gz'
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
region 'us-west-2' gzip delimiter '|' COMPUPDATE PRESET;

-- gzip in place of lzop: a key prefix naming two files
-- expect: count 6
COPY nation FROM 's3://redshift-immersionday-labs/data/nation/nation.tbl.'
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
region 'us-west-2' gzip delimiter '|' COMPUPDATE PRESET;

-- expect: count 6
copy customer from 's3://redshift-immersionday-labs/data/customer/customer.tbl.'
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
region 'us-west-2' gzip delimiter '|' COMPUPDATE PRESET;

-- expect: count 5
copy orders from 's3://redshift-immersionday-labs/data/orders/orders.tbl.'
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
region 'us-west-2' gzip delimiter '|' COMPUPDATE PRESET;

-- the supplier COPY names a manifest
-- expect: count 3
copy supplier from 's3://redshift-immersionday-labs/data/supplier/supplier.json' manifest
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
region 'us-west-2' gzip delimiter '|' COMPUPDATE PRESET;

-- expect: rows
-- | 0 | AFRICA | 1
-- | 1 | AMERICA | 1
-- | 2 | ASIA | 3
-- | 3 | EUROPE | 1
-- | 4 | MIDDLE EAST | 0
select r_regionkey, r_name, count(n_nationkey) from region left join nation on n_regionkey = r_regionkey group by 1, 2 order by 1;

-- trailing '|' of the .tbl layout ignored; decimal(18,4) keeps its scale
-- expect: rows
-- | 3 | Supplier#000000003 | 4192.4000 | blithely silent requests after the express dependencies are sl
select s_suppkey, s_name, s_acctbal, s_comment from supplier where s_suppkey = 3;

analyze customer;

-- Table Maintenance - VACUUM: DELETE without FROM, as the lab writes it (1992-01-01..1993-01-01 inclusive: orders 1, 2, 3)
-- expect: count 3
delete orders where o_orderdate between '1992-01-01' and '1993-01-01';

vacuum delete only orders;

-- expect: rows
-- | 4
-- | 5
select o_orderkey from orders order by 1;

-- Troubleshooting Loads, as written (lzop + noload)
-- expect: error Load into table 'customer' failed
-- local: refused LZOP
COPY customer FROM 's3://redshift-immersionday-labs/data/nation/nation.tbl.'
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
lzop delimiter '|' noload;

-- the same with gzip: nation rows have 4 fields, customer 8 columns: the load fails
-- expect: error Load into table 'customer' failed
COPY customer FROM 's3://redshift-immersionday-labs/data/nation/nation.tbl.'
iam_role 'arn:aws:iam::123456789012:role/RedshiftImmersionRole'
gzip delimiter '|' noload;

-- NOLOAD loaded nothing
-- expect: rows
-- | 6
select count(*) from customer;

-- the failed load left a row in STL_LOAD_ERRORS for table customer
-- expect: rows
-- | t
select count(*) > 0 from stl_load_errors;

-- expect: ok
select * from stl_load_errors;

-- the lab's view joins STV_TBL_PERM (not emulated: system table)
-- local: refused STV_TBL_PERM
create view loadview as
(select distinct tbl, trim(name) as table_name, query, starttime,
trim(filename) as input, line_number, colname, err_code,
trim(err_reason) as reason
from stl_load_errors sl, stv_tbl_perm sp
where sl.tbl = sp.id);
