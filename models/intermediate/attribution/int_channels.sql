-- Every channel: the channel_mapping channels and the derived ones (direct,
-- organic_search, referral, other, unattributed), each with its channel_group and, for a
-- paid channel, its ad platform.
with

mapped_channels as (
    select
        channel,
        max(channel_group) as channel_group,
        max(ad_platform) as ad_platform
    from {{ ref('int_channel_mapping_normalized') }}
    group by channel
),

derived_channels as (
    select
        'direct' as channel,
        'direct' as channel_group
    union all
    select
        'organic_search' as channel,
        'organic' as channel_group
    union all
    select
        'referral' as channel,
        'referral' as channel_group
    union all
    select
        'other' as channel,
        'other' as channel_group
    union all
    select
        'unattributed' as channel,
        'other' as channel_group
),

final as (
    select
        channel,
        channel_group,
        ad_platform
    from mapped_channels
    union all
    select
        channel,
        channel_group,
        cast(null as {{ dbt.type_string() }}) as ad_platform
    from derived_channels
    -- organic_search and referral may also be mapped channels (LANDING.md): listed once
    where channel not in (select mapped_channels.channel from mapped_channels)
)

select * from final
