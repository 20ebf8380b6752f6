-- Source: Amazon Redshift Database Developer Guide: conditional expressions
-- (c_conditional_expressions.html), math functions (Math_functions.html), hash functions
-- (hash-functions.html) and JSON functions (json-functions.html); the examples on
-- literals and their documented results.

-- https://docs.aws.amazon.com/redshift/latest/dg/r_NVL_function.html
-- expect: rows
-- | 12
SELECT COALESCE(NULL, 12, NULL);

-- expect: rows
-- | Amazon Redshift
SELECT NVL(NULL, 'Amazon Redshift', NULL);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_NVL2.html
-- expect: rows
-- | (906) 632-4407
select nvl2(NULL, 'Aphrodite.Acevedo@example.com', '(906) 632-4407') as contact_info;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DECODE_expression.html
-- expect: rows
-- | June 1st, 2008
select decode('2008-06-01'::date, '2008-06-01', 'June 1st, 2008');

-- expect: rows
-- | 0
select decode(null::int, null, 0, 1);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_GREATEST_LEAST.html
-- expect: rows
-- | Ratliff | Hodge
select greatest('Lars', 'Ratliff'), least('Reagan', 'Hodge');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_NULLIF_function.html
-- expect: rows
-- | NULL | 4
select nullif(4, 4), nullif(4, 5);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CASE_function.html
-- expect: rows
-- | Big
select case when 80242 > 75000 then 'Big' else 'Small' end;

-- https://docs.aws.amazon.com/redshift/latest/dg/r_MOD.html
-- expect: rows
-- | 2
SELECT MOD(10, 4);

-- expect: rows
-- | 2.5
SELECT MOD(10.5, 4);

-- expect: rows
-- | 1
SELECT MOD(CAST(16.4 as integer), 5);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ROUND.html
-- expect: rows
-- | 28 | 28.1
select round(28.05), round(28.05, 1);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_TRUNC.html
-- expect: rows
-- | 111 | 111.1
select trunc(111.15), trunc(111.15, 1);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CEILING_FLOOR.html
-- expect: rows
-- | 29 | 28
select ceiling(28.05), floor(28.05);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DLOG10.html
-- expect: rows
-- | 2
select dlog10(100);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DLOG1.html
-- expect: rows
-- | 0
select dlog1(1);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_DEXP.html
-- expect: rows
-- | 1
select dexp(0);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_POWER.html
-- expect: rows
-- | 8
select pow(2, 3);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_ABS.html
-- expect: rows
-- | 38
select abs(-38);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_SIGN.html
-- expect: rows
-- | -1
select sign(-38);

-- https://docs.aws.amazon.com/redshift/latest/dg/r_MD5.html
-- expect: rows
-- | f7415e33f972c03abd4f3fed36748f7a
select md5('Amazon Redshift');

-- https://docs.aws.amazon.com/redshift/latest/dg/SHA2.html
-- expect: rows
-- | 15013dc10bc5b293f1f66ea28d818387f191cafeb26f89639fae0b4acf9c8772
select sha2('Amazon Redshift', 256);

-- https://docs.aws.amazon.com/redshift/latest/dg/crc32-function.html
-- expect: rows
-- | f2726906
select crc32('Amazon Redshift');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_FNV_HASH.html
-- expect: rows
-- | -5968735742475085980
select fnv_hash(1);

-- expect: rows
-- | 7783490368944507294
select fnv_hash('Amazon Redshift');

-- expect: rows
-- | -2202602717770968555
select fnv_hash('Amazon Redshift', fnv_hash(1));

-- expect: rows
-- | -281581062704388899
select fnv_hash('abcd');

-- expect: rows
-- | -281581062704388899
select fnv_hash('cd', fnv_hash('ab'));

-- expect: rows
-- | 589727492704079044
select fnv_hash(1::smallint);

-- https://docs.aws.amazon.com/redshift/latest/dg/SHA1.html
-- expect: rows
-- | c27f4ed06e0bc1e0bd16c8e9f5d6d9f9e6d8e2b6
-- local: refused SHA1
select sha1('Amazon Redshift');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_CHECKSUM.html
-- expect: rows
-- | 10
-- local: refused CHECKSUM
select checksum(10);

-- https://docs.aws.amazon.com/redshift/latest/dg/JSON_ARRAY_LENGTH.html
-- expect: rows
-- | 5
select json_array_length('[11,12,13,{"f1":21,"f2":[25,26]},14]');

-- expect: error
select json_array_length('[11,12,13,{"f1":21,"f2":[25,26]},14');

-- expect: rows
-- | NULL
select json_array_length('[11,12,13,{"f1":21,"f2":[25,26]},14',true);

-- https://docs.aws.amazon.com/redshift/latest/dg/JSON_EXTRACT_ARRAY_ELEMENT_TEXT.html
-- expect: rows
-- | 113
select json_extract_array_element_text('[111,112,113]', 2);

-- expect: error
select json_extract_array_element_text('["a",["b",1,["c",2,3,null,]]]',1);

-- expect: rows
-- | NULL
select json_extract_array_element_text('["a",["b",1,["c",2,3,null,]]]',1,true);

-- https://docs.aws.amazon.com/redshift/latest/dg/JSON_EXTRACT_PATH_TEXT.html
-- expect: rows
-- | star
select json_extract_path_text('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}','f4', 'f6');

-- expect: error
select json_extract_path_text('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}','f4', 'f6');

-- expect: rows
-- | NULL
select json_extract_path_text('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}','f4', 'f6',true);

-- expect: rows
-- | red
select json_extract_path_text('{
    "farm": {
        "barn": {
            "color": "red",
            "feed stocked": true
        }
    }
}', 'farm', 'barn', 'color');

-- expect: rows
-- | NULL
select json_extract_path_text('{
    "farm": {
        "barn": {}
    }
}', 'farm', 'barn', 'color');

-- https://docs.aws.amazon.com/redshift/latest/dg/IS_VALID_JSON.html
create table test_json(id int identity(0,1), json_strings varchar);

-- expect: count 3
insert into test_json(json_strings) values
('{"a":2}'),
('{"a":{"b":{"c":1}}}'),
('{"a": [1,2,"b"]}');

-- expect: count 3
insert into test_json(json_strings)values
('{{}}'),
('{1:"a"}'),
('[1,2,3]');

-- expect: rows
-- | 0 | {"a":2} | t
-- | 1 | {"a":{"b":{"c":1}}} | t
-- | 2 | {"a": [1,2,"b"]} | t
-- | 3 | {{}} | f
-- | 4 | {1:"a"} | f
-- | 5 | [1,2,3] | f
select id, json_strings, is_valid_json(json_strings)
from test_json order by id;

-- https://docs.aws.amazon.com/redshift/latest/dg/IS_VALID_JSON_ARRAY.html
-- expect: rows
-- | t | t | f | f | f
select is_valid_json_array('[]'), is_valid_json_array('["a",["b",1,["c",2,3,null]]]'),
is_valid_json_array('{"a":1}'), is_valid_json_array('a'), is_valid_json_array('[1,2,]');

-- https://docs.aws.amazon.com/redshift/latest/dg/JSON_PARSE.html
-- expect: rows
-- | [10001,10002,"abc"]
SELECT JSON_PARSE('[10001,10002,"abc"]');

-- expect: rows
-- | array
SELECT JSON_TYPEOF(JSON_PARSE('[10001,10002,"abc"]'));

-- https://docs.aws.amazon.com/redshift/latest/dg/JSON_SERIALIZE.html
-- expect: rows
-- | {"a":1,"b":[1,2]}
SELECT JSON_SERIALIZE(JSON_PARSE('{"a" : 1, "b" : [1, 2]}'));

-- https://docs.aws.amazon.com/redshift/latest/dg/CAN_JSON_PARSE.html
-- expect: rows
-- | t | f
SELECT CAN_JSON_PARSE('[10001,10002,"abc"]'), CAN_JSON_PARSE('[10001,10002');

-- https://docs.aws.amazon.com/redshift/latest/dg/r_HLL_function.html
-- expect: rows
-- | 3
-- local: refused HLL
select hll(v) from (select 1 as v union all select 2 union all select 3) as t;
