{#- Per landing table: staged rows and the latest event it carries (its dating column, UTC), so
    exports and checks can say how fresh each source is. -#}
with

final as (
    {% call(landing_table) union_landing_tables() %}
        select
            '{{ landing_table.system }}' as source_system,
            '{{ landing_table.table }}' as source_table,
            count(*) as staged_rows,
            cast({{ landing_latest_event(landing_table) }} as {{ dbt.type_timestamp() }}) as latest_event_at
        from {{ ref(landing_base_model(landing_table)) }}
        where quarantine_rule is null
    {% endcall %}
)

select * from final
