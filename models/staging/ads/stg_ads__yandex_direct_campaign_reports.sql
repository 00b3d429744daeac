{%- set net_of_vat = "(1 + " ~ var('yandex_direct_vat_rate') ~ ")" %}

with

checked_rows as (
    select * from {{ ref('base_ads__yandex_direct__campaign_report') }}
    where quarantine_rule is null
),

final as (
    select
        "Date" as date,
        'yandex_direct' as ad_platform,
        cast(null as {{ dbt.type_string() }}) as account_id,
        "CampaignId" as campaign_id,
        "CampaignName" as campaign_name,
        "Impressions" as impressions,
        "Clicks" as clicks,
        "Cost" as cost_with_vat,
        "Cost" / {{ net_of_vat }} as spend_original,
        "Currency" as currency,
        fx_rate_to_reporting,
        "Cost" / {{ net_of_vat }} * fx_rate_to_reporting as spend
    from checked_rows
)

select * from final
