{#- The join condition that picks, from stg_finance__fx_rates (aliased `rates`), the rate of
    `currency` in force on `day` (a date): the latest rate dated on or before it (METRICS.md,
    "Reporting currency"). One definition for every conversion: the landing tables with money
    (through stg_finance__fx_rates_daily, built from it), the check of their kept days
    (should_full_refresh) and the open pipeline. -#}
{% macro fx_rate_in_force(currency, day, rates='fx_rates') -%}
    {{ currency }} = {{ rates }}.currency
    and {{ day }} >= {{ rates }}.valid_from_date
    and ({{ day }} < {{ rates }}.valid_until_date or {{ rates }}.valid_until_date is null)
{%- endmacro %}

{#- The same rate for many rows, by equal keys: two left joins, to stg_finance__fx_rates_daily
    (the rate in force on each day up to a currency's latest rate) and to the latest rate of
    each currency (in force on every later day); `fx_rate_in_force_value()` is the rate,
    NULL when no rate is in force. `condition` is ANDed into both (e.g. only rows that passed
    the format checks). -#}
{% macro fx_rate_in_force_joins(currency, day, condition='true') -%}
    left join {{ ref('stg_finance__fx_rates_daily') }} as fx_rates_daily
        on
            {{ condition }}
            and {{ currency }} = fx_rates_daily.currency
            and {{ day }} = fx_rates_daily.rate_day
    left join (
        select
            currency,
            rate,
            valid_from_date
        from {{ ref('stg_finance__fx_rates') }}
        where valid_until_date is null
    ) as fx_rates_latest
        on
            {{ condition }}
            and {{ currency }} = fx_rates_latest.currency
            and {{ day }} > fx_rates_latest.valid_from_date
{%- endmacro %}

{% macro fx_rate_in_force_value() -%}
    coalesce(fx_rates_daily.rate, fx_rates_latest.rate)
{%- endmacro %}
