-- Source: UNLOAD examples (https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html),
-- each unloaded file read back with COPY as the pages do.
-- bucket: unload-examples

create table venue(venueid smallint not null distkey sortkey, venuename varchar(100), venuecity varchar(30), venuestate char(2), venueseats integer);

insert into venue values
(1, 'Pinewood Racetrack', 'Akron', 'OH', 0),
(2, 'Columbus "Crew" Stadium', 'Columbus', 'OH', 0),
(4, 'Community, Ballpark, Arena', 'Kansas City', 'KS', 0),
(6, 'New York Giants Stadium', 'East Rutherford', 'NJ', 80242),
(7, 'Pipe|Field', NULL, 'CA', NULL);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Unload VENUE serially
-- expect: keys s3://unload-examples/unload/venue_serial_
-- | unload/venue_serial_000
unload ('select * from venue')
to 's3://unload-examples/unload/venue_serial_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
parallel off;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Unload VENUE to smaller files (MAXFILESIZE)
-- expect: keys s3://unload-examples/small/
-- | small/0000_part_00
unload ('select * from venue')
to 's3://unload-examples/small/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
maxfilesize 5 mb;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html#unload-maxfilesize: AS form and GB unit
-- expect: keys s3://unload-examples/big/
-- | big/0000_part_00
unload ('select * from venue')
to 's3://unload-examples/big/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
maxfilesize as 1 gb;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Unload VENUE to a tab-delimited file
-- expect: keys s3://unload-examples/tab/venue_tab_
-- | tab/venue_tab_0000_part_00
unload ('select venueid, venuename, venueseats from venue')
to 's3://unload-examples/tab/venue_tab_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter as '\t';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: tab-delimited GZIP files
-- expect: keys s3://unload-examples/tabgz/venue_tab_
-- | tabgz/venue_tab_0000_part_00.gz
unload ('select venueid, venuename, venueseats from venue')
to 's3://unload-examples/tabgz/venue_tab_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter as '\t'
gzip;

-- round trip of the GZIP files
create table venue_tab (venueid smallint, venuename varchar(100), venueseats integer);

-- expect: count 5
copy venue_tab from 's3://unload-examples/tabgz/venue_tab_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '\t' gzip;

-- expect: rows
-- | t | NULL
select venuename = 'Pipe|Field', venueseats from venue_tab where venueid = 7;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Unload data that contains a delimiter (ADDQUOTES)
-- expect: keys s3://unload-examples/addq/
-- | addq/0000_part_00
unload ('select venueid, venuename, venuecity from venue')
to 's3://unload-examples/addq/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' addquotes;

create table venue_q (venueid smallint, venuename varchar(100), venuecity varchar(30));

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: load the ADDQUOTES files with REMOVEQUOTES
-- expect: count 5
copy venue_q from 's3://unload-examples/addq/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' removequotes;

-- expect: rows
-- | 7 | t
select venueid, venuename = 'Pipe|Field' from venue_q where venueid = 7;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html#unload-escape: ADDQUOTES with ESCAPE escapes the quotes inside
-- expect: keys s3://unload-examples/addqe/
-- | addqe/0000_part_00
unload ('select venueid, venuename, venuecity from venue')
to 's3://unload-examples/addqe/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' addquotes escape;

truncate venue_q;

-- expect: count 5
copy venue_q from 's3://unload-examples/addqe/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' removequotes escape;

-- expect: rows
-- | 2 | Columbus "Crew" Stadium
select venueid, venuename from venue_q where venueid = 2;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Unload VENUE with a manifest file, then load it
-- expect: keys s3://unload-examples/mf/venue_pipe_
-- | mf/venue_pipe_0000_part_00
-- | mf/venue_pipe_manifest
unload ('select * from venue where venueid <> 7')
to 's3://unload-examples/mf/venue_pipe_' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest verbose;

create table loadvenue (like venue);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Load VENUE from unload files
-- expect: count 4
copy loadvenue from 's3://unload-examples/mf/venue_pipe_manifest' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest;

-- expect: rows
-- | 4 | Community, Ballpark, Arena | Kansas City | KS | 0
select * from loadvenue where venueid = 4;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Unload using NULL AS
-- expect: keys s3://unload-examples/nulls/
-- | nulls/0000_part_00
unload ('select * from venue')
to 's3://unload-examples/nulls/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
null as 'fred';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Unload using ALLOWOVERWRITE (files exist)
-- expect: error
unload ('select * from venue')
to 's3://unload-examples/nulls/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- expect: keys s3://unload-examples/nulls/
-- | nulls/0000_part_00
unload ('select * from venue')
to 's3://unload-examples/nulls/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
allowoverwrite;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html#unload-extension: EXTENSION with CSV
-- expect: keys s3://unload-examples/ext/
-- | ext/0000_part_00.csv
unload ('select * from venue')
to 's3://unload-examples/ext/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format csv
extension 'csv';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html#unload-extension: EXTENSION with GZIP
-- expect: keys s3://unload-examples/extgz/
-- | extgz/0000_part_00.csv.gz
unload ('select * from venue')
to 's3://unload-examples/extgz/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv gzip
extension 'csv.gz';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html: CSV HEADER PARALLEL FALSE
-- expect: keys s3://unload-examples/hdr/venue_
-- | hdr/venue_000
unload ('select venueid, venuename from venue order by venueid')
to 's3://unload-examples/hdr/venue_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv header parallel false;

create table venue_hdr (venueid smallint, venuename varchar(100));

-- round trip of the CSV with a header
-- expect: count 5
copy venue_hdr from 's3://unload-examples/hdr/venue_000'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv ignoreheader 1;

-- expect: rows
-- | 4 | Community, Ballpark, Arena
select * from venue_hdr where venueid = 4;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html: REGION, ENCRYPTED with KMS_KEY_ID, ZSTD, CLEANPATH
-- expect: keys s3://unload-examples/misc/
-- | misc/0000_part_00.zst
unload ('select * from venue')
to 's3://unload-examples/misc/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
kms_key_id '1234abcd-12ab-34cd-56ef-1234567890ab'
encrypted
zstd
cleanpath
region 'us-east-1';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html: Unload the results of a join query, quoted with doubled quotes
-- expect: keys s3://unload-examples/join/
-- | join/0000_part_00
unload ('select v.venueid, v.venuename from venue v join venue w on v.venueid = w.venueid where v.venuestate = ''OH''')
to 's3://unload-examples/join/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html: a LIMIT in an outer query is refused; nested it is allowed
-- expect: keys s3://unload-examples/lim/
-- | lim/0000_part_00
unload ('select * from venue where venueid in (select venueid from venue order by venueid limit 2)')
to 's3://unload-examples/lim/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html: FIXEDWIDTH
-- expect: keys s3://unload-examples/fw/
-- | fw/0000_part_00
unload ('select venueid, venuestate from venue')
to 's3://unload-examples/fw/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
fixedwidth as 'venueid:3,venuestate:2';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html: ESCAPE round trip
-- expect: keys s3://unload-examples/esc/
-- | esc/0000_part_00
unload ('select venueid, venuename from venue')
to 's3://unload-examples/esc/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
escape;

-- expect: count 5
copy venue_hdr from 's3://unload-examples/esc/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
escape;

-- expect: rows
-- | t
select venuename = 'Pipe|Field' from venue_hdr where venueid = 7 limit 1;
