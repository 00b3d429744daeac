{#- Every raw row that was not staged, with the rule it broke (LANDING.md): `superseded`
    rows are earlier deliveries of a key (information); the others are errors. -#}
{{ config(post_hook="{{ log_quarantine_counts() }}") }}

with

unioned as (
    {% call(landing_table) union_landing_tables() %}
        select
            '{{ landing_table.system }}' as source_system,
            '{{ landing_table.table }}' as source_table,
            landing_row_number,
            quarantine_rule as rule,
            raw_row
        from {{ ref(landing_base_model(landing_table)) }}
        where quarantine_rule is not null
    {% endcall %}
),

final as (
    select
        source_system,
        source_table,
        landing_row_number,
        rule,
        raw_row,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as loaded_at
    from unioned
)

select * from final
