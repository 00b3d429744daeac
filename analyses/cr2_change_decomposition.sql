-- Lead quality or sales handling? The change in CR2 between two lead cohorts, compared at the
-- same age (var cr2_cohort_age_days: 30, 60 or 90, default 90: leads won within that many
-- days), split into
--   mix_effect   the part explained by the channel mix of the leads (lead quality), and
--   rate_effect  the part explained by conversion within channels (sales handling),
-- with mix_effect + rate_effect = cr2_change exactly (a symmetric shift-share split):
--   CR2 = sum over channels of share_c x cr2_c, and for each channel
--   mix_c  = (share_to - share_from) x (cr2_from + cr2_to) / 2
--   rate_c = (cr2_to - cr2_from) x (share_from + share_to) / 2
-- A channel with no leads in one month takes the other month's CR2 there, so its whole
-- contribution is mix. Channel leads are credit-weighted (var attribution_model), as in
-- mart_funnel_cohorts. One row per channel plus a `total` row; `is_mature` says whether both
-- cohorts are old enough (a young cohort's CR2 at that age is still rising: never blame
-- sales for it).
-- Vars: cr2_from_month, cr2_to_month (YYYY-MM-01); default: the two latest cohorts mature
-- for the age.
-- Run: dbt compile --select cr2_change_decomposition --vars '{cr2_from_month: 2026-05-01, cr2_to_month: 2026-06-01}'
{%- set age = var('cr2_cohort_age_days', 90) | int %}
{%- if age not in [30, 60, 90] %}
    {{ exceptions.raise_compiler_error(
        "var cr2_cohort_age_days is " ~ age ~ "; it must be 30, 60 or 90") }}
{%- endif %}

with

cohorts as (
    select
        month,
        channel,
        leads,
        won_leads_{{ age }}d as won_leads,
        is_mature_{{ age }}d as is_mature
    from {{ ref('mart_funnel_cohorts') }}
),

chosen_months as (
    select
        {%- if var('cr2_from_month', none) %}
        cast('{{ var("cr2_from_month") }}' as date) as from_month,
        {%- else %}
            cast({{ dbt.dateadd('month', -1, 'max(case when is_mature then month end)') }} as date)
                as from_month,
        {%- endif %}
        {%- if var('cr2_to_month', none) %}
        cast('{{ var("cr2_to_month") }}' as date) as to_month
        {%- else %}
            max(case when is_mature then month end) as to_month
        {%- endif %}
    from cohorts
),

month_totals as (
    select
        cohorts.month,
        sum(cohorts.leads) as leads
    from cohorts
    group by cohorts.month
),

channel_months as (
    select
        cohorts.channel,
        sum(case when cohorts.month = chosen_months.from_month then cohorts.leads else 0 end)
            as leads_from,
        sum(case when cohorts.month = chosen_months.to_month then cohorts.leads else 0 end)
            as leads_to,
        sum(case when cohorts.month = chosen_months.from_month then cohorts.won_leads else 0 end)
            as won_from,
        sum(case when cohorts.month = chosen_months.to_month then cohorts.won_leads else 0 end)
            as won_to
    from cohorts
    cross join chosen_months
    group by cohorts.channel
),

shares as (
    select
        channel_months.channel,
        channel_months.leads_from / nullif(totals_from.leads, 0) as share_from,
        channel_months.leads_to / nullif(totals_to.leads, 0) as share_to,
        channel_months.won_from / nullif(channel_months.leads_from, 0) as observed_cr2_from,
        channel_months.won_to / nullif(channel_months.leads_to, 0) as observed_cr2_to
    from channel_months
    cross join chosen_months
    inner join month_totals as totals_from
        on chosen_months.from_month = totals_from.month
    inner join month_totals as totals_to
        on chosen_months.to_month = totals_to.month
    where channel_months.leads_from > 0 or channel_months.leads_to > 0
),

filled as (
    select
        channel,
        coalesce(share_from, 0) as share_from,
        coalesce(share_to, 0) as share_to,
        coalesce(observed_cr2_from, observed_cr2_to) as cr2_from,
        coalesce(observed_cr2_to, observed_cr2_from) as cr2_to
    from shares
),

by_channel as (
    select
        channel,
        share_from,
        share_to,
        cr2_from,
        cr2_to,
        share_to * cr2_to - share_from * cr2_from as cr2_change,
        (share_to - share_from) * (cr2_from + cr2_to) / 2 as mix_effect,
        (cr2_to - cr2_from) * (share_from + share_to) / 2 as rate_effect
    from filled
),

total as (
    select
        'total' as channel,
        sum(share_from) as share_from,
        sum(share_to) as share_to,
        sum(share_from * cr2_from) as cr2_from,
        sum(share_to * cr2_to) as cr2_to,
        sum(cr2_change) as cr2_change,
        sum(mix_effect) as mix_effect,
        sum(rate_effect) as rate_effect
    from by_channel
),

maturity as (
    select bool_and(cohorts.is_mature) as is_mature
    from cohorts
    cross join chosen_months
    where cohorts.month in (chosen_months.from_month, chosen_months.to_month)
),

final as (
    select
        chosen_months.from_month,
        chosen_months.to_month,
        {{ age }} as cohort_age_days,
        maturity.is_mature,
        rows_out.*
    from (
        select * from by_channel
        union all
        select * from total
    ) as rows_out
    cross join chosen_months
    cross join maturity
)

select * from final
