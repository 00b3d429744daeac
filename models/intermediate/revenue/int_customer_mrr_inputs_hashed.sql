{#- Each customer with an MRR-bearing invoice, with a hash of everything its MRR is computed
    from: every such invoice's id, service period and monthly amount (at the customer's
    constant MRR rate). The MRR models incremental by customer (macros/incremental/
    incremental_by_customer.sql) store it on their rows and recompute the customers whose
    hash changed. -#}
{{ config(materialized='table') }}

with

invoices as (
    select * from {{ ref('int_invoices_mrr_converted') }}
),

final as (
    select
        customer_id,
        cast(
            {{ row_set_hash(['invoice_id', 'period_start', 'period_end', 'monthly_amount']) }}
            as {{ dbt.type_string() }}
        ) as mrr_inputs_hash
    from invoices
    group by customer_id
)

select * from final
