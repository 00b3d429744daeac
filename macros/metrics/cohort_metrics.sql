{#- Cohort maturity and projections (METRICS.md), shared by the whole-business cohorts
    (int_cohorts_monthly) and the channel cohorts (mart_funnel_cohorts). -#}

{#- The sums over a cohort's valid leads (int_leads_cohort_valued joined as `valued`), each
    lead weighted by `weight` (1, or its credit in a channel). -#}
{% macro cohort_sums(weight) -%}
    {{ fsum() }}({{ weight }}) as leads,
    {{ fsum() }}({{ weight }} * case when valued.is_won then 1 else 0 end) as won_leads,
    {%- for days in [30, 60, 90] %}
    {{ fsum() }}({{ weight }} * valued.won_{{ days }}d) as won_leads_{{ days }}d,
    {%- endfor %}
    {{ fsum() }}({{ weight }} * valued.projected_won_90d) as projected_won_sum
{%- endmacro %}

{#- The cohort columns from those sums (`cohort`), the cohort month's maturity at as_of_date
    (`as_of`) and whether a reference cohort exists (`reference`). -#}
{% macro cohort_columns(cohort, month, as_of, reference) -%}
    {%- for days in [30, 60, 90] %}
    {{ dbt.dateadd('day', days, month_last_day(month)) }} <= {{ as_of }}.as_of_date as is_mature_{{ days }}d,
    {%- endfor %}
    {%- for days in [30, 60, 90] %}
    case
        when {{ dbt.dateadd('day', days, month_last_day(month)) }} <= {{ as_of }}.as_of_date
            then {{ safe_ratio('coalesce(' ~ cohort ~ '.won_leads_' ~ days ~ 'd, 0)', cohort ~ '.leads') }}
    end as cr2_{{ days }}d,
    {%- endfor %}
    case
        when {{ dbt.dateadd('day', 90, month_last_day(month)) }} <= {{ as_of }}.as_of_date
            then coalesce({{ cohort }}.won_leads_90d, 0)
        when {{ reference }}.has_reference_cohort then coalesce({{ cohort }}.projected_won_sum, 0)
    end as projected_won_leads_90d
{%- endmacro %}
