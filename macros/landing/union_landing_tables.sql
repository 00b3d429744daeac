{#- One select per landing table, unioned: the body of the call block, rendered for each
    table of landing_tables() (a dict with its `table` name, `system`, `staged`, columns ...).

        {% call(landing_table) union_landing_tables() %}
            select '{{ landing_table.table }}' as source_table, count(*) as n_rows
            from {{ ref(landing_base_model(landing_table)) }}
        {% endcall %}
-#}
{% macro union_landing_tables() %}
    {%- for landing_table in landing_tables() %}
        {{ caller(landing_table) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{% endmacro %}
