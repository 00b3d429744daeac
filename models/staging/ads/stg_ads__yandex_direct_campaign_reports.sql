{%- set net_of_vat = "(1 + " ~ var('yandex_direct_vat_rate') ~ ")" %}

with

checked_rows as (
    select * from {{ ref('base_ads__yandex_direct__campaign_report') }}
    where quarantine_rule is null
),

final as (
    select
        {{ adapter.quote('Date') }} as date,
        'yandex_direct' as ad_platform,
        cast(null as {{ dbt.type_string() }}) as account_id,
        {{ adapter.quote('CampaignId') }} as campaign_id,
        {{ adapter.quote('CampaignName') }} as campaign_name,
        {{ adapter.quote('Impressions') }} as impressions,
        {{ adapter.quote('Clicks') }} as clicks,
        {{ adapter.quote('Cost') }} as cost_with_vat,
        {{ adapter.quote('Cost') }} / {{ net_of_vat }} as spend_original,
        {{ adapter.quote('Currency') }} as currency,
        fx_rate_to_reporting,
        {{ adapter.quote('Cost') }} / {{ net_of_vat }} * fx_rate_to_reporting as spend
    from checked_rows
)

select * from final
