with

ad_spend as (
    select * from {{ ref('int_ad_spend_unioned') }}
),

channels as (
    select * from {{ ref('int_channels') }}
    where ad_platform is not null
),

final as (
    select
        cast(ad_spend.date as date) as date,
        cast(ad_spend.ad_platform as {{ dbt.type_string() }}) as ad_platform,
        cast(coalesce(channels.channel, 'other') as {{ dbt.type_string() }}) as channel,
        cast(ad_spend.account_id as {{ dbt.type_string() }}) as account_id,
        cast(ad_spend.campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_spend.campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(coalesce(ad_spend.impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(ad_spend.clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(ad_spend.spend as {{ type_double() }}) as spend,
        cast(ad_spend.spend_original as {{ type_double() }}) as spend_original,
        cast(ad_spend.currency as {{ dbt.type_string() }}) as currency,
        cast(ad_spend.fx_rate_to_reporting as {{ type_double() }}) as fx_rate_to_reporting,
        cast({{ safe_ratio('ad_spend.spend', 'ad_spend.clicks') }} as {{ type_double() }}) as cpc,
        cast({{ safe_ratio('ad_spend.clicks', 'ad_spend.impressions') }} as {{ type_double() }}) as ctr
    from ad_spend
    left join channels
        on ad_spend.ad_platform = channels.ad_platform
)

select * from final
