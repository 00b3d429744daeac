{#- Models incremental by customer (int_customer_mrr_monthly, int_mrr_movements_classified):
    a customer's rows depend on its own MRR-bearing invoices and on the months covered, and on
    nothing else. Invoices change in place (a late status change, a restated FX rate), so
    what changed is told by the inputs themselves: every row carries the `mrr_inputs_hash` of
    its customer (int_customer_mrr_inputs_hashed) when it was written. An incremental run
    recomputes

    - every row of the customers whose hash differs from the stored one, that appeared or
      that have no MRR-bearing invoice any more;
    - the rows of every other customer in the months later than the latest month the table
      holds (the months covered grow at the end as days arrive).

    It appends them; a post-hook then deletes the stored rows (older than the run) of the
    recomputed customers, and of the months no longer covered. The model and the hook read
    the same stored rows and the same hashes, so they agree on what was recomputed. A row
    carries the first month covered (`months_covered_from`): when it moves (data older than
    every event, or the earliest deleted) every customer's "first MRR month" can move, and
    the table rebuilds in full by itself (should_full_refresh).

    On Spark (Parquet tables, no DELETE) these models are tables, rebuilt in full each run. -#}
{% macro incremental_by_customer_config(meta) %}
    {{ config(
        materialized=lead_day_materialization(),
        incremental_strategy='append',
        on_schema_change='fail',
        meta=meta,
        post_hook=["{{ delete_replaced_customer_rows() }}"],
    ) }}
{% endmacro %}

{#- The rows stored before this run (none is changed until the post-hook). -#}
{% macro stored_customer_rows() -%}
    (select * from {{ this }} where written_at < {{ run_written_at() }}) as stored_rows
{%- endmacro %}

{#- The customers whose every row an incremental run recomputes, as a query. -#}
{% macro customers_to_replace() -%}
    select coalesce(current_inputs.customer_id, stored_inputs.customer_id) as customer_id
    from {{ ref('int_customer_mrr_inputs_hashed') }} as current_inputs
    full outer join (
        select distinct
            customer_id,
            mrr_inputs_hash
        from {{ stored_customer_rows() }}
    ) as stored_inputs
        on current_inputs.customer_id = stored_inputs.customer_id
    where current_inputs.mrr_inputs_hash is distinct from stored_inputs.mrr_inputs_hash
{%- endmacro %}

{#- The latest month the stored rows hold (1900-01 when none), as a scalar query. -#}
{% macro latest_stored_month() -%}
    (
        select coalesce(max(month), cast('1900-01-01' as date))
        from {{ stored_customer_rows() }}
    )
{%- endmacro %}

{#- The predicates on a customer x month row (`customer_column`, `month_column`) of what an
    incremental run recomputes, one per disjoint part: the replaced customers' rows, and the
    other customers' rows of the months later than the stored ones; on a full build, one
    predicate true for every row. -#}
{% macro replaced_customer_months(customer_column, month_column) -%}
    {%- if not is_incremental() -%}
        {{ return(['1 = 1']) }}
    {%- endif -%}
    {%- set replaced = customer_column ~ ' in (' ~ customers_to_replace() ~ ')' -%}
    {{ return([
        replaced,
        month_column ~ ' > ' ~ latest_stored_month() ~ ' and not ' ~ replaced,
    ]) }}
{%- endmacro %}

{#- The rows of the CTE `rows` (customer_id, month, ...) with what every row of a model
    incremental by customer stores: its customer's `mrr_inputs_hash`, the first month covered,
    `written_at` and `landing_settings_fingerprint`; a select statement. -#}
{% macro customer_rows_stamped(rows) -%}
    select
        {{ rows }}.*,
        inputs_hashed.mrr_inputs_hash,
        {{ months_covered_from() }} as months_covered_from,
        {{ run_written_at() }} as written_at,
        cast('{{ incremental_settings_fingerprint() }}' as {{ dbt.type_string() }})
            as landing_settings_fingerprint
    from {{ rows }}
    inner join {{ ref('int_customer_mrr_inputs_hashed') }} as inputs_hashed
        on {{ rows }}.customer_id = inputs_hashed.customer_id
{%- endmacro %}

{#- The first month covered, stored on every row (see above). -#}
{% macro months_covered_from() -%}
    (select min(month) from {{ ref('int_months_covered') }})
{%- endmacro %}

{#- Post-hook of a model incremental by customer: on an incremental run, deletes the stored
    rows of the recomputed customers and of the months no longer covered. -#}
{% macro delete_replaced_customer_rows() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            written_at < {{ run_written_at() }}
            and (
                customer_id in ({{ customers_to_replace() }})
                or month not in (select month from {{ ref('int_months_covered') }})
            )
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}
