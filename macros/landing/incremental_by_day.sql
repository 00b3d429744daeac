{#- How the incremental base_ models (append-only landing tables) replace the days they
    re-read: DuckDB deletes and inserts on `landing_partition` (unique_key); Spark overwrites
    the table's `landing_partition` partitions that the run produces (Parquet files). -#}
{% macro landing_incremental_strategy() %}
    {{ return(adapter.dispatch('landing_incremental_strategy', 'fullfunnel')()) }}
{% endmacro %}
{% macro default__landing_incremental_strategy() %}
    {{ return('delete+insert') }}
{% endmacro %}
{% macro spark__landing_incremental_strategy() %}
    {{ return('insert_overwrite') }}
{% endmacro %}

{% macro landing_incremental_partition_by() %}
    {{ return(adapter.dispatch('landing_incremental_partition_by', 'fullfunnel')()) }}
{% endmacro %}
{% macro default__landing_incremental_partition_by() %}
    {{ return(none) }}
{% endmacro %}
{% macro spark__landing_incremental_partition_by() %}
    {{ return(['landing_partition']) }}
{% endmacro %}

{#- The config of every model incremental by landing day: it replaces whole days
    (`landing_partition`). `meta` lists what a downstream model's rows depend on
    (incremental_settings_fingerprint). -#}
{% macro incremental_by_day_config(meta={}, post_hook=[]) %}
    {{ config(
        materialized='incremental',
        incremental_strategy=landing_incremental_strategy(),
        partition_by=landing_incremental_partition_by(),
        unique_key='landing_partition',
        on_schema_change='fail',
        post_hook=post_hook,
        meta=meta,
    ) }}
{% endmacro %}

{#- The config of every incremental base_ model (one place for the five of them). -#}
{% macro landing_incremental_config() %}
    {{ incremental_by_day_config(post_hook=["{{ fail_if_landing_rows_repeat() }}"]) }}
{% endmacro %}

{#- After an incremental run: the kept old days and the re-read days must not share a
    landing row number. They do when rows of a day outside the restatement window were
    removed or reordered in the landing file (every later row moved): only a full refresh
    can number the file again. Stops the run with that instruction instead of a uniqueness
    test failure. -#}
{% macro fail_if_landing_rows_repeat() %}
    {%- if execute and is_incremental() -%}
        {%- set repeated = run_query(
            "select count(*) from (select landing_row_number from " ~ this
            ~ " group by landing_row_number having count(*) > 1) as repeated_rows"
        ).columns[0].values()[0] -%}
        {%- if repeated > 0 -%}
            {{ exceptions.raise_compiler_error(
                this.identifier ~ ": " ~ repeated ~ " landing row numbers appear twice after this "
                ~ "incremental run. Rows were removed from or reordered in a day of the landing "
                ~ "file older than var restatement_window_days, so the file's rows no longer line "
                ~ "up with the days already loaded. Run a full refresh: "
                ~ "dbt build --full-refresh (or fullfunnel refresh --full-refresh).") }}
        {%- endif -%}
    {%- endif -%}
    select 1 as landing_rows_checked
{% endmacro %}
