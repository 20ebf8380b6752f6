-- The reviews pipeline's objects: the data lake's reviews as a Spectrum external table
-- (one partition per product category, as the source files are laid out), and the
-- internal reviews table the load step fills. Every statement is idempotent, so the
-- step runs first in every pipeline run, on a fresh cluster and on a warm one alike.
-- Redshift refuses external DDL inside a transaction block: no BEGIN in this file.
--
-- @param lake_uri s3_uri

CREATE EXTERNAL SCHEMA IF NOT EXISTS reviews_lake
FROM DATA CATALOG
DATABASE 'reviews_lake'
IAM_ROLE default
CREATE EXTERNAL DATABASE IF NOT EXISTS;

CREATE EXTERNAL TABLE IF NOT EXISTS reviews_lake.reviews (
    marketplace       varchar(10),
    customer_id       varchar(15),
    review_id         varchar(20),
    product_id        varchar(25),
    product_parent    varchar(15),
    product_title     varchar(400),
    star_rating       int,
    helpful_votes     int,
    total_votes       int,
    vine              varchar(5),
    verified_purchase varchar(5),
    review_headline   varchar(400),
    review_body       varchar(65535),
    review_date       date,
    year              int
)
PARTITIONED BY (product_category varchar(25))
STORED AS PARQUET
LOCATION '${lake_uri}';

ALTER TABLE reviews_lake.reviews ADD IF NOT EXISTS
    PARTITION (product_category = 'Apparel') LOCATION '${lake_uri}product_category=Apparel/'
    PARTITION (product_category = 'Automotive') LOCATION '${lake_uri}product_category=Automotive/'
    PARTITION (product_category = 'Baby') LOCATION '${lake_uri}product_category=Baby/'
    PARTITION (product_category = 'Beauty') LOCATION '${lake_uri}product_category=Beauty/'
    PARTITION (product_category = 'Books') LOCATION '${lake_uri}product_category=Books/'
    PARTITION (product_category = 'Camera') LOCATION '${lake_uri}product_category=Camera/'
    PARTITION (product_category = 'Grocery') LOCATION '${lake_uri}product_category=Grocery/'
    PARTITION (product_category = 'Furniture') LOCATION '${lake_uri}product_category=Furniture/'
    PARTITION (product_category = 'Watches') LOCATION '${lake_uri}product_category=Watches/'
    PARTITION (product_category = 'Lawn_and_Garden') LOCATION '${lake_uri}product_category=Lawn_and_Garden/';

-- product_id: high cardinality and the usual join key, so rows spread evenly and joins
-- to product tables stay local. review_date: every step filters on the run date.
CREATE TABLE IF NOT EXISTS reviews (
    marketplace       varchar(10) ENCODE zstd,
    customer_id       varchar(15) ENCODE zstd,
    review_id         varchar(20) ENCODE zstd,
    product_id        varchar(25) ENCODE zstd,
    product_parent    varchar(15) ENCODE zstd,
    product_title     varchar(400) ENCODE zstd,
    star_rating       int ENCODE az64,
    helpful_votes     int ENCODE az64,
    total_votes       int ENCODE az64,
    vine              varchar(5) ENCODE zstd,
    verified_purchase varchar(5) ENCODE zstd,
    review_headline   varchar(400) ENCODE zstd,
    review_date       date ENCODE raw,
    year              int ENCODE az64,
    product_category  varchar(25) ENCODE zstd
)
DISTSTYLE KEY
DISTKEY (product_id)
SORTKEY (review_date);
