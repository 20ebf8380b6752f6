-- Source: RESET (https://docs.aws.amazon.com/redshift/latest/dg/r_RESET.html) of the settings
-- Redshift's sessions start with.

-- https://docs.aws.amazon.com/redshift/latest/dg/r_RESET.html
reset extra_float_digits;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_extra_float_digits.html: default 0
-- expect: rows
-- | 0.3
select 0.1::float8 + 0.2::float8;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_RESET.html: RESET ALL
reset all;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_Literals.html: backslash escapes in literals (standard_conforming_strings off)
-- expect: rows
-- | 1
select length('\t');

-- expect: rows
-- | 2008-01-01 00:00:00
select dateadd(day, 1, '2007-12-31'::date);
