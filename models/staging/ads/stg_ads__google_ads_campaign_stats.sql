with

checked_rows as (
    select * from {{ ref('base_ads__google_ads__campaign_stats') }}
    where quarantine_rule is null
),

final as (
    select
        date,
        'google_ads' as ad_platform,
        customer_id as account_id,
        campaign_id,
        campaign_name,
        impressions,
        clicks,
        conversions,
        cost_micros,
        cost_micros / 1000000.0 as spend_original,
        currency_code as currency,
        fx_rate_to_reporting,
        cost_micros / 1000000.0 * fx_rate_to_reporting as spend
    from checked_rows
)

select * from final
