with

movements as (
    select * from {{ ref('int_mrr_movements_classified') }}
),

final as (
    select
        cast(month as date) as month,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(mrr as {{ type_double() }}) as mrr,
        cast(previous_mrr as {{ type_double() }}) as previous_mrr,
        cast(movement as {{ dbt.type_string() }}) as movement,
        cast(movement_amount as {{ type_double() }}) as movement_amount
    from movements
)

select * from final
