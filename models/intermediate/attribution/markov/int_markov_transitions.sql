{#- The transitions of the Markov chain (METRICS.md, "Data-driven attribution"): every path
    adds start -> c1, c1 -> c2, ..., ck -> conversion (converting) or null (not); the
    probability of a transition is its count over the count out of the same state. -#}
{{ config(materialized='table') }}
with

steps as (
    select
        *,
        lead(channel) over (partition by is_converting, path_id order by step_number) as next_channel
    from {{ ref('int_markov_path_steps') }}
),

moves as (
    select
        'start' as from_state,
        channel as to_state
    from steps
    where step_number = 1
    union all
    select
        channel as from_state,
        coalesce(next_channel, case when is_converting then 'conversion' else 'null' end) as to_state
    from steps
),

counted as (
    select
        from_state,
        to_state,
        count(*) as transitions
    from moves
    group by from_state, to_state
),

final as (
    select
        from_state,
        to_state,
        transitions,
        cast(transitions as {{ type_double() }}) / sum(transitions) over (partition by from_state)
            as transition_probability
    from counted
)

select * from final
