{#- Every touchpoint's credit under each attribution model (METRICS.md, "Credit" and
    "Data-driven attribution"); a lead's credits sum to exactly 1 under every model. -#}
{{ config(materialized='table') }}

with

touchpoints as (
    select * from {{ ref('int_touchpoints_collected') }}
),

models as (
    {%- for model in attribution_models() %}
        select '{{ model }}' as attribution_model
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

decay_weighted as (
    select
        *,
        power(2.0, -touchpoint_age_days / {{ var('attribution_half_life_days') }}) as decay_weight
    from touchpoints
),

removal_effects as (
    select * from {{ ref('int_markov_removal_effects') }}
),

markov_weighted as (
    select
        decay_weighted.*,
        coalesce(removal_effects.removal_effect, 0.0)
        / count(*) over (partition by decay_weighted.lead_id, decay_weighted.channel) as markov_weight
    from decay_weighted
    left join removal_effects
        on decay_weighted.channel = removal_effects.channel
),

decay_normalized as (
    select
        *,
        decay_weight / {{ fsum() }}(decay_weight) over (partition by lead_id) as decay_credit,
        case
            when {{ fsum() }}(markov_weight) over (partition by lead_id) > 0
                then markov_weight / {{ fsum() }}(markov_weight) over (partition by lead_id)
            else 1.0 / touchpoint_count
        end as markov_credit,
        coalesce(
            max(case when channel != 'direct' then touchpoint_number end) over (partition by lead_id),
            touchpoint_count
        ) as last_non_direct_number
    from markov_weighted
),

credited as (
    select
        decay_normalized.lead_id,
        models.attribution_model,
        decay_normalized.touchpoint_number,
        decay_normalized.touchpoint_count,
        decay_normalized.touchpoint_at,
        decay_normalized.lead_created_at,
        decay_normalized.session_id,
        decay_normalized.touchpoint_source,
        decay_normalized.channel,
        decay_normalized.channel_group,
        decay_normalized.ad_platform,
        decay_normalized.campaign_id,
        case models.attribution_model
            when 'first_touch'
                then case when decay_normalized.touchpoint_number = 1 then 1.0 else 0.0 end
            when 'last_touch'
                then case
                        when decay_normalized.touchpoint_number = decay_normalized.touchpoint_count then 1.0 else 0.0
                    end
            when 'linear'
                then 1.0 / decay_normalized.touchpoint_count
            when 'position_based'
                then case
                        when decay_normalized.touchpoint_count = 1 then 1.0
                        when decay_normalized.touchpoint_count = 2 then 0.5
                        when decay_normalized.touchpoint_number in (1, decay_normalized.touchpoint_count) then 0.4
                        else 0.2 / (decay_normalized.touchpoint_count - 2)
                    end
            when 'time_decay'
                then decay_normalized.decay_credit
            when 'last_non_direct'
                then case
                        when decay_normalized.touchpoint_number = decay_normalized.last_non_direct_number then 1.0
                        else 0.0
                    end
            when 'markov'
                then decay_normalized.markov_credit
        end as credit
    from decay_normalized
    cross join models
),

final as (
    select * from credited
)

select * from final
