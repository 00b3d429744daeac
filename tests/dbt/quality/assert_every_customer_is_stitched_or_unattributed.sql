-- Identity stitching accounts for every billing customer exactly once: the stitching summary
-- adds up to the stitched customers (billing customers and invoice-only customer ids),
-- every attributed customer's credits sum to 1 across its
-- lead's channels, and every customer without a path is `unattributed` with credit 1.
with

staged as (
    select count(*) as customers from {{ ref('int_customers_stitched') }}
),

summarized as (
    select sum(customers) as customers from {{ ref('customer_stitching') }}
),

credit_sums as (
    select
        customer_id,
        sum(credit) as credit,
        max(case when channel = 'unattributed' then 1 else 0 end) as is_unattributed
    from {{ ref('int_customers_credited') }}
    group by customer_id
),

stitched as (
    select * from {{ ref('int_customers_stitched') }}
),

failures as (
    select
        'summary does not add up' as failure,
        cast(null as {{ dbt.type_string() }}) as customer_id
    from staged
    cross join summarized
    where staged.customers <> summarized.customers
    union all
    select
        'credits do not sum to 1' as failure,
        customer_id
    from credit_sums
    where abs(credit - 1) > 1e-9
    union all
    select
        'customer missing from credits' as failure,
        stitched.customer_id
    from stitched
    left join credit_sums
        on stitched.customer_id = credit_sums.customer_id
    where credit_sums.customer_id is null
    union all
    select
        'unattributed customer has a lead' as failure,
        stitched.customer_id
    from stitched
    inner join credit_sums
        on stitched.customer_id = credit_sums.customer_id
    where (credit_sums.is_unattributed = 1) <> (stitched.attributed_lead_id is null)
)

select * from failures
