with

checked_rows as (
    select * from {{ ref('base_web__sessions') }}
    where quarantine_rule is null
),

final as (
    select
        session_id,
        visitor_id,
        started_at,
        landing_page,
        lower(referrer_domain) as referrer_domain,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        click_id,
        click_id_type,
        utm_source is not null as has_utms,
        click_id is not null and click_id_type is not null as has_typed_click_id,
        landing_partition_date,
        landing_partition
    from checked_rows
)

select * from final
