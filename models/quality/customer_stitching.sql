{#- How many billing customers stitched to a lead (and so to channels) and how many did not,
    by reason: the docs and the closing numbers of identity stitching come from here. -#}
with

stitched as (
    select * from {{ ref('int_customers_stitched') }}
),

final as (
    select
        stitch_status,
        stitch_status in ('stitched_to_lead', 'stitched_via_duplicate') as is_attributed,
        count(*) as customers
    from stitched
    group by stitch_status
)

select * from final
