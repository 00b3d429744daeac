{#- A valid lead's channel (METRICS.md): the channel with the largest summed credit under var
    attribution_model; a tie goes to the tied channel with the latest touchpoint. Credits are
    compared rounded to 1e-9 so that float noise makes no winner. -#}
with

credits as (
    select * from {{ ref('int_touchpoints_credited') }}
    where attribution_model = '{{ selected_attribution_model() }}'
),

channel_credits as (
    select
        lead_id,
        channel,
        {{ fsum() }}(credit) as credit,
        max(touchpoint_number) as latest_touchpoint_number
    from credits
    group by lead_id, channel
),

ranked as (
    select
        *,
        row_number() over (
            partition by lead_id
            order by round(credit, 9) desc, latest_touchpoint_number desc
        ) as channel_rank
    from channel_credits
),

final as (
    select
        lead_id,
        channel,
        credit as channel_credit
    from ranked
    where channel_rank = 1
)

select * from final
