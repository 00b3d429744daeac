{#- On an incremental run, a where clause that keeps the rows of `recomputed` (the rows the run
    recomputed, a relation or CTE name) of the days whose rows differ from the rows the table
    holds for that day, or that it does not hold; on a full build, nothing. Per day, the row
    count and a hash of the rows' `columns` (row_set_hash; include the key) are compared. A
    model that writes only these days keeps the unchanged ones as an earlier run wrote them,
    with their `written_at`, so the models downstream that recompute what was written since
    see only what changed. -#}
{% macro changed_days_filter(recomputed, columns, day_column='landing_partition') %}
    {%- if is_incremental() -%}
        {%- set day_rows -%}
            select
                {{ day_column }},
                count(*) as row_count,
                {{ row_set_hash(columns) }} as rows_hash
        {%- endset %}
        where {{ recomputed }}.{{ day_column }} in (
            select recomputed_days.{{ day_column }}
            from (
                {{ day_rows }}
                from {{ recomputed }}
                group by {{ day_column }}
            ) as recomputed_days
            left join (
                {{ day_rows }}
                from {{ this }}
                where {{ day_column }} in (select {{ day_column }} from {{ recomputed }})
                group by {{ day_column }}
            ) as stored_days
                on recomputed_days.{{ day_column }} = stored_days.{{ day_column }}
            where
                stored_days.{{ day_column }} is null
                or stored_days.row_count <> recomputed_days.row_count
                or stored_days.rows_hash <> recomputed_days.rows_hash
        )
    {%- endif -%}
{% endmacro %}
