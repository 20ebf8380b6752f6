-- Reloads TICKIT's users from the tutorial's pipe-delimited file; an empty like* field
-- is NULL. Table and COPY adapted from the Amazon Redshift Getting Started Guide, "Load
-- data from Amazon S3" (https://docs.aws.amazon.com/redshift/latest/gsg/rs-gsg-create-sample-db.html).
-- The delete and the load commit together: readers see the old rows or the new ones.
--
-- @param tickit_uri s3_uri

CREATE TABLE IF NOT EXISTS tickit.users (
    userid        integer NOT NULL DISTKEY SORTKEY,
    username      char(8),
    firstname     varchar(30),
    lastname      varchar(30),
    city          varchar(30),
    state         char(2),
    email         varchar(100),
    phone         char(14),
    likesports    boolean,
    liketheatre   boolean,
    likeconcerts  boolean,
    likejazz      boolean,
    likeclassical boolean,
    likeopera     boolean,
    likerock      boolean,
    likevegas     boolean,
    likebroadway  boolean,
    likemusicals  boolean
);

BEGIN;

DELETE FROM tickit.users;

COPY tickit.users
FROM '${tickit_uri}allusers_pipe.txt'
IAM_ROLE default
DELIMITER '|';

COMMIT;
