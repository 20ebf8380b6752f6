"""Every function in Redshift's SQL reference, and what the local adapter does with it.

One row per function, in the order of the AWS reference (c_SQL_functions.html). `status`:

- "as written": PostgreSQL 15 has the function with Redshift's arguments, result type and
  semantics, so the call reaches PostgreSQL unchanged;
- "emulated": a function or aggregate of the same name in the compat schema (compat.py)
  gives Redshift's semantics; the call itself is unchanged;
- "translated": the call is rewritten (translate.py) because PostgreSQL's syntax differs
  (an unquoted datepart, WITHIN GROUP on a window, DECODE's variadic pairs...);
- "refused": not emulated; a statement calling it is refused by name before anything runs.

The support matrix (matrix.py) and the classifier read this table; nothing else lists
functions. `note` says how a row differs from Redshift where it does.
"""

from typing import Dict, NamedTuple, Tuple

DOCS = "https://docs.aws.amazon.com/redshift/latest/dg/"

AS_WRITTEN = "as written"
EMULATED = "emulated"
TRANSLATED = "translated"
REFUSED = "refused"


class Function(NamedTuple):
    name: str
    status: str
    page: str  # the AWS page, without ".html"
    note: str = ""

    @property
    def doc(self) -> str:
        return DOCS + self.page + ".html"


def _group(status: str, page: str, names: str, note: str = "") -> Tuple[Function, ...]:
    return tuple(Function(name, status, page, note) for name in names.split())


_SUPER = "SUPER values are not emulated (SUPER columns are refused)"
_FLOAT_RESULT = "DOUBLE PRECISION whatever the argument (PostgreSQL keeps NUMERIC)"
_SPATIAL = "no spatial types locally (GEOMETRY/GEOGRAPHY columns are refused)"
_SPATIAL_NAMES = (
    "ST_Area ST_AsEWKT ST_AsGeoJSON ST_AsHexEWKB ST_AsHexWKB ST_AsText ST_Distance "
    "ST_GeogFromText ST_GeogFromWKB ST_Length ST_NPoints ST_Perimeter AddBBox DropBBox "
    "GeometryType ST_AddPoint ST_Angle ST_AsBinary ST_AsEWKB ST_Azimuth ST_Boundary ST_Buffer "
    "ST_Centroid ST_Collect ST_Contains ST_ContainsProperly ST_ConvexHull ST_CoveredBy ST_Covers "
    "ST_Crosses ST_Dimension ST_Disjoint ST_DistanceSphere ST_DWithin ST_EndPoint ST_Envelope "
    "ST_Equals ST_ExteriorRing ST_Force2D ST_Force3D ST_Force3DM ST_Force3DZ ST_Force4D "
    "ST_GeoHash ST_GeometryN ST_GeometryType ST_GeomFromEWKB ST_GeomFromEWKT "
    "ST_GeomFromGeoJSON ST_GeomFromGeoHash ST_GeomFromText ST_GeomFromWKB ST_InteriorRingN "
    "ST_Intersects ST_Intersection ST_IsPolygonCCW ST_IsPolygonCW ST_IsClosed ST_IsCollection "
    "ST_IsEmpty ST_IsRing ST_IsSimple ST_IsValid ST_LengthSphere ST_Length2D "
    "ST_LineFromMultiPoint ST_LineInterpolatePoint ST_M ST_MakeEnvelope ST_MakeLine ST_MakePoint "
    "ST_MakePolygon ST_MemSize ST_MMax ST_MMin ST_Multi ST_NDims ST_NRings ST_NumGeometries "
    "ST_NumInteriorRings ST_NumPoints ST_Perimeter2D ST_Point ST_PointN ST_Points ST_Polygon "
    "ST_RemovePoint ST_Reverse ST_SetPoint ST_SetSRID ST_Simplify ST_SRID ST_StartPoint "
    "ST_Touches ST_Transform ST_Union ST_Within ST_X ST_XMax ST_XMin ST_Y ST_YMax ST_YMin ST_Z "
    "ST_ZMax ST_ZMin SupportsBBox"
)

FUNCTIONS: Tuple[Function, ...] = (
    # --- aggregate functions (c_Aggregate_Functions.html)
    Function("ANY_VALUE", EMULATED, "r_ANY_VALUE", "returns one of the group's values"),
    Function(
        "APPROXIMATE PERCENTILE_DISC",
        TRANSLATED,
        "r_APPROXIMATE_PERCENTILE_DISC",
        "computed exactly (PERCENTILE_DISC), which is within the approximation's bound",
    ),
    Function(
        "APPROXIMATE COUNT",
        TRANSLATED,
        "r_COUNT",
        "APPROXIMATE COUNT(DISTINCT ...) is computed exactly, within HyperLogLog's bound",
    ),
    Function(
        "AVG",
        EMULATED,
        "r_AVG",
        "integers give a truncated BIGINT and DECIMAL keeps its scale, as Redshift",
    ),
    Function("COUNT", AS_WRITTEN, "r_COUNT"),
    Function(
        "LISTAGG",
        TRANSLATED,
        "r_LISTAGG",
        "string_agg, WITHIN GROUP order kept; as a window function over the whole partition",
    ),
    Function("MAX", AS_WRITTEN, "r_MAX"),
    Function(
        "MEDIAN",
        EMULATED,
        "r_MEDIAN",
        "aggregate and window; integers give DECIMAL with one decimal place",
    ),
    Function("MIN", AS_WRITTEN, "r_MIN"),
    Function(
        "PERCENTILE_CONT",
        TRANSLATED,
        "r_PERCENTILE_CONT",
        "a compat aggregate with Redshift's result types (integers and DECIMAL give DECIMAL); "
        "also as a window function",
    ),
    *_group(EMULATED, "r_STDDEV_functions", "STDDEV_SAMP STDDEV STDDEV_POP", _FLOAT_RESULT),
    Function(
        "SUM",
        AS_WRITTEN,
        "r_SUM",
        "difference left in place: SUM(BIGINT) is NUMERIC locally, BIGINT on Redshift (same "
        "value); SUM and AVG of DECIMAL(p, s) are NUMERIC without a precision locally, "
        "DECIMAL(38, s) on Redshift (same value; a CTAS column's declared type differs)",
    ),
    *_group(EMULATED, "r_VARIANCE_functions", "VAR_SAMP VARIANCE VAR_POP", _FLOAT_RESULT),
    # --- array functions (SUPER)
    *_group(REFUSED, "r_array", "ARRAY", _SUPER),
    *_group(REFUSED, "r_array_concat", "ARRAY_CONCAT", _SUPER),
    *_group(REFUSED, "array_flatten", "ARRAY_FLATTEN", _SUPER),
    *_group(REFUSED, "get_array_length", "GET_ARRAY_LENGTH", _SUPER),
    *_group(REFUSED, "split_to_array", "SPLIT_TO_ARRAY", _SUPER),
    *_group(REFUSED, "r_subarray", "SUBARRAY", _SUPER),
    # --- VARBYTE functions
    *_group(REFUSED, "r_FROM_HEX", "FROM_HEX", "VARBYTE is not emulated"),
    *_group(REFUSED, "r_FROM_VARBYTE", "FROM_VARBYTE", "VARBYTE is not emulated"),
    *_group(REFUSED, "r_GETBIT", "GETBIT", "VARBYTE is not emulated"),
    *_group(REFUSED, "r_TO_HEX", "TO_HEX", "VARBYTE is not emulated"),
    *_group(REFUSED, "r_TO_VARBYTE", "TO_VARBYTE", "VARBYTE is not emulated"),
    # --- bit-wise aggregates
    Function("BIT_AND", AS_WRITTEN, "r_BIT_AND"),
    Function("BIT_OR", AS_WRITTEN, "r_BIT_OR"),
    Function("BOOL_AND", AS_WRITTEN, "r_BOOL_AND"),
    Function("BOOL_OR", AS_WRITTEN, "r_BOOL_OR"),
    # --- conditional expressions
    Function("CASE", AS_WRITTEN, "r_CASE_function"),
    Function("COALESCE", AS_WRITTEN, "r_COALESCE"),
    Function("DECODE", TRANSLATED, "r_DECODE_expression", "a CASE; NULL matches NULL"),
    Function("GREATEST", AS_WRITTEN, "r_GREATEST_LEAST"),
    Function("LEAST", AS_WRITTEN, "r_GREATEST_LEAST"),
    Function("NVL", TRANSLATED, "r_NVL_function", "COALESCE"),
    Function("NVL2", TRANSLATED, "r_NVL2", "a CASE"),
    Function("NULLIF", AS_WRITTEN, "r_NULLIF_function"),
    # --- data type formatting
    Function("CAST", AS_WRITTEN, "r_CAST_function"),
    Function("CONVERT", TRANSLATED, "r_CONVERT_function", "CONVERT(type, expr) becomes a CAST"),
    Function("TO_CHAR", AS_WRITTEN, "r_TO_CHAR"),
    Function(
        "TO_DATE",
        EMULATED,
        "r_TO_DATE_function",
        "is_strict accepted; difference left in place: a day out of range (June 31) is an "
        "error locally whatever is_strict, where Redshift rolls it over unless is_strict is "
        "true",
    ),
    Function("TO_NUMBER", EMULATED, "r_TO_NUMBER", "FM in the format is ignored, as Redshift"),
    Function("TEXT_TO_INT_ALT", REFUSED, "r_TEXT_TO_INT_ALT", "Teradata-style formats"),
    Function("TEXT_TO_NUMERIC_ALT", REFUSED, "r_TEXT_TO_NUMERIC_ALT", "Teradata-style formats"),
    # --- date and time functions
    Function("ADD_MONTHS", EMULATED, "r_ADD_MONTHS", "last day of month stays last day"),
    Function("AT TIME ZONE", AS_WRITTEN, "r_AT_TIME_ZONE"),
    Function("CONVERT_TIMEZONE", EMULATED, "CONVERT_TIMEZONE"),
    Function("CURRENT_DATE", AS_WRITTEN, "r_CURRENT_DATE_function"),
    Function("DATE_CMP", EMULATED, "r_DATE_CMP"),
    Function("DATE_CMP_TIMESTAMP", EMULATED, "r_DATE_CMP_TIMESTAMP"),
    Function("DATE_CMP_TIMESTAMPTZ", EMULATED, "r_DATE_CMP_TIMESTAMPTZ"),
    Function(
        "DATEADD",
        TRANSLATED,
        "r_DATEADD_function",
        "unquoted dateparts and abbreviations quoted; Redshift's result types",
    ),
    Function(
        "DATEDIFF",
        TRANSLATED,
        "r_DATEDIFF_function",
        "counts datepart boundaries crossed, as Redshift",
    ),
    Function("DATE_PART", TRANSLATED, "r_DATE_PART_function", "Redshift's datepart names"),
    Function("PGDATE_PART", TRANSLATED, "r_DATE_PART_function", "alias of DATE_PART"),
    Function(
        "DATEPART",
        TRANSLATED,
        "r_DATE_PART_function",
        "alias of DATE_PART, as AWS's Redshift Immersion Day SQL writes it",
    ),
    Function("DATE_PART_YEAR", EMULATED, "r_DATE_PART_YEAR"),
    Function(
        "DATE_TRUNC", EMULATED, "r_DATE_TRUNC", "Redshift's datepart names; DATE gives TIMESTAMP"
    ),
    Function(
        "EXTRACT",
        TRANSLATED,
        "r_EXTRACT_function",
        "integer results for TIMESTAMP/TIME (PostgreSQL gives NUMERIC with fractions)",
    ),
    Function("GETDATE", EMULATED, "r_GETDATE", "start of the statement, whole seconds"),
    Function("INTERVAL_CMP", EMULATED, "r_INTERVAL_CMP"),
    Function("LAST_DAY", EMULATED, "r_LAST_DAY"),
    Function("MONTHS_BETWEEN", EMULATED, "r_MONTHS_BETWEEN_function", "31-day month fractions"),
    Function("NEXT_DAY", EMULATED, "r_NEXT_DAY"),
    Function("SYSDATE", TRANSLATED, "r_SYSDATE", "LOCALTIMESTAMP: start of the transaction"),
    Function("TIMEOFDAY", EMULATED, "r_TIMEOFDAY_function", "VARCHAR"),
    Function("TIMESTAMP_CMP", EMULATED, "r_TIMESTAMP_CMP"),
    Function("TIMESTAMP_CMP_DATE", EMULATED, "r_TIMESTAMP_CMP_DATE"),
    Function("TIMESTAMP_CMP_TIMESTAMPTZ", EMULATED, "r_TIMESTAMP_CMP_TIMESTAMPTZ"),
    Function("TIMESTAMPTZ_CMP", EMULATED, "r_TIMESTAMPTZ_CMP"),
    Function("TIMESTAMPTZ_CMP_DATE", EMULATED, "r_TIMESTAMPTZ_CMP_DATE"),
    Function("TIMESTAMPTZ_CMP_TIMESTAMP", EMULATED, "r_TIMESTAMPTZ_CMP_TIMESTAMP"),
    Function("TIMEZONE", AS_WRITTEN, "r_TIMEZONE"),
    Function(
        "TO_TIMESTAMP",
        EMULATED,
        "r_TO_TIMESTAMP",
        "a TIMESTAMP argument and is_strict accepted; difference left in place: a field out "
        "of range (hour 24, June 31) is an error locally whatever is_strict, where Redshift "
        "rolls it over unless is_strict is true",
    ),
    Function(
        "TRUNC", EMULATED, "r_TRUNC_date", "TRUNC(timestamp) gives a DATE; numbers as written"
    ),
    # deprecated leader-node-only date functions PostgreSQL still has
    *_group(AS_WRITTEN, "Date_functions_header", "AGE CURRENT_TIME CURRENT_TIMESTAMP LOCALTIME"),
    *_group(AS_WRITTEN, "Date_functions_header", "LOCALTIMESTAMP ISFINITE NOW"),
    # --- hash functions
    Function("CHECKSUM", REFUSED, "r_CHECKSUM", "Redshift's checksum algorithm is not published"),
    Function("FARMFINGERPRINT64", REFUSED, "r_FARMFINGERPRINT64"),
    Function("FUNC_SHA1", REFUSED, "FUNC_SHA1", "PostgreSQL has no SHA-1 without pgcrypto"),
    Function("FNV_HASH", EMULATED, "r_FNV_HASH", "64-bit FNV-1a over the value's bytes"),
    Function("MD5", AS_WRITTEN, "r_MD5"),
    Function("SHA", REFUSED, "SHA", "PostgreSQL has no SHA-1 without pgcrypto"),
    Function("SHA1", REFUSED, "SHA1", "PostgreSQL has no SHA-1 without pgcrypto"),
    Function("SHA2", EMULATED, "SHA2", "bits 224, 256, 384 and 512"),
    Function("MURMUR3_32_HASH", REFUSED, "MURMUR3_32_HASH"),
    # --- HyperLogLog
    *_group(REFUSED, "r_HLL_function", "HLL", "HLLSKETCH is not emulated"),
    *_group(REFUSED, "r_HLL_CREATE_SKETCH", "HLL_CREATE_SKETCH", "HLLSKETCH is not emulated"),
    *_group(REFUSED, "r_HLL_CARDINALITY", "HLL_CARDINALITY", "HLLSKETCH is not emulated"),
    *_group(REFUSED, "r_HLL_COMBINE", "HLL_COMBINE", "HLLSKETCH is not emulated"),
    *_group(REFUSED, "r_HLL_COMBINE_SKETCHES", "HLL_COMBINE_SKETCHES", "HLLSKETCH is not emulated"),
    # --- JSON functions
    Function("IS_VALID_JSON", EMULATED, "IS_VALID_JSON"),
    Function("IS_VALID_JSON_ARRAY", EMULATED, "IS_VALID_JSON_ARRAY"),
    Function("JSON_ARRAY_LENGTH", EMULATED, "JSON_ARRAY_LENGTH"),
    Function("JSON_EXTRACT_ARRAY_ELEMENT_TEXT", EMULATED, "JSON_EXTRACT_ARRAY_ELEMENT_TEXT"),
    Function("JSON_EXTRACT_PATH_TEXT", EMULATED, "JSON_EXTRACT_PATH_TEXT", "null_if_invalid too"),
    Function(
        "JSON_PARSE",
        EMULATED,
        "JSON_PARSE",
        "returns the JSON compacted, as type json (SUPER columns are refused)",
    ),
    Function("CAN_JSON_PARSE", EMULATED, "CAN_JSON_PARSE"),
    Function("JSON_SERIALIZE", EMULATED, "JSON_SERIALIZE"),
    Function("JSON_SERIALIZE_TO_VARBYTE", REFUSED, "JSON_SERIALIZE_TO_VARBYTE", _SUPER),
    # --- machine learning
    Function("EXPLAIN_MODEL", REFUSED, "r_explain_model_function", "no Redshift ML locally"),
    # --- math functions
    *_group(AS_WRITTEN, "r_ABS", "ABS"),
    *_group(AS_WRITTEN, "r_ACOS", "ACOS"),
    *_group(AS_WRITTEN, "r_ASIN", "ASIN"),
    *_group(AS_WRITTEN, "r_ATAN", "ATAN"),
    *_group(AS_WRITTEN, "r_ATAN2", "ATAN2"),
    *_group(AS_WRITTEN, "r_CBRT", "CBRT"),
    *_group(AS_WRITTEN, "r_CEILING_FLOOR", "CEILING CEIL"),
    *_group(AS_WRITTEN, "r_COS", "COS"),
    *_group(AS_WRITTEN, "r_COT", "COT"),
    *_group(AS_WRITTEN, "r_DEGREES", "DEGREES"),
    Function("DEXP", EMULATED, "r_DEXP"),
    Function("DLOG1", EMULATED, "r_DLOG1"),
    Function("DLOG10", EMULATED, "r_DLOG10"),
    *_group(AS_WRITTEN, "r_EXP", "EXP"),
    *_group(AS_WRITTEN, "r_FLOOR", "FLOOR"),
    *_group(AS_WRITTEN, "r_LN", "LN"),
    *_group(AS_WRITTEN, "r_LOG", "LOG"),
    *_group(AS_WRITTEN, "r_MOD", "MOD"),
    *_group(AS_WRITTEN, "r_PI", "PI"),
    *_group(EMULATED, "r_POWER", "POWER POW", _FLOAT_RESULT),
    *_group(AS_WRITTEN, "r_RADIANS", "RADIANS"),
    *_group(AS_WRITTEN, "r_RANDOM", "RANDOM"),
    *_group(AS_WRITTEN, "r_ROUND", "ROUND"),
    *_group(AS_WRITTEN, "r_SIN", "SIN"),
    *_group(AS_WRITTEN, "r_SIGN", "SIGN"),
    *_group(EMULATED, "r_SQRT", "SQRT", _FLOAT_RESULT),
    *_group(AS_WRITTEN, "r_TAN", "TAN"),
    # --- object function (SUPER)
    *_group(REFUSED, "r_object_function", "OBJECT", _SUPER),
    # --- spatial functions
    *_group(REFUSED, "geospatial-functions", _SPATIAL_NAMES, _SPATIAL),
    # --- string functions
    Function("ASCII", AS_WRITTEN, "r_ASCII"),
    Function("BPCHARCMP", EMULATED, "r_BPCHARCMP"),
    Function("BTRIM", AS_WRITTEN, "r_BTRIM"),
    Function("BTTEXT_PATTERN_CMP", EMULATED, "r_BTTEXT_PATTERN_CMP"),
    Function("CHAR_LENGTH", AS_WRITTEN, "r_CHAR_LENGTH"),
    Function("CHARACTER_LENGTH", AS_WRITTEN, "r_CHARACTER_LENGTH"),
    Function("CHARINDEX", EMULATED, "r_CHARINDEX"),
    Function("CHR", AS_WRITTEN, "r_CHR"),
    Function("COLLATE", REFUSED, "r_COLLATE", "case-insensitive collation is not emulated"),
    Function("CONCAT", TRANSLATED, "r_CONCAT", "NULL if either argument is NULL, as Redshift"),
    Function("CRC32", EMULATED, "crc32-function"),
    Function("DIFFERENCE", REFUSED, "DIFFERENCE", "needs the fuzzystrmatch extension"),
    Function("INITCAP", AS_WRITTEN, "r_INITCAP"),
    *_group(AS_WRITTEN, "r_LEFT", "LEFT RIGHT"),
    Function("LEN", EMULATED, "r_LEN"),
    Function("LENGTH", AS_WRITTEN, "r_LENGTH"),
    Function("LOWER", AS_WRITTEN, "r_LOWER"),
    *_group(AS_WRITTEN, "r_LPAD", "LPAD RPAD"),
    Function("LTRIM", AS_WRITTEN, "r_LTRIM"),
    Function("OCTETINDEX", EMULATED, "OCTETINDEX"),
    Function("OCTET_LENGTH", AS_WRITTEN, "r_OCTET_LENGTH"),
    Function("POSITION", TRANSLATED, "r_POSITION", "POSITION(a IN b) as STRPOS(b, a)"),
    Function("QUOTE_IDENT", AS_WRITTEN, "r_QUOTE_IDENT"),
    Function("QUOTE_LITERAL", AS_WRITTEN, "r_QUOTE_LITERAL"),
    Function("REGEXP_COUNT", EMULATED, "REGEXP_COUNT", "parameters c, i, p"),
    Function("REGEXP_INSTR", EMULATED, "REGEXP_INSTR", "parameters c, i, e, p"),
    Function("REGEXP_REPLACE", EMULATED, "REGEXP_REPLACE", "replaces every match, as Redshift"),
    Function("REGEXP_SUBSTR", EMULATED, "REGEXP_SUBSTR", "parameters c, i, e, p"),
    Function("REPEAT", AS_WRITTEN, "r_REPEAT"),
    Function("REPLACE", AS_WRITTEN, "r_REPLACE"),
    Function("REPLICATE", EMULATED, "r_REPLICATE"),
    Function("REVERSE", AS_WRITTEN, "r_REVERSE"),
    Function("RTRIM", AS_WRITTEN, "r_RTRIM"),
    Function("SOUNDEX", REFUSED, "SOUNDEX", "needs the fuzzystrmatch extension"),
    Function("SPLIT_PART", AS_WRITTEN, "SPLIT_PART"),
    Function("STRPOS", AS_WRITTEN, "r_STRPOS"),
    Function("STRTOL", EMULATED, "r_STRTOL"),
    Function("SUBSTR", AS_WRITTEN, "r_SUBSTR"),
    Function(
        "SUBSTRING", TRANSLATED, "r_SUBSTRING", "SUBSTRING(x FROM a FOR b) as SUBSTRING(x, a, b)"
    ),
    Function("TEXTLEN", EMULATED, "r_TEXTLEN"),
    Function("TRANSLATE", AS_WRITTEN, "r_TRANSLATE"),
    Function("TRIM", AS_WRITTEN, "r_TRIM"),
    Function("UPPER", AS_WRITTEN, "r_UPPER"),
    # --- SUPER type information functions
    *_group(REFUSED, "r_decimal_precision", "DECIMAL_PRECISION", _SUPER),
    *_group(REFUSED, "r_decimal_scale", "DECIMAL_SCALE", _SUPER),
    *_group(REFUSED, "r_is_array", "IS_ARRAY", _SUPER),
    *_group(REFUSED, "r_is_bigint", "IS_BIGINT", _SUPER),
    *_group(REFUSED, "r_is_boolean", "IS_BOOLEAN", _SUPER),
    *_group(REFUSED, "r_is_char", "IS_CHAR", _SUPER),
    *_group(REFUSED, "r_is_decimal", "IS_DECIMAL", _SUPER),
    *_group(REFUSED, "r_is_float", "IS_FLOAT", _SUPER),
    *_group(REFUSED, "r_is_integer", "IS_INTEGER", _SUPER),
    *_group(REFUSED, "r_is_object", "IS_OBJECT", _SUPER),
    *_group(REFUSED, "r_is_scalar", "IS_SCALAR", _SUPER),
    *_group(REFUSED, "r_is_smallint", "IS_SMALLINT", _SUPER),
    *_group(REFUSED, "r_is_varchar", "IS_VARCHAR", _SUPER),
    *_group(REFUSED, "r_json_size", "JSON_SIZE", _SUPER),
    Function("JSON_TYPEOF", AS_WRITTEN, "r_json_typeof", "on JSON_PARSE's result"),
    *_group(REFUSED, "r_SIZE", "SIZE", _SUPER),
    # --- window functions (the aggregates above work as window functions too)
    Function("CUME_DIST", AS_WRITTEN, "r_WF_CUME_DIST"),
    Function("DENSE_RANK", AS_WRITTEN, "r_WF_DENSE_RANK"),
    *_group(AS_WRITTEN, "r_WF_first_value", "FIRST_VALUE LAST_VALUE"),
    Function("LAG", AS_WRITTEN, "r_WF_LAG"),
    Function("LEAD", AS_WRITTEN, "r_WF_LEAD"),
    Function("NTH_VALUE", AS_WRITTEN, "r_WF_NTH"),
    Function(
        "PERCENTILE_DISC",
        AS_WRITTEN,
        "r_WF_PERCENTILE_DISC",
        "the window form is translated to an aggregate PostgreSQL can run over a window",
    ),
    Function(
        "RATIO_TO_REPORT",
        TRANSLATED,
        "r_WF_RATIO_TO_REPORT",
        "value / SUM(value) OVER the same window",
    ),
    Function("NTILE", AS_WRITTEN, "r_WF_NTILE"),
    Function("PERCENT_RANK", AS_WRITTEN, "r_WF_PERCENT_RANK"),
    Function("RANK", AS_WRITTEN, "r_WF_RANK"),
    Function("ROW_NUMBER", AS_WRITTEN, "r_WF_ROW_NUMBER"),
    # --- system administration functions
    Function("CHANGE_QUERY_PRIORITY", REFUSED, "r_CHANGE_QUERY_PRIORITY", "no WLM locally"),
    Function("CHANGE_SESSION_PRIORITY", REFUSED, "r_CHANGE_SESSION_PRIORITY", "no WLM locally"),
    Function("CHANGE_USER_PRIORITY", REFUSED, "r_CHANGE_USER_PRIORITY", "no WLM locally"),
    Function("CURRENT_SETTING", AS_WRITTEN, "r_CURRENT_SETTING"),
    Function("PG_CANCEL_BACKEND", AS_WRITTEN, "PG_CANCEL_BACKEND"),
    Function("PG_TERMINATE_BACKEND", AS_WRITTEN, "PG_TERMINATE_BACKEND"),
    Function("REBOOT_CLUSTER", REFUSED, "r_REBOOT_CLUSTER"),
    Function("SET_CONFIG", AS_WRITTEN, "r_SET_CONFIG"),
    # --- system information functions
    Function("CURRENT_AWS_ACCOUNT", REFUSED, "r_CURRENT_AWS_ACCOUNT", "no AWS account locally"),
    Function("CURRENT_DATABASE", AS_WRITTEN, "r_CURRENT_DATABASE"),
    Function("DB_COLLATION", REFUSED, "r_CREATE_TABLE_NEW", "database collations are not emulated"),
    Function("CURRENT_NAMESPACE", REFUSED, "r_CURRENT_NAMESPACE", "no namespace locally"),
    Function("CURRENT_SCHEMA", AS_WRITTEN, "r_CURRENT_SCHEMA"),
    Function("CURRENT_SCHEMAS", AS_WRITTEN, "r_CURRENT_SCHEMAS"),
    Function("CURRENT_USER", AS_WRITTEN, "r_CURRENT_USER"),
    Function("CURRENT_USER_ID", REFUSED, "r_CURRENT_USER_ID", "user ids differ locally"),
    Function("DEFAULT_IAM_ROLE", REFUSED, "r_DEFAULT_IAM_ROLE", "no IAM locally"),
    Function("HAS_ASSUMEROLE_PRIVILEGE", REFUSED, "r_HAS_ASSUMEROLE_PRIVILEGE", "no IAM locally"),
    Function("HAS_DATABASE_PRIVILEGE", AS_WRITTEN, "r_HAS_DATABASE_PRIVILEGE"),
    Function("HAS_SCHEMA_PRIVILEGE", AS_WRITTEN, "r_HAS_SCHEMA_PRIVILEGE"),
    Function("HAS_TABLE_PRIVILEGE", AS_WRITTEN, "r_HAS_TABLE_PRIVILEGE"),
    Function("PG_BACKEND_PID", AS_WRITTEN, "PG_BACKEND_PID"),
    Function("PG_GET_COLS", REFUSED, "PG_GET_COLS"),
    Function("PG_GET_GRANTEE_BY_IAM_ROLE", REFUSED, "PG_GET_GRANTEE_BY_IAMROLE", "no IAM locally"),
    Function("PG_GET_IAM_ROLE_BY_USER", REFUSED, "PG_GET_IAM_ROLE_BY_USER", "no IAM locally"),
    Function("PG_GET_LATE_BINDING_VIEW_COLS", REFUSED, "PG_GET_LATE_BINDING_VIEW_COLS"),
    Function(
        "PG_LAST_COPY_COUNT", EMULATED, "PG_LAST_COPY_COUNT", "rows of the session's last COPY"
    ),
    Function("PG_LAST_COPY_ID", EMULATED, "PG_LAST_COPY_ID", "a local query id per COPY"),
    Function("PG_LAST_UNLOAD_ID", REFUSED, "PG_LAST_UNLOAD_ID", "no query ids locally"),
    Function("PG_LAST_QUERY_ID", REFUSED, "PG_LAST_QUERY_ID", "no query ids locally"),
    Function("PG_LAST_UNLOAD_COUNT", REFUSED, "PG_LAST_UNLOAD_COUNT", "not emulated yet"),
    Function("SLICE_NUM", REFUSED, "r_SLICE_NUM", "no slices locally"),
    Function("USER", AS_WRITTEN, "r_USER"),
    Function("ROLE_IS_MEMBER_OF", REFUSED, "r_ROLE_IS_MEMBER_OF"),
    Function("USER_IS_MEMBER_OF", REFUSED, "r_USER_IS_MEMBER_OF"),
    Function("VERSION", AS_WRITTEN, "r_VERSION", "PostgreSQL's version string"),
)

BY_NAME: Dict[str, Function] = {}
for _function in FUNCTIONS:
    BY_NAME.setdefault(_function.name.upper(), _function)
