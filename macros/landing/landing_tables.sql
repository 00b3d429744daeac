{#- The landing tables in a stable order, each a dict with its `table` name added. -#}
{% macro landing_tables() %}
    {%- set tables = [] -%}
    {%- for name, spec in landing_contract().items() -%}
        {%- set entry = {'table': name} -%}
        {%- do entry.update(spec) -%}
        {%- do tables.append(entry) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}


{#- The checked-rows model of a landing table. -#}
{% macro landing_base_model(landing_table) -%}
    base_{{ landing_table.system }}__{{ landing_table.table }}
{%- endmacro %}
