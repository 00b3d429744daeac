{#- The rows a run of a model incremental by landing day recomputes: on an incremental run,
    those whose `day_column` is within var restatement_window_days of the latest day the
    table holds, or later (a superset of the days the base_ tables re-read, which use the
    same window from their own latest day); on a full build, all of them (no filter). -#}
{% macro replaced_days_filter(day_column) %}
    {%- if is_incremental() -%}
        where {{ day_column }} >= (
            select {{ dbt.dateadd(
                'day',
                -(var('restatement_window_days') | int),
                "coalesce(max(" ~ day_column ~ "), cast('1900-01-01' as date))",
            ) }}
            from {{ this }}
        )
    {%- endif -%}
{% endmacro %}
