-- Source: COPY examples and parameter pages (https://docs.aws.amazon.com/redshift/latest/dg/r_COPY_command_examples.html
-- and the pages named above each statement); small data files in tests/corpus/data/commands.
-- s3: s3://copy-examples/data/category_csv.txt = commands/category_csv.txt
-- s3: s3://copy-examples/data/category_csv_pct.txt = commands/category_csv_pct.txt
-- s3: s3://copy-examples/data/category_header.csv = commands/category_header.csv
-- s3: s3://copy-examples/data/venue_noseats.txt = commands/venue_noseats.txt
-- s3: s3://copy-examples/data/venue_nulls.txt = commands/venue_nulls.txt
-- s3: s3://copy-examples/data/venue_nullas.txt = commands/venue_nullas.txt
-- s3: s3://copy-examples/data/dates.txt = commands/dates.txt
-- s3: s3://copy-examples/data/times_custom.txt = commands/times_custom.txt
-- s3: s3://copy-examples/data/venue_part1.txt = commands/venue_part1.txt
-- s3: s3://copy-examples/data/venue_part2.txt = commands/venue_part2.txt
-- s3: s3://copy-examples/data/venue_tab.txt = commands/venue_tab.txt
-- s3: s3://copy-examples/gz/venue_part1.txt.gz = commands/venue_part1.txt.gz
-- s3: s3://copy-examples/data/venue.manifest = commands/venue.manifest
-- s3: s3://copy-examples/parquet/venue.parquet = commands/venue.parquet

create table category(catid smallint not null distkey sortkey, catgroup varchar(10), catname varchar(10), catdesc varchar(50));

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COPY_command_examples.html: Load from a CSV file
-- expect: count 4
copy category
from 's3://copy-examples/data/category_csv.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv;

-- expect: rows
-- | 12 | Musical theatre
-- | 13 | All "non-musical" theatre
-- | 14 | All opera, light, and "rock" opera
-- | 15 | All symphony, concerto, and choir concerts
select catid, catdesc from category order by 1;

truncate category;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COPY_command_examples.html: CSV QUOTE AS '%'
-- expect: count 4
copy category
from 's3://copy-examples/data/category_csv_pct.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv quote as '%';

-- expect: rows
-- | 13 | All "non-musical" theatre
select catid, catdesc from category where catid = 13;

truncate category;

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html#copy-ignoreheader
-- expect: count 2
copy category
from 's3://copy-examples/data/category_header.csv'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format as csv
ignoreheader as 1
region 'us-east-1';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COPY_command_examples.html: Load data from a file with default values
create table venue_new(
venueid smallint not null,
venuename varchar(100) not null,
venuecity varchar(30),
venuestate char(2),
venueseats integer not null default '1000');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COPY_command_examples.html: column list, default for omitted column
-- expect: count 5
copy venue_new(venueid, venuename, venuecity, venuestate)
from 's3://copy-examples/data/venue_noseats.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';

-- expect: rows
-- | 1 | Toyota Park | Bridgeview | IL | 1000
-- | 5 | Gillette Stadium | Foxborough | MA | 1000
select * from venue_new where venueid in (1, 5) order by 1;

create table venue(venueid smallint, venuename varchar(100), venuecity varchar(30), venuestate char(2), venueseats integer);

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html: default text mode, empty CHAR/VARCHAR stays '', \N is NULL
-- expect: count 3
copy venue from 's3://copy-examples/data/venue_nulls.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';

-- expect: rows
-- | 1 | Bridgeview | 0
-- | 2 |  | NULL
-- | 3 |  | 0
select venueid, venuecity, venueseats from venue order by 1;

-- expect: rows
-- | 0
select count(*) from venue where venuecity is null;

truncate venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html#copy-emptyasnull
-- expect: count 3
copy venue from 's3://copy-examples/data/venue_nulls.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' emptyasnull blanksasnull;

-- expect: rows
-- | 1 | Bridgeview
-- | 2 | NULL
-- | 3 | NULL
select venueid, venuecity from venue order by 1;

truncate venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html#copy-null-as
-- expect: error Invalid digit
copy venue from 's3://copy-examples/data/venue_nullas.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' null as 'NULL';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html (Load from NULL AS 'fred' files)
-- expect: count 2
copy venue from 's3://copy-examples/data/venue_nullas.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' null as 'fred';

-- expect: rows
-- | 1 | f | NULL | 0
-- | 2 | t | Columbus | NULL
select venueid, venuename is null, venuecity, venueseats from venue order by 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html#copy-dateformat and #copy-timeformat 'epochsecs'
create table dated (id int, d date, ts timestamp);

-- expect: count 2
copy dated from 's3://copy-examples/data/dates.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' dateformat 'MM/DD/YYYY' timeformat 'epochsecs';

-- expect: rows
-- | 1 | 2008-03-15 | 2008-03-20 00:00:00
-- | 2 | 2008-12-31 | 2008-12-31 00:00:00
select * from dated order by 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATEFORMAT_and_TIMEFORMAT_strings.html: TIMEFORMAT 'MM/DD/YYYY HH:MI:SS'
create table timed (id int, ts timestamp);

-- expect: count 1
copy timed from 's3://copy-examples/data/times_custom.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' timeformat 'MM/DD/YYYY HH:MI:SS';

-- expect: rows
-- | 1 | 2008-03-15 14:30:00
select * from timed;

truncate timed;

-- https://docs.aws.amazon.com/redshift/latest/dg/automatic-recognition.html: TIMEFORMAT 'auto'
-- expect: count 1
copy timed from 's3://copy-examples/data/times_custom.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' timeformat 'auto';

-- expect: rows
-- | 1 | 2008-03-15 14:30:00
select * from timed;

truncate venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-file-compression.html: GZIP
-- expect: count 2
copy venue from 's3://copy-examples/gz/venue_part1.txt.gz'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' gzip;

truncate venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-source-s3.html: a key prefix loads every matching object
-- expect: count 3
copy venue from 's3://copy-examples/data/venue_part'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';

truncate venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html
-- expect: count 3
copy venue from 's3://copy-examples/data/venue.manifest'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' manifest;

truncate venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COPY_command_examples.html: tab delimiter as '\t'
-- expect: count 1
copy venue from 's3://copy-examples/data/venue_tab.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '\t';

-- expect: rows
-- | 4 | Tab Park | 100
select venueid, venuename, venueseats from venue;

truncate venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COPY_command_examples.html: Load EVENT with options (REMOVEQUOTES EMPTYASNULL BLANKSASNULL MAXERROR)
-- expect: count 3
copy venue from 's3://copy-examples/data/venue_part'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
removequotes emptyasnull blanksasnull maxerror 5 delimiter '|' compupdate off statupdate off;

truncate venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html: FORMAT AS PARQUET
-- expect: count 2
copy venue from 's3://copy-examples/parquet/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format as parquet;

-- expect: rows
-- | 7 | Parquet Park | 1000
-- | 8 | Arrow Arena | NULL
select venueid, venuename, venueseats from venue order by 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-authorization.html: ACCESS_KEY_ID / SECRET_ACCESS_KEY
-- expect: count 1
copy venue from 's3://copy-examples/data/venue_part2.txt'
access_key_id 'AKIAIOSFODNN7EXAMPLE' secret_access_key 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
delimiter '|';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html: a missing key fails the COPY
-- expect: error
copy venue from 's3://copy-examples/data/nope.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html: COPY inside a transaction rolls back
begin;

-- expect: count 1
copy venue from 's3://copy-examples/data/venue_part2.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';

rollback;

-- expect: rows
-- | 3
select count(*) from venue;

-- https://docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_COUNT.html
-- expect: rows
-- | 1
select pg_last_copy_count();
