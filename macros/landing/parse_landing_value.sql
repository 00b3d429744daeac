{#-
    parse_landing_value(expr, landing_type): the typed value of a trimmed landing text, or
    NULL when the text is not a valid value of the type (LANDING.md "Valid values"). Types:
    string, date, month (a date that is a first day), timestamp (to UTC), integer (signed
    64-bit), decimal (a double: at most 308 integer digits), boolean (true/false in any case), closed (a closed-list value,
    lower-cased).
-#}
{% macro parse_landing_value(expr, landing_type) -%}
    {%- if landing_type == 'string' -%}
        {{ expr }}
    {%- elif landing_type == 'closed' -%}
        lower({{ expr }})
    {%- elif landing_type in ('date', 'month') -%}
        case
            when {{ regexp_full_match(expr, landing_date_pattern()) }}
                {%- if landing_type == 'month' %} and right({{ expr }}, 2) = '01'{% endif %}
                then {{ try_cast_value(expr, 'date') }}
        end
    {%- elif landing_type == 'timestamp' -%}
        {{ parse_utc_timestamp(expr) }}
    {%- elif landing_type == 'integer' -%}
        case
            when {{ regexp_full_match(expr, landing_integer_pattern()) }}
                then {{ try_cast_value(expr, dbt.type_bigint()) }}
        end
    {%- elif landing_type == 'decimal' -%}
        {#- more than 308 integer digits is beyond a double's range (it would become inf) -#}
        case
            when
                {{ regexp_full_match(expr, landing_decimal_pattern()) }}
                and not {{ regexp_full_match(expr, '-?[0-9]{309,}([.][0-9]+)?') }}
                then {{ try_cast_value(expr, type_double()) }}
        end
    {%- elif landing_type == 'boolean' -%}
        case lower({{ expr }}) when 'true' then true when 'false' then false end
    {%- else -%}
        {{ exceptions.raise_compiler_error("parse_landing_value: unknown landing_type " ~ landing_type) }}
    {%- endif -%}
{%- endmacro %}
