{#- Per landing table: staged rows and the latest event it carries (its dating column, UTC), so
    exports and checks can say how fresh each source is. -#}
with

{% for landing_table in landing_tables() %}
    {%- set dated = [] %}
    {%- for column in landing_table.columns if column.get('required') %}
        {%- if column.type in ('date', 'month', 'timestamp') %}{% do dated.append(column.name) %}{% endif %}
    {%- endfor %}
    freshness_{{ landing_table.table }} as (
        select
            '{{ landing_table.system }}' as source_system,
            '{{ landing_table.table }}' as source_table,
            count(*) as staged_rows,
            {%- if dated %}
                cast(max({{ adapter.quote(dated[0]) }}) as {{ dbt.type_timestamp() }}) as latest_event_at
            {%- else %}
                cast(null as {{ dbt.type_timestamp() }}) as latest_event_at
            {%- endif %}
        from {{ ref(landing_base_model(landing_table)) }}
        where quarantine_rule is null
    ),

{% endfor -%}
final as (
    {%- for landing_table in landing_tables() %}
        select * from freshness_{{ landing_table.table }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
