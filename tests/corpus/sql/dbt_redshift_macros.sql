-- Source: the SQL dbt-redshift's macros render (github.com/dbt-labs/dbt-redshift at
-- d1187f9b, dbt/include/redshift/macros/): redshift__create_table_as with dist/sort/backup,
-- redshift__create_view_as with bind=false, redshift__get_merge_sql (incremental merge),
-- table rename and drop, comments, and the dateadd / datediff / last_day / listagg /
-- length / current_timestamp macros, for a model analytics.fct_orders. Relations are
-- rendered without the database part (the local database is not named "dev").

create schema if not exists analytics;

create table analytics.orders (order_id integer, customer_id integer, order_date date, shipped_date date, status varchar(20), amount decimal(10,2));

insert into analytics.orders values
(1, 10, '2024-01-30', '2024-02-02', 'shipped', 10.50),
(2, 10, '2024-02-15', null, 'placed', 5.00),
(3, 11, '2024-02-29', '2024-03-01', 'shipped', 7.25);

-- redshift__create_table_as(temporary=False, ...)
create  table
    "analytics"."fct_orders__dbt_tmp"
    backup no
    diststyle key distkey (order_id)
    compound sortkey(order_date)
  as (
    select
        order_id,
        customer_id,
        order_date,
        dateadd(
        day,
        -1,
        order_date
        ) as day_before,
        datediff(
        day,
        order_date,
        shipped_date
        ) as days_to_ship,
        cast(
        dateadd(
        day,
        '-1',
        dateadd(
        month,
        '1',
        date_trunc('month', order_date)
        )
        )
        as date) as month_end,
        len(
        status
    ) as status_length,
        getdate() as loaded_at
    from "analytics"."orders"
  );

-- expect: rows
-- | 1 | 2024-01-29 00:00:00 | 3 | 2024-01-31 | 7
-- | 2 | 2024-02-14 00:00:00 | NULL | 2024-02-29 | 6
-- | 3 | 2024-02-28 00:00:00 | 1 | 2024-02-29 | 7
select order_id, day_before, days_to_ship, month_end, status_length
from "analytics"."fct_orders__dbt_tmp" order by order_id;

-- redshift__get_rename_table_sql
alter table "analytics"."fct_orders__dbt_tmp" rename to "fct_orders";

-- redshift__alter_relation_comment
comment on table "analytics"."fct_orders" is $dbt_comment_literal_block$One row per order$dbt_comment_literal_block$;

-- redshift__create_view_as with bind=false
create view "analytics"."customer_orders__dbt_tmp" as (
    select customer_id,
    listagg(
            order_id,
            ', '
            )
            within group (order by order_id)
         as order_ids
    from "analytics"."fct_orders"
    group by customer_id
  ) with no schema binding;

-- expect: rows
-- | 10 | 1, 2
-- | 11 | 3
select * from "analytics"."customer_orders__dbt_tmp" order by customer_id;

-- an incremental run: the new rows in a temporary relation, then redshift__get_merge_sql
create temporary table
    "fct_orders__dbt_tmp"
  as (
    select order_id, customer_id, order_date, order_date - 1 as day_before,
           3 as days_to_ship, order_date as month_end, 7 as status_length,
           getdate() as loaded_at
    from "analytics"."orders" where order_id = 3
    union all
    select 4, 12, '2024-03-05'::date, '2024-03-04'::date, null, '2024-03-31'::date, 6, getdate()
  );

-- expect: count 2
merge into "analytics"."fct_orders"
        using "fct_orders__dbt_tmp" as DBT_INTERNAL_SOURCE
        on (
                    DBT_INTERNAL_SOURCE.order_id = "analytics"."fct_orders".order_id
                )

    when matched then update set
        "order_id" = DBT_INTERNAL_SOURCE."order_id", "customer_id" = DBT_INTERNAL_SOURCE."customer_id", "days_to_ship" = DBT_INTERNAL_SOURCE."days_to_ship"

    when not matched then insert (
        "order_id", "customer_id", "order_date", "day_before", "days_to_ship", "month_end", "status_length", "loaded_at"
    )
    values (
        DBT_INTERNAL_SOURCE."order_id", DBT_INTERNAL_SOURCE."customer_id", DBT_INTERNAL_SOURCE."order_date", DBT_INTERNAL_SOURCE."day_before", DBT_INTERNAL_SOURCE."days_to_ship", DBT_INTERNAL_SOURCE."month_end", DBT_INTERNAL_SOURCE."status_length", DBT_INTERNAL_SOURCE."loaded_at"
    );

-- expect: rows
-- | 1 | 3
-- | 2 | NULL
-- | 3 | 3
-- | 4 | NULL
select order_id, days_to_ship from "analytics"."fct_orders" order by order_id;

-- redshift__drop_relation / drop table ... cascade
drop table if exists "analytics"."fct_orders__dbt_backup" cascade;

-- redshift__list_relations_without_caching
-- expect: rows unordered
-- | analytics | table
-- | analytics | table
-- | analytics | view
select
        table_schema as schema,
        'table' as type
    from information_schema.tables
    where table_schema ilike 'analytics'
    and table_type = 'BASE TABLE'
    union all
    select
      table_schema as schema,
      case
        when view_definition ilike '%create materialized view%'
          then 'materialized_view'
        else 'view'
      end as type
    from information_schema.views
    where table_schema ilike 'analytics';

-- redshift__get_columns_in_relation: late-binding view columns and external columns
-- expect: rows
-- | customer_id | integer
-- local: refused PG_GET_LATE_BINDING_VIEW_COLS
with bound_views as (
        select
          ordinal_position,
          table_schema,
          column_name,
          data_type,
          character_maximum_length,
          numeric_precision,
          numeric_scale

        from information_schema."columns"
        where table_name = 'customer_orders__dbt_tmp'
    ),

    unbound_views as (
      select
        ordinal_position,
        view_schema,
        col_name,
        case
          when col_type ilike 'character varying%' then
            'character varying'
          when col_type ilike 'numeric%' then 'numeric'
          else col_type
        end as col_type,
        case
          when col_type like 'character%'
          then nullif(REGEXP_SUBSTR(col_type, '[0-9]+'), '')::int
          else null
        end as character_maximum_length,
        case
          when col_type like 'numeric%'
          then nullif(
            SPLIT_PART(REGEXP_SUBSTR(col_type, '[0-9,]+'), ',', 1),
            '')::int
          else null
        end as numeric_precision,
        case
          when col_type like 'numeric%'
          then nullif(
            SPLIT_PART(REGEXP_SUBSTR(col_type, '[0-9,]+'), ',', 2),
            '')::int
          else null
        end as numeric_scale

      from pg_get_late_binding_view_cols()
      cols(view_schema name, view_name name, col_name name,
           col_type varchar, ordinal_position int)
      where view_name = 'customer_orders__dbt_tmp'
    ),

    unioned as (
      select * from bound_views
      union all
      select * from unbound_views
    )

    select
      column_name,
      data_type
    from unioned
    where table_schema = 'analytics'
    order by ordinal_position;
