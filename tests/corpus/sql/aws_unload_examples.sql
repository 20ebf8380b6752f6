-- Source: Amazon Redshift Database Developer Guide, "UNLOAD examples"
-- (https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html) on a
-- small VENUE table. The local stack unloads as a cluster with one slice: one file per
-- UNLOAD (PARALLEL ON) named <prefix>0000_part_00, the naming UNLOAD documents.
-- bucket: mybucket

create table venue(
    venueid smallint not null distkey sortkey,
    venuename varchar(100),
    venuecity varchar(30),
    venuestate char(2),
    venueseats integer);

insert into venue values
(1, 'Pinewood Racetrack', 'Akron', 'OH', 0),
(2, 'Columbus "Crew" Stadium', 'Columbus', 'OH', 0),
(4, 'Community, Ballpark, Arena', 'Kansas City', 'KS', 0),
(6, 'New York Giants Stadium', 'East Rutherford', 'NJ', 80242);

-- expect: keys s3://mybucket/unload/
-- | unload/0000_part_00
unload ('select * from venue')
to 's3://mybucket/unload/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- expect: keys s3://mybucket/unload/venue_pipe_
-- | unload/venue_pipe_0000_part_00
unload ('select * from venue')
to 's3://mybucket/unload/venue_pipe_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- expect: keys s3://mybucket/csv/
-- | csv/0000_part_00
unload ('select * from venue')
to 's3://mybucket/csv/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
CSV;

-- expect: keys s3://mybucket/csvpipe/
-- | csvpipe/0000_part_00
unload ('select * from venue')
to 's3://mybucket/csvpipe/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
CSV DELIMITER AS '|';

-- expect: keys s3://mybucket/venue_pipe_
-- | venue_pipe_0000_part_00
-- | venue_pipe_manifest
unload ('select * from venue')
to 's3://mybucket/venue_pipe_' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest;

-- expect: keys s3://mybucket/header/
-- | header/000
unload ('select * from venue where venueseats > 75000')
to 's3://mybucket/header/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
header
parallel off;

-- expect: keys s3://mybucket/parquet/
-- | parquet/0000_part_00.parquet
unload ('select * from venue')
to 's3://mybucket/parquet/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
FORMAT AS PARQUET;

-- expect: keys s3://mybucket/bystate/
-- | bystate/venuestate=KS/0000_part_00.parquet
-- | bystate/venuestate=NJ/0000_part_00.parquet
-- | bystate/venuestate=OH/0000_part_00.parquet
unload ('select * from venue')
to 's3://mybucket/bystate/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
PARQUET
PARTITION BY (venuestate);

-- expect: keys s3://mybucket/gz/
-- | gz/0000_part_00.gz
unload ('select venueid, venuename from venue where venuename like ''%Stadium%''')
to 's3://mybucket/gz/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
gzip;

-- An UNLOAD whose query uses Redshift functions: they are translated inside the quotes.
-- expect: keys s3://mybucket/translated/
-- | translated/000
unload ('select venueid, nvl(venuename, ''?''), dateadd(day, 1, ''2008-01-01''::date) from (select * from venue where venueid < 3) order by venueid')
to 's3://mybucket/translated/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
parallel off;

-- expect: error LIMIT
unload ('select * from venue limit 2')
to 's3://mybucket/limit/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';

-- expect: keys s3://mybucket/json/
-- | json/0000_part_00
-- local: refused JSON
unload ('select * from venue')
to 's3://mybucket/json/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
JSON;
