{#- The removal effect of every channel on a path (METRICS.md, "Data-driven attribution"):
    RE(c) = 1 - P_without_c / P, P the probability of reaching `conversion` from `start`.
    Solved exactly: the absorption probabilities x of the channel states satisfy
    (I - Q) x = r (Q the channel-to-channel, r the channel-to-conversion probabilities);
    the chain without c is the same system with x_c = 0 (every transition into c goes to
    `null`). One system per channel plus the whole chain, each solved by Gauss-Jordan
    elimination (linear_system_solution), P = start probabilities . x. A removal effect
    below 0 by rounding is 0; with P = 0 (no converting path) every removal effect is 0. -#}
{{ config(materialized='table') }}

with

transitions as (
    select * from {{ ref('int_markov_transitions') }}
),

channels as (
    select
        to_state as channel,
        row_number() over (order by to_state) as channel_index
    from transitions
    where to_state not in ('conversion', 'null')
    group by to_state
),

chain_size as (
    select count(*) as channel_count from channels
),

systems as (
    select 0 as removed_index
    union all
    select channel_index as removed_index from channels
),

matrix_columns as (
    select
        channel_index as column_index,
        channel as to_state
    from channels
    union all
    select
        chain_size.channel_count + 1 as column_index,
        'conversion' as to_state
    from chain_size
),

cells as (
    select
        systems.removed_index,
        channels.channel_index as row_index,
        matrix_columns.column_index,
        case
            when systems.removed_index = channels.channel_index
                then case when matrix_columns.column_index = channels.channel_index then 1.0 else 0.0 end
            when matrix_columns.to_state = 'conversion'
                then coalesce(transitions.transition_probability, 0.0)
            else
                case when matrix_columns.column_index = channels.channel_index then 1.0 else 0.0 end
                - coalesce(transitions.transition_probability, 0.0)
        end as cell_value
    from systems
    cross join channels
    cross join matrix_columns
    left join transitions
        on
            channels.channel = transitions.from_state
            and matrix_columns.to_state = transitions.to_state
),

matrix_rows as (
    select
        removed_index,
        row_index,
        {{ ordered_list('cast(cell_value as ' ~ type_double() ~ ')', 'column_index') }} as row_values
    from cells
    group by removed_index, row_index
),

matrices as (
    select
        removed_index,
        {{ ordered_list('row_values', 'row_index') }} as augmented_matrix
    from matrix_rows
    group by removed_index
),

start_probabilities as (
    select
        {{ ordered_list(
            'cast(coalesce(transitions.transition_probability, 0.0) as ' ~ type_double() ~ ')',
            'channels.channel_index'
        ) }} as start_vector
    from channels
    left join transitions
        on
            transitions.from_state = 'start'
            and channels.channel = transitions.to_state
),

-- DuckDB's lambda syntax is beyond sqlfluff's parser
-- noqa: disable=all
solved as (
    select
        matrices.removed_index,
        {{ dot_product(
            'start_probabilities.start_vector',
            linear_system_solution('matrices.augmented_matrix', 'chain_size.channel_count')
        ) }} as conversion_probability
    from matrices
    cross join chain_size
    cross join start_probabilities
),
-- noqa: enable=all

whole_chain as (
    select conversion_probability
    from solved
    where removed_index = 0
),

final as (
    select
        channels.channel,
        whole_chain.conversion_probability,
        solved.conversion_probability as conversion_probability_without_channel,
        case
            when whole_chain.conversion_probability > 0
                then greatest(1.0 - solved.conversion_probability / whole_chain.conversion_probability, 0.0)
            else 0.0
        end as removal_effect
    from channels
    inner join solved
        on channels.channel_index = solved.removed_index
    cross join whole_chain
)

select * from final
