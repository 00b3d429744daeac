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

invoice_inputs as (
    select
        customer_id,
        {{ dbt.concat([
            "coalesce(invoice_id, '~')", "'|'",
            "coalesce(cast(period_start as " ~ dbt.type_string() ~ "), '~')", "'|'",
            "coalesce(cast(period_end as " ~ dbt.type_string() ~ "), '~')", "'|'",
            "coalesce(cast(monthly_amount as " ~ dbt.type_string() ~ "), '~')",
        ]) }} as invoice_inputs
    from invoices
),

final as (
    select
        customer_id,
        {{ dbt.hash(sorted_string_agg('invoice_inputs', "';'")) }} as mrr_inputs_hash
    from invoice_inputs
    group by customer_id
)

select * from final
