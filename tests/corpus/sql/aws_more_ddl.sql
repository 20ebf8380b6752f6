-- Source: Amazon Redshift Database Developer Guide, CREATE/ALTER/DROP command pages and their
-- examples (docs.aws.amazon.com/redshift/latest/dg/...), each statement's page named above it.

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_examples.html (tickit EVENT)
create table event(eventid integer not null distkey, venueid smallint not null, catid smallint not null, dateid smallint not null sortkey, eventname varchar(200), starttime timestamp);

-- expect: count 3
insert into event values (1, 10, 9, 1827, 'Gotterdammerung', '2008-01-25 14:30:00'), (2, 11, 9, 1828, 'Carmen', '2008-01-26 19:00:00'), (3, 12, 7, 1829, 'Hamlet', '2008-01-27 20:00:00');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CTAS_examples.html
create table event_backup as select * from event;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CTAS_examples.html
create temp table eventdistsort
distkey (1)
sortkey (1,3)
as
select eventid, venueid, dateid, eventname
from event;

-- expect: types integer, smallint, smallint, character varying(200)
select * from eventdistsort;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CTAS_examples.html
create table eventdisteven
diststyle even
as select eventid, venueid, dateid, eventname
from event;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CTAS_examples.html
create table eventdistevensort diststyle even sortkey (venueid)
as select eventid, venueid, dateid, eventname from event;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CTAS_examples.html
create table venuecopy diststyle all as select * from event;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CTAS_examples.html
create table eventsort compound sortkey (eventid, dateid) as select eventid, dateid, eventname from event;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_AS.html: BACKUP NO, DISTSTYLE AUTO
create table event_nobackup backup no diststyle auto as select * from event;

-- expect: rows
-- | 3
select count(*) from event_nobackup;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_AS.html: CREATE TEMP TABLE AS
create temp table event_tmp as select eventid, eventname from event where eventid > 1;

-- expect: rows
-- | 2 | Carmen
-- | 3 | Hamlet
select * from event_tmp order by 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html: BACKUP NO, DISTSTYLE AUTO, SORTKEY AUTO, ENCODE AUTO
create table t_auto (c1 int, c2 varchar(10)) backup no diststyle auto sortkey auto encode auto;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html: column ENCODE AUTO-less encodings
create table t_enc (c1 int encode az64, c2 varchar(10) encode zstd, c3 date encode raw, c4 char(2) encode bytedict, c5 varchar(20) encode text255, c6 bigint encode runlength);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html: LIKE ... INCLUDING DEFAULTS
create table cat_default (catid smallint not null default 0, catgroup varchar(10) default 'General');

create table cat_like_incl (like cat_default including defaults);

-- expect: count 1
insert into cat_like_incl (catid) values (5);

-- expect: rows
-- | 5 | General
select * from cat_like_incl;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html: LIKE defaults to EXCLUDING DEFAULTS
create table cat_like_excl (like cat_default);

-- expect: count 1
insert into cat_like_excl (catid) values (6);

-- expect: rows
-- | 6 | NULL
select * from cat_like_excl;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html: IDENTITY(seed, step) with step 10
create table t_ident (id bigint identity(100, 10), name varchar(10));

-- expect: count 3
insert into t_ident (name) values ('a'), ('b'), ('c');

-- expect: rows
-- | 100 | a
-- | 110 | b
-- | 120 | c
select * from t_ident order by id;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html: an IDENTITY column cannot take an explicit value in INSERT
-- expect: error identity
insert into t_ident (id, name) values (5, 'x');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html: DEFAULT with functions
create table t_def (id int, loaded_at timestamp default getdate(), loaded_on date default sysdate, who varchar(30) default current_user, flag boolean default false);

-- expect: count 1
insert into t_def (id) values (1);

-- expect: rows
-- | 1 | t | t | f
select id, loaded_at is not null, loaded_on is not null, flag from t_def;

-- https://docs.aws.amazon.com/redshift/latest/dg/t_Defining_constraints.html: PRIMARY KEY/UNIQUE are informational, not enforced
create table t_pk (id int primary key, code varchar(5) unique, parent int references t_pk(id));

-- expect: count 2
insert into t_pk values (1, 'a', null), (1, 'a', 99);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html: table constraints UNIQUE/PRIMARY KEY with DISTSTYLE KEY
create table t_tcons (a int not null, b int not null, c varchar(10), primary key (a, b), unique (c)) diststyle key distkey (a) interleaved sortkey (a, b);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html: TEXT is VARCHAR(256), BPCHAR is CHAR(256), NVARCHAR/NCHAR
create table t_types (a text, b bpchar, c nvarchar(10), d nchar(3), e character varying(max), f float4, g float, h timestamptz, i int2, j int8, k decimal);

-- expect: types character varying(256), character(256), character varying(10), character(3), character varying(65535), real, double precision, timestamp with time zone, smallint, bigint, numeric(18,0)
select * from t_types;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE_examples_basic.html
alter table event_backup add column feedback_score int default NULL;

alter table event_backup drop column feedback_score;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE_examples_basic.html: add column with default fills existing rows
alter table event_backup add column status varchar(10) default 'active' not null;

-- expect: rows
-- | active | 3
select status, count(*) from event_backup group by 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE_examples_basic.html
alter table event_backup rename column eventname to event_name;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html: ALTER COLUMN TYPE only for VARCHAR lengths
alter table event_backup alter column event_name type varchar(400);

-- expect: types character varying(400)
select event_name from event_backup;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html: ALTER DISTSTYLE / SORTKEY / ENCODE variants
alter table event_backup alter diststyle all;

alter table event_backup alter diststyle even;

alter table event_backup alter diststyle auto;

alter table event_backup alter distkey eventid;

alter table event_backup alter compound sortkey (eventid, dateid);

alter table event_backup alter sortkey auto;

alter table event_backup alter sortkey none;

alter table event_backup alter encode auto;

alter table event_backup alter column event_name encode zstd;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html: change owner, rename table, schema-qualified
alter table public.event_backup rename to event_bak;

-- expect: rows
-- | 3
select count(*) from event_bak;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html: ADD/DROP table constraint
alter table event_bak add constraint event_bak_pk primary key (eventid);

alter table event_bak drop constraint event_bak_pk;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE_APPEND.html
create table event_more (like event);

-- expect: count 1
insert into event_more values (4, 13, 9, 1830, 'Aida', '2008-01-28 19:00:00');

-- local: refused ALTER TABLE APPEND
alter table event append from event_more;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_VIEW.html
create view event_v as select eventid, eventname from event;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html: rename a view with ALTER TABLE
alter table event_v rename to event_v2;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_VIEW.html
drop view if exists event_v2;

create view eventview as select eventid, eventname from event;

create view myeventview as select eventname from eventview;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_VIEW.html: a dependent view needs CASCADE
-- expect: error depend
drop view eventview;

drop view eventview cascade;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_VIEW.html: a late-binding view
create table lb_base (a int);

create view lb_view as select a from public.lb_base with no schema binding;

-- https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-create-sql-command.html
CREATE MATERIALIZED VIEW tickets_mv
BACKUP NO
DISTSTYLE KEY DISTKEY(catid)
SORTKEY(catid)
AS select catid, count(*) as n from event group by catid;

-- expect: rows
-- | 7 | 1
-- | 9 | 2
select * from tickets_mv order by catid;

-- expect: count 1
insert into event values (5, 13, 7, 1831, 'Macbeth', '2008-01-29 19:00:00');

-- https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-refresh-sql-command.html
REFRESH MATERIALIZED VIEW tickets_mv;

-- expect: rows
-- | 7 | 2
-- | 9 | 2
select * from tickets_mv order by catid;

-- https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-create-sql-command.html
-- local: refused AUTO REFRESH
CREATE MATERIALIZED VIEW mv_auto AUTO REFRESH YES AS select eventid from event;

-- https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-drop-sql-command.html
DROP MATERIALIZED VIEW tickets_mv;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COMMENT.html
comment on table event is 'Contains listings of individual events.';

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COMMENT.html
comment on column event.eventname is 'Name of the event';

-- expect: rows
-- | Contains listings of individual events. | Name of the event
select obj_description('event'::regclass), col_description('event'::regclass, 5);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_COMMENT.html
comment on table event is NULL;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_SCHEMA.html
create schema if not exists us_sales;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_SCHEMA.html: QUOTA
create schema us_sales2 quota 50 gb;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_search_path.html
set search_path to '$user', public, us_sales;

create table us_sales.only_here (x int);

-- expect: rows
-- | 0
select count(*) from only_here;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_search_path.html: SHOW search_path
show search_path;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_search_path.html
reset search_path;

-- expect: error does not exist
select count(*) from only_here;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_datestyle.html
show datestyle;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_TABLE.html
drop table if exists event_more, event_tmp;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_TABLE.html: a view depends on it
create view ev_dep as select * from event;

-- expect: error depend
drop table event;

drop table event cascade;
