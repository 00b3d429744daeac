{#- SQL for the latest event of a landing table's rows: the max of its first required date,
    month or timestamp column; NULL for a table without one (how fresh a source is). -#}
{% macro landing_latest_event(landing_table) %}
    {%- for column in landing_table.columns
        if column.get('required') and column.type in ('date', 'month', 'timestamp') -%}
        {%- if loop.first %}{{ return('max(' ~ adapter.quote(column.name) ~ ')') }}{% endif -%}
    {%- endfor -%}
    {{ return('null') }}
{% endmacro %}
