{#- Calendar helpers (METRICS.md, "Time"): dates and months are taken in var
    reporting_timezone; `month` is the first day of the calendar month. -#}

{#- The reporting-time-zone month (a DATE, first day) of a UTC timestamp. -#}
{% macro reporting_month(timestamp_expr) -%}
    cast({{ dbt.date_trunc('month', to_reporting_timestamp(timestamp_expr)) }} as date)
{%- endmacro %}

{#- The reporting-time-zone day (a DATE) of a UTC timestamp. -#}
{% macro reporting_date(timestamp_expr) -%}
    cast({{ to_reporting_timestamp(timestamp_expr) }} as date)
{%- endmacro %}

{#- The month (first day) of a DATE. -#}
{% macro month_of_date(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- The last day of the month that starts on `month_expr`. -#}
{% macro month_last_day(month_expr) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, month_expr)) }} as date)
{%- endmacro %}

{#- A ratio that is NULL, never an error, when the denominator is 0 or NULL (METRICS.md). -#}
{% macro safe_ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
