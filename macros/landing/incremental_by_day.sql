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

{#- The config of every incremental base_ model (one place for the five of them). -#}
{% macro landing_incremental_config() %}
    {{ config(
        materialized='incremental',
        incremental_strategy=landing_incremental_strategy(),
        partition_by=landing_incremental_partition_by(),
        unique_key='landing_partition',
        on_schema_change='fail',
    ) }}
{% endmacro %}
