-- Source: Amazon Redshift Database Developer Guide, string function pages/examples (docs.aws.amazon.com/redshift/latest/dg/...), documented results.

create table listing (listid integer, listtime timestamp);

insert into listing values
(1, '2008-01-24 06:43:29'), (2, '2008-03-05 12:25:29'), (3, '2008-11-01 07:35:33'),
(4, '2008-05-24 01:18:37'), (5, '2008-05-17 02:29:11'), (6, '2008-08-15 02:08:13'),
(7, '2008-11-15 09:38:15'), (8, '2008-11-09 05:07:30'), (9, '2008-09-09 08:03:36'),
(10, '2008-06-17 09:44:54');

create table venue (venueid smallint, venuename varchar(100));

insert into venue values (1, 'Toyota Park'), (2, 'Columbus Crew Stadium'), (3, 'RFK Stadium'),
(4, 'CommunityAmerica Ballpark'), (5, 'Gillette Stadium'), (6, 'New York Giants Stadium'),
(7, 'BMO Field'), (8, 'The Home Depot Center'), (9, 'Dick''s Sporting Goods Park'),
(10, 'Pizza Hut Park');

create table event (eventid integer, eventname varchar(200));

insert into event values (1, 'Gotterdammerung'), (2, 'Boris Godunov'), (3, 'Salome'),
(4, 'La Cenerentola (Cinderella)'), (5, 'Il Trovatore');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_SUBSTRING.html
-- expect: rows
-- | 1 | 2008-01-24 06:43:29 | 01
-- | 2 | 2008-03-05 12:25:29 | 03
-- | 3 | 2008-11-01 07:35:33 | 11
-- | 4 | 2008-05-24 01:18:37 | 05
-- | 5 | 2008-05-17 02:29:11 | 05
-- | 6 | 2008-08-15 02:08:13 | 08
-- | 7 | 2008-11-15 09:38:15 | 11
-- | 8 | 2008-11-09 05:07:30 | 11
-- | 9 | 2008-09-09 08:03:36 | 09
-- | 10 | 2008-06-17 09:44:54 | 06
select listid, listtime,
substring(listtime, 6, 2) as month
from listing
order by 1, 2, 3
limit 10;

-- expect: rows
-- | 1 | 2008-01-24 06:43:29 | 01
-- | 2 | 2008-03-05 12:25:29 | 03
-- | 3 | 2008-11-01 07:35:33 | 11
-- | 4 | 2008-05-24 01:18:37 | 05
-- | 5 | 2008-05-17 02:29:11 | 05
-- | 6 | 2008-08-15 02:08:13 | 08
-- | 7 | 2008-11-15 09:38:15 | 11
-- | 8 | 2008-11-09 05:07:30 | 11
-- | 9 | 2008-09-09 08:03:36 | 09
-- | 10 | 2008-06-17 09:44:54 | 06
select listid, listtime,
substring(listtime from 6 for 2) as month
from listing
order by 1, 2, 3
limit 10;

-- expect: rows
-- | Fours
select cast('Fourscore and seven' as varchar(5));

-- expect: rows
-- | 616263
-- local: refused VARBYTE
select substring('abc'::varbyte, -3);

-- expect: rows
-- | 6263
-- local: refused VARBYTE
select substring('abc'::varbyte, 2, 10);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_POSITION.html
-- expect: rows
-- | 4
select position('fish' in 'dogfish');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LTRIM.html
-- expect: rows
-- | 1 | 2008-01-24 06:43:29 | 1-24 06:43:29
-- | 2 | 2008-03-05 12:25:29 | 3-05 12:25:29
-- | 3 | 2008-11-01 07:35:33 | 11-01 07:35:33
-- | 4 | 2008-05-24 01:18:37 | 5-24 01:18:37
-- | 5 | 2008-05-17 02:29:11 | 5-17 02:29:11
-- | 6 | 2008-08-15 02:08:13 | 15 02:08:13
-- | 7 | 2008-11-15 09:38:15 | 11-15 09:38:15
-- | 8 | 2008-11-09 05:07:30 | 11-09 05:07:30
-- | 9 | 2008-09-09 08:03:36 | 9-09 08:03:36
-- | 10 | 2008-06-17 09:44:54 | 6-17 09:44:54
select listid, listtime, ltrim(listtime, '2008-')
from listing
order by 1, 2, 3
limit 10;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_RTRIM.html
-- expect: rows
-- | 1 | Toyota Park | Toyota
-- | 2 | Columbus Crew Stadium | Columbus Crew Stadium
-- | 3 | RFK Stadium | RFK Stadium
-- | 4 | CommunityAmerica Ballpark | CommunityAmerica Ballp
-- | 5 | Gillette Stadium | Gillette Stadium
-- | 6 | New York Giants Stadium | New York Giants Stadium
-- | 7 | BMO Field | BMO Field
-- | 8 | The Home Depot Center | The Home Depot Cente
-- | 9 | Dick's Sporting Goods Park | Dick's Sporting Goods
-- | 10 | Pizza Hut Park | Pizza Hut
select venueid, venuename, rtrim(venuename, 'Park')
from venue
order by 1, 2, 3
limit 10;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TRIM.html
-- expect: rows
-- | dog
select trim('"' FROM '"dog"');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LPAD.html
-- expect: rows
-- | Salome
-- | Il Trovatore
-- | Boris Godunov
-- | Gotterdammerung
-- | La Cenerentola (Cind
select lpad(eventname,20) from event
where eventid between 1 and 5 order by 1;

-- expect: rows
-- | Boris Godunov0123456
-- | Gotterdammerung01234
-- | Il Trovatore01234567
-- | La Cenerentola (Cind
-- | Salome01234567890123
select rpad(eventname,20,'0123456789') from event
where eventid between 1 and 5 order by 1;

-- https://docs.aws.amazon.com/redshift/latest/dg/SOUNDEX.html
-- expect: rows
-- | A525
-- local: refused SOUNDEX
select soundex('Amazon');

-- https://docs.aws.amazon.com/redshift/latest/dg/DIFFERENCE.html
-- expect: rows
-- | 4
-- local: refused DIFFERENCE
select difference('AC/DC', 'Ay See Dee See');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ASCII.html
-- expect: rows
-- | 97
select ascii('amazon');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CHR.html
-- expect: rows
-- | A
select chr(65);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TEXT_TO_INT_ALT.html
-- expect: rows
-- | -123
-- local: refused TEXT_TO_INT_ALT
select text_to_int_alt('123-');

-- expect: rows
-- | 2147483647
-- local: refused TEXT_TO_INT_ALT
select text_to_int_alt('2147483647+');

-- expect: rows
-- | -1
-- local: refused TEXT_TO_INT_ALT
select text_to_int_alt('-123E-2');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TEXT_TO_NUMERIC_ALT.html
-- expect: rows
-- | 2
-- local: refused TEXT_TO_NUMERIC_ALT
select text_to_numeric_alt('1.5');

-- expect: rows
-- | 123.53
-- local: refused TEXT_TO_NUMERIC_ALT
select text_to_numeric_alt('123.52501', 10, 2);
