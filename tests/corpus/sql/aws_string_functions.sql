-- Source: Amazon Redshift Database Developer Guide, "String functions"
-- (https://docs.aws.amazon.com/redshift/latest/dg/String_functions_header.html): each
-- page's examples on literals, with the documented results.

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CONCAT.html
-- expect: rows
-- | December 25, 2008
select concat('December 25, ', '2008');

-- expect: rows
-- | December 25, 2008
select 'December 25, '||'2008';

-- expect: rows
-- | Thursday, December 25, 2008
select concat('Thursday, ', concat('December 25, ', '2008'));

-- expect: rows
-- | NULL
select concat('December 25, ', NULL);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LEN.html
-- expect: rows
-- | 9 | 8
select octet_length('français'), len('français');

-- expect: rows
-- | 3 | 6
select len('cat'), len('cat   ');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CHARINDEX.html
-- expect: rows
-- | 0
select charindex('dog', 'fish');

-- expect: rows
-- | 4
select charindex('fish', 'dogfish');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_STRPOS.html
-- expect: rows
-- | 4
select strpos('dogfish', 'fish');

-- https://docs.aws.amazon.com/redshift/latest/dg/OCTETINDEX.html
-- expect: rows
-- | 8
select octetindex('AWS', 'Amazon AWS');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TRANSLATE.html
-- expect: rows
-- | most tin
select translate('mint tea', 'inea', 'osin');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_BTRIM.html
-- expect: rows
-- |      abc     | abc
select '     abc    ' as untrim, btrim('     abc    ') as trim;

-- expect: rows
-- | xyzaxyzbxyzcxyz | axyzbxyzc
select 'xyzaxyzbxyzcxyz' as untrim,
btrim('xyzaxyzbxyzcxyz', 'xyz') as trim;

-- https://docs.aws.amazon.com/redshift/latest/dg/REGEXP_COUNT.html
-- expect: rows
-- | 8
SELECT regexp_count('abcdefghijklmnopqrstuvwxyz', '[a-z]{3}');

-- expect: rows
-- | 1
SELECT regexp_count('the fox', 'FOX', 1, 'i');

-- expect: rows
-- | 2
SELECT regexp_count('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 'p');

-- expect: rows
-- | 3
SELECT regexp_count('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 'ip');

-- https://docs.aws.amazon.com/redshift/latest/dg/REGEXP_INSTR.html
-- expect: rows
-- | 5
SELECT regexp_instr('the fox', 'FOX', 1, 1, 0, 'i');

-- expect: rows
-- | 21
SELECT regexp_instr('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 2, 0, 'p');

-- https://docs.aws.amazon.com/redshift/latest/dg/REGEXP_REPLACE.html
-- expect: rows
-- | the quick brown fox
SELECT regexp_replace('the fox', 'FOX', 'quick brown fox', 1, 'i');

-- expect: rows
-- | [hidden] plain A1234 [hidden]
SELECT regexp_replace('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', '[hidden]', 1, 'p');

-- expect: rows
-- | [hidden] plain [hidden] [hidden]
SELECT regexp_replace('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', '[hidden]', 1, 'ip');

-- expect: rows
-- | Etiam.laoreet.libero
SELECT regexp_replace('Etiam.laoreet.libero@sodalesMaurisblandit.edu', '@.*.(org|gov|com|edu|ca)$');

-- expect: rows
-- | sed@internal.company.com
SELECT regexp_replace('sed@lacusUtnec.ca', '@.*.[[:alpha:]]{2,3}', '@internal.company.com');

-- https://docs.aws.amazon.com/redshift/latest/dg/REGEXP_SUBSTR.html
-- expect: rows
-- | fox
SELECT regexp_substr('the fox', 'FOX', 1, 1, 'i');

-- expect: rows
-- | abc
SELECT regexp_substr('THE SECRET CODE IS THE LOWERCASE PART OF 1931abc0EZ.', '[a-z]+', 1, 1, 'c');

-- expect: rows
-- | a1234
SELECT regexp_substr('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 2, 'p');

-- expect: rows
-- | A1234
SELECT regexp_substr('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 2, 'ip');

-- expect: rows
-- | dog
select regexp_substr(
               'This is a cat, this is a dog. This is a mouse.',
               'this is a (\\w+)', 1, 2, 'ie');

-- expect: rows
-- | @sodalesMaurisblandit
SELECT regexp_substr('Etiam.laoreet.libero@sodalesMaurisblandit.edu','@[^.]*');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_STRTOL.html
-- expect: rows
-- | 15
select strtol('0xf',16);

-- expect: rows
-- | 2882343476
select strtol('abcd1234',16);

-- expect: rows
-- | 1234567
select strtol('1234567', 10);

-- expect: rows
-- | 342391
select strtol('1234567', 8);

-- expect: rows
-- | 53
select strtol('110101', 2);

-- expect: rows
-- | 0
select strtol('0', 2);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_REPLICATE.html
-- expect: rows
-- | ababab
select replicate('ab', 3);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_REPEAT.html
-- expect: rows
-- | cococo
select repeat('co', 3);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_REVERSE.html
-- expect: rows
-- | tacos
select reverse('socat');

-- https://docs.aws.amazon.com/redshift/latest/dg/SPLIT_PART.html
-- expect: rows
-- | 2008 | 03 | 05
select split_part('2008-03-05 12:25:29','-',1) as year,
split_part('2008-03-05 12:25:29','-',2) as month,
split_part(split_part('2008-03-05 12:25:29','-',3),' ',1) as day;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_QUOTE_IDENT.html: quotes only where needed
-- expect: rows
-- | "MLB" | catname
select quote_ident('MLB'), quote_ident('catname');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_QUOTE_LITERAL.html
-- expect: rows
-- | 'Shows'
select quote_literal('Shows');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TEXTLEN.html
-- expect: rows
-- | 8
select textlen('Redshift');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_INITCAP.html
-- expect: rows
-- | All Non-Musical Theatre
select initcap('All non-musical theatre');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_LEFT.html
-- expect: rows
-- | The K | and I
select left('The King and I',5) as left_5, right('The King and I',5) as right_5;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_concat_op.html: '+' concatenates strings
-- expect: rows
-- | Aphrodite Acevedo
select ('Aphrodite' + ' ' + 'Acevedo') as name;
