{#- Every touchpoint's credit under each attribution model (METRICS.md, "Credit" and
    "Data-driven attribution"); a lead's credits sum to exactly 1 under every model.

    Incremental by lead day (macros/incremental/incremental_by_lead_day.sql): a run replaces
    the rule models' credits of the lead days whose touchpoints changed since its last run,
    and every markov credit (the removal effects depend on every path, so any new path can
    move every lead's markov credit). -#}
{{ incremental_by_lead_day_config(
    meta={'incremental_inputs': {'vars': ['attribution_half_life_days']}},
    replaced_days='credited_days_to_replace()',
    always_replaced="attribution_model = 'markov'",
) }}
{%- set replaced = credited_days_to_replace() %}

with

touchpoints as (
    select * from {{ ref('int_touchpoints_collected') }}
),

rule_models as (
    {%- for model in attribution_models() if model != 'markov' %}
        select '{{ model }}' as attribution_model
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

replaced_touchpoints as (
    select * from touchpoints
    {%- if is_incremental() %}
        where {{ replaced_lead_days_predicate('lead_created_day', replaced) }}
    {%- endif %}
),

decay_weighted as (
    select
        *,
        power(2.0, -touchpoint_age_days / {{ var('attribution_half_life_days') }}) as decay_weight
    from replaced_touchpoints
),

decay_normalized as (
    select
        *,
        decay_weight / {{ fsum() }}(decay_weight) over (partition by lead_id) as decay_credit,
        coalesce(
            max(case when channel != 'direct' then touchpoint_number end) over (partition by lead_id),
            touchpoint_count
        ) as last_non_direct_number
    from decay_weighted
),

removal_effects as (
    select * from {{ ref('int_markov_removal_effects') }}
),

markov_weighted as (
    select
        touchpoints.*,
        coalesce(removal_effects.removal_effect, 0.0)
        / count(*) over (partition by touchpoints.lead_id, touchpoints.channel) as markov_weight
    from touchpoints
    left join removal_effects
        on touchpoints.channel = removal_effects.channel
),

markov_credited as (
    select
        lead_id,
        'markov' as attribution_model,
        touchpoint_number,
        touchpoint_count,
        touchpoint_at,
        lead_created_at,
        session_id,
        touchpoint_source,
        channel,
        channel_group,
        ad_platform,
        campaign_id,
        case
            when {{ fsum() }}(markov_weight) over (partition by lead_id) > 0
                then markov_weight / {{ fsum() }}(markov_weight) over (partition by lead_id)
            else 1.0 / touchpoint_count
        end as credit,
        lead_created_day
    from markov_weighted
),

credited as (
    select
        decay_normalized.lead_id,
        rule_models.attribution_model,
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
        case rule_models.attribution_model
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
        end as credit,
        decay_normalized.lead_created_day
    from decay_normalized
    cross join rule_models
),

final as (
    select
        *,
        {{ run_written_at() }} as written_at,
        {{ upstream_written_through(ref('int_touchpoints_collected')) }} as upstream_written_through,
        cast('{{ incremental_settings_fingerprint() }}' as {{ dbt.type_string() }})
            as landing_settings_fingerprint
    from (
        select * from credited
        union all
        select * from markov_credited
    ) as credits
)

select * from final
