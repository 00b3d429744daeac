{#- One row per channel on any path of the Markov chain (METRICS.md, "Data-driven
    attribution"): the paths that hold it, its removal effect, and the converting paths
    shared out in proportion to the removal effects (markov_conversions, markov_share). -#}
with

steps as (
    select * from {{ ref('int_markov_path_steps') }}
),

removal_effects as (
    select * from {{ ref('int_markov_removal_effects') }}
),

channel_paths as (
    select
        channel,
        count(distinct case when is_converting then path_id end) as converting_paths,
        count(distinct case when not is_converting then path_id end) as non_converting_paths
    from steps
    group by channel
),

path_totals as (
    select count(distinct case when is_converting then path_id end) as all_converting_paths
    from steps
),

removal_totals as (
    select {{ fsum() }}(removal_effect) as removal_effect_sum from removal_effects
),

final as (
    select
        cast(channel_paths.channel as {{ dbt.type_string() }}) as channel,
        cast(channel_paths.converting_paths as {{ dbt.type_int() }}) as converting_paths,
        cast(channel_paths.non_converting_paths as {{ dbt.type_int() }}) as non_converting_paths,
        cast(removal_effects.removal_effect as {{ type_double() }}) as removal_effect,
        cast(
            case
                when removal_totals.removal_effect_sum > 0
                    then path_totals.all_converting_paths * removal_effects.removal_effect
                        / removal_totals.removal_effect_sum
                else 0.0
            end as {{ type_double() }}
        ) as markov_conversions,
        cast(
            case
                when removal_totals.removal_effect_sum > 0
                    then removal_effects.removal_effect / removal_totals.removal_effect_sum
            end as {{ type_double() }}
        ) as markov_share
    from channel_paths
    inner join removal_effects
        on channel_paths.channel = removal_effects.channel
    cross join path_totals
    cross join removal_totals
)

select * from final
