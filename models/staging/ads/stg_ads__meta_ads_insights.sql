with

checked_rows as (
    select * from {{ ref('base_ads__meta_ads__ads_insights') }}
    where quarantine_rule is null
),

final as (
    select
        date_start as date,
        'meta_ads' as ad_platform,
        account_id,
        campaign_id,
        campaign_name,
        impressions,
        clicks,
        spend as spend_original,
        account_currency as currency,
        fx_rate_to_reporting,
        spend * fx_rate_to_reporting as spend
    from checked_rows
)

select * from final
