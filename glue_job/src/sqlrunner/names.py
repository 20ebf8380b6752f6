"""Names an `identifier` parameter may not take, as data.

An identifier parameter names one of the pipeline's own objects (a table, a schema). A
value that the database would read as something else is refused, by these rules:

- a reserved word is not a name: `TRUE`, `NULL`, `CURRENT_USER`, `SELECT`... (Redshift's
  list, https://docs.aws.amazon.com/redshift/latest/dg/r_pg_keywords.html). After a dot
  the grammar reads any word as a name (`etl.table` is a table), so only the first part
  is checked;
- `PUBLIC` is the group of every user in GRANT and REVOKE
  (https://docs.aws.amazon.com/redshift/latest/dg/r_GRANT.html);
- an unqualified name with a system prefix resolves to the catalog first (pg_catalog is
  searched before the search_path): PostgreSQL's `pg_` and Redshift's system tables and
  views, STL_, STV_, SVL_, SVV_, SVCS_, STCS_ and SYS_
  (https://docs.aws.amazon.com/redshift/latest/dg/cm_chap_system-tables.html);
- in a qualified name, the schema may not be a system schema: `pg_` names are reserved
  for the system (https://www.postgresql.org/docs/current/ddl-schemas.html) and
  information_schema is the standard's catalog.
"""

RESERVED_WORDS = frozenset(
    """
    AES128 AES256 ALL ALLOWOVERWRITE ANALYSE ANALYZE AND ANY ARRAY AS ASC AUTHORIZATION AZ64
    BACKUP BETWEEN BINARY BLANKSASNULL BOTH BYTEDICT BZIP2 CASE CAST CHECK COLLATE COLUMN
    CONSTRAINT CREATE CREDENTIALS CROSS CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP
    CURRENT_USER CURRENT_USER_ID DEFAULT DEFERRABLE DEFLATE DEFRAG DELTA DELTA32K DESC
    DISABLE DISTINCT DO ELSE EMPTYASNULL ENABLE ENCODE ENCRYPT ENCRYPTION END EXCEPT
    EXPLICIT FALSE FOR FOREIGN FREEZE FROM FULL GLOBALDICT256 GLOBALDICT64K GRANT GROUP
    GZIP HAVING IDENTITY IGNORE ILIKE IN INITIALLY INNER INTERSECT INTERVAL INTO IS ISNULL
    JOIN LEADING LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP LUN LUNS LZO LZOP MINUS MOSTLY16
    MOSTLY32 MOSTLY8 NATURAL NEW NOT NOTNULL NULL NULLS OFF OFFLINE OFFSET OID OLD ON ONLY
    OPEN OR ORDER OUTER OVERLAPS PARALLEL PARTITION PERCENT PERMISSIONS PIVOT PLACING
    PRIMARY RAW READRATIO RECOVER REFERENCES REJECTLOG RESORT RESPECT RESTORE RIGHT SELECT
    SESSION_USER SIMILAR SNAPSHOT SOME SYSDATE SYSTEM TABLE TAG TDES TEXT255 TEXT32K THEN
    TIMESTAMP TO TOP TRAILING TRUE TRUNCATECOLUMNS UNION UNIQUE UNNEST UNPIVOT USER USING
    VERBOSE WALLET WHEN WHERE WITH WITHOUT
    """.split()  # noqa: SIM905 - laid out as the AWS page lists them
)
GROUP_NAMES = frozenset({"PUBLIC"})
SYSTEM_PREFIXES = ("pg_", "stl_", "stv_", "svl_", "svv_", "svcs_", "stcs_", "sys_")
SYSTEM_SCHEMA_PREFIXES = ("pg_",)
SYSTEM_SCHEMAS = frozenset({"information_schema"})


def refusal(name: str) -> str:
    """Why a syntactically valid identifier (1-3 dot-separated parts) is refused, or ""."""
    parts = name.split(".")
    if parts[0].upper() in RESERVED_WORDS:
        return f"{parts[0]!r} is a reserved word"
    if parts[0].upper() in GROUP_NAMES:
        return f"{parts[0]!r} names every user"
    if len(parts) == 1 and name.lower().startswith(SYSTEM_PREFIXES):
        return f"{name!r} has a system table prefix"
    schema = parts[-2].lower() if len(parts) > 1 else ""
    if schema.startswith(SYSTEM_SCHEMA_PREFIXES) or schema in SYSTEM_SCHEMAS:
        return f"{parts[-2]!r} is a system schema"
    return ""
