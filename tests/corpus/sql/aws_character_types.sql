-- Source: Amazon Redshift Database Developer Guide, "Character types" and "Examples with
-- character types" (https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html,
-- r_Examples_with_character_types.html): lengths in bytes, default lengths, trailing
-- blanks, and the documented errors.

create table address(
address_id integer,
address1 varchar(100),
address2 varchar(50),
district varchar(20),
city_name char(20),
state char(2),
postal_code char(5)
);

-- expect: count 1
insert into address(address1) values('9516 Magnolia Boulevard');

-- expect: count 1
insert into address(address1) values('9516 Magnolia Boulevard  ');

-- expect: rows
-- | 2
select count(*) from address
where address1='9516 Magnolia Boulevard';

-- expect: rows unordered
-- | 23
-- | 25
select length(address1) from address;

-- expect: error value too long for type character(20)
insert into address(city_name) values('City of South San Francisco');

-- expect: count 1
insert into address(city_name)
values('City of South San Francisco'::char(20));

-- VARCHAR lengths are bytes: 'Zürich' takes 7 (r_Character_types.html, "Storage and ranges")
create table cities (city varchar(6), code char(3));

-- expect: error value too long for type character varying(6)
insert into cities values ('Zürich', 'ZRH');

-- expect: count 1
insert into cities values ('Zurich', 'ZRH');

-- expect: error value too long for type character varying(6)
update cities set city = 'Zürich';

-- a VARCHAR without a length is VARCHAR(256), CHAR is CHAR(1), BPCHAR is CHAR(256)
create table lengths (v varchar, c char, b bpchar, t text, n nvarchar);

-- expect: types character varying(256), character(1), character(256), character varying(256), character varying(256)
select v, c, b, t, n from lengths;

-- expect: error value too long for type character varying(256)
insert into lengths (v) values (repeat('x', 257));

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LENGTH.html: characters, not bytes
-- expect: rows
-- | 6 | 7
select length('Zürich'), octet_length('Zürich');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_names.html: identifiers fold to lower case
create table "MixedCase" ("MyColumn" int);

-- expect: count 1
insert into "MIXEDCASE" values (1);

-- expect: rows
-- | 1 | 1
select mycolumn, "MYCOLUMN" from mixedcase;
