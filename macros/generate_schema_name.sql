{#- Custom schema names are used as they are (`staging`, `intermediate`, `marts`, `quality`),
    not prefixed with the target schema, so BI tools find `marts.<relation>` (DESIGN.md). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
