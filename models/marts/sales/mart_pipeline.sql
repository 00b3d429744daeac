{#- The open pipeline at as_of_date by channel and current stage (METRICS.md, "Open
    pipeline"): counts and sums credit-weighted by the deal's channel credits. -#}
with

as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_months_covered') }}
),

open_deals as (
    select * from {{ ref('int_deals_open') }}
),

credits as (
    select * from {{ ref('int_deals_credited') }}
),

probabilities as (
    select * from {{ ref('int_stage_win_probabilities') }}
),

credited_deals as (
    select
        credits.channel,
        open_deals.stage,
        credits.credit,
        open_deals.amount,
        probabilities.stage_win_probability
    from open_deals
    inner join credits
        on open_deals.deal_id = credits.deal_id
    left join probabilities
        on open_deals.stage = probabilities.stage
),

aggregated as (
    select
        channel,
        stage,
        max(stage_win_probability) as stage_win_probability,
        {{ fsum() }}(credit) as open_deals,
        {{ fsum() }}(case when amount is null then credit else 0 end) as deals_without_amount,
        {{ fsum() }}(credit * coalesce(amount, 0)) as open_amount,
        {{ fsum() }}(credit * stage_win_probability) as expected_wins,
        {{ fsum() }}(credit * coalesce(amount, 0) * stage_win_probability) as weighted_amount
    from credited_deals
    group by channel, stage
),

final as (
    select
        cast(as_of.as_of_date as date) as as_of_date,
        cast(aggregated.channel as {{ dbt.type_string() }}) as channel,
        cast(aggregated.stage as {{ dbt.type_string() }}) as stage,
        cast(aggregated.open_deals as {{ type_double() }}) as open_deals,
        cast(aggregated.deals_without_amount as {{ type_double() }}) as deals_without_amount,
        cast(aggregated.open_amount as {{ type_double() }}) as open_amount,
        cast(aggregated.stage_win_probability as {{ type_double() }}) as stage_win_probability,
        cast(aggregated.expected_wins as {{ type_double() }}) as expected_wins,
        cast(aggregated.weighted_amount as {{ type_double() }}) as weighted_amount
    from aggregated
    cross join as_of
)

select * from final
