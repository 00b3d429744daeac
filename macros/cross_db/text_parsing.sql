{#-
    Small dispatched helpers that keep engine-specific syntax out of model SQL (DESIGN.md,
    "Portable SQL"). Each has a DuckDB implementation as `default__`; another engine adds its
    own `<adapter>__` version.
-#}

{#- Trim surrounding spaces, tabs and line breaks; a value of only these becomes NULL. -#}
{% macro trim_blank(expr) %}
    {{ return(adapter.dispatch('trim_blank', 'fullfunnel')(expr)) }}
{% endmacro %}
{% macro default__trim_blank(expr) -%}
    nullif(trim({{ expr }}, ' ' || chr(9) || chr(10) || chr(13)), '')
{%- endmacro %}

{#- True when the whole of `expr` matches the regular expression `pattern`. -#}
{% macro regexp_full_match(expr, pattern) %}
    {{ return(adapter.dispatch('regexp_full_match', 'fullfunnel')(expr, pattern)) }}
{% endmacro %}
{% macro default__regexp_full_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- Remove every character that matches `pattern` (a regular expression). -#}
{% macro regexp_remove(expr, pattern) %}
    {{ return(adapter.dispatch('regexp_remove', 'fullfunnel')(expr, pattern)) }}
{% endmacro %}
{% macro default__regexp_remove(expr, pattern) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '', 'g')
{%- endmacro %}

{#- A LANDING.md timestamp text (optional `Z` or offset) as a UTC timestamp; NULL if invalid. -#}
{% macro parse_utc_timestamp(expr) %}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'fullfunnel')(expr)) }}
{% endmacro %}
{% macro default__parse_utc_timestamp(expr) -%}
    case
        when {{ fullfunnel.regexp_full_match(expr, landing_timestamp_pattern()) }}
            then timezone(
                'UTC',
                try_cast(
                    case
                        when {{ expr }} like '%Z' then left({{ expr }}, length({{ expr }}) - 1) || '+00:00'
                        when {{ fullfunnel.regexp_full_match(expr, '.*[+-][0-9]{2}:[0-9]{2}') }} then {{ expr }}
                        else {{ expr }} || '+00:00'
                    end as timestamptz
                )
            )
    end
{%- endmacro %}

{#- Patterns of LANDING.md's valid values. -#}
{% macro landing_timestamp_pattern() -%}
    [0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?
{%- endmacro %}
{% macro landing_date_pattern() -%}
    [0-9]{4}-[0-9]{2}-[0-9]{2}
{%- endmacro %}
{% macro landing_integer_pattern() -%}
    -?[0-9]+
{%- endmacro %}
{% macro landing_decimal_pattern() -%}
    -?[0-9]+([.][0-9]+)?
{%- endmacro %}

{#- An 8-byte floating point type (dbt.type_float() is 4 bytes on DuckDB). -#}
{% macro type_double() %}
    {{ return(adapter.dispatch('type_double', 'fullfunnel')()) }}
{% endmacro %}
{% macro default__type_double() -%}
    double
{%- endmacro %}

{#- Seconds (fractional, to the microsecond) from timestamp `start` to timestamp `finish`. -#}
{% macro seconds_between(start, finish) %}
    {{ return(adapter.dispatch('seconds_between', 'fullfunnel')(start, finish)) }}
{% endmacro %}
{% macro default__seconds_between(start, finish) -%}
    ((epoch_us({{ finish }}) - epoch_us({{ start }})) / 1000000.0)
{%- endmacro %}

{#- A UTC timestamp as wall-clock time in var reporting_timezone (METRICS.md, "Time"). -#}
{% macro to_reporting_timestamp(expr) %}
    {{ return(adapter.dispatch('to_reporting_timestamp', 'fullfunnel')(expr)) }}
{% endmacro %}
{% macro default__to_reporting_timestamp(expr) -%}
    {%- if var('reporting_timezone') | upper == 'UTC' -%}
        {{ expr }}
    {%- else -%}
        timezone('{{ var("reporting_timezone") }}', timezone('UTC', {{ expr }}))
    {%- endif -%}
{%- endmacro %}

{#- `expr` cast to `data_type`, or NULL when it does not convert (never an error). dbt's own
    safe_cast is a plain cast on dbt-duckdb. -#}
{% macro try_cast_value(expr, data_type) %}
    {{ return(adapter.dispatch('try_cast_value', 'fullfunnel')(expr, data_type)) }}
{% endmacro %}
{% macro default__try_cast_value(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{#- A struct (a whole landing row) as a JSON object text, null fields kept as null. -#}
{% macro row_to_json(expr) %}
    {{ return(adapter.dispatch('row_to_json', 'fullfunnel')(expr)) }}
{% endmacro %}
{% macro default__row_to_json(expr) -%}
    to_json({{ expr }})
{%- endmacro %}

{#- A struct from (name, expression) pairs. -#}
{% macro struct_of(fields) %}
    {{ return(adapter.dispatch('struct_of', 'fullfunnel')(fields)) }}
{% endmacro %}
{% macro default__struct_of(fields) -%}
    struct_pack(
    {%- for name, expr in fields %}{{ adapter.quote(name) }} := {{ expr }}{{ ", " if not loop.last }}{% endfor -%}
    )
{%- endmacro %}

{#- Every non-overlapping match of the regular expression `pattern` in `expr`, as a list. -#}
{% macro regexp_tokens(expr, pattern) %}
    {{ return(adapter.dispatch('regexp_tokens', 'fullfunnel')(expr, pattern)) }}
{% endmacro %}
{% macro default__regexp_tokens(expr, pattern) -%}
    regexp_extract_all({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- Replace every match of the regular expression `pattern` in `expr` by `replacement`. -#}
{% macro regexp_replace_all(expr, pattern, replacement) %}
    {{ return(adapter.dispatch('regexp_replace_all', 'fullfunnel')(expr, pattern, replacement)) }}
{% endmacro %}
{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- One output row per element of the list `expr` (in a select list). -#}
{% macro unnest_list(expr) %}
    {{ return(adapter.dispatch('unnest_list', 'fullfunnel')(expr)) }}
{% endmacro %}
{% macro default__unnest_list(expr) -%}
    unnest({{ expr }})
{%- endmacro %}

{#- `text` as an SQL string literal, quotes included (a path or setting with a `'` in it). -#}
{% macro sql_string_literal(text) %}
    {{ return(adapter.dispatch('sql_string_literal', 'fullfunnel')(text)) }}
{% endmacro %}
{% macro default__sql_string_literal(text) -%}
    '{{ text | string | replace("'", "''") }}'
{%- endmacro %}
