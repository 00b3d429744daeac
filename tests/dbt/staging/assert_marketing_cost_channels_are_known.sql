-- A marketing_costs channel must be a channel of channel_mapping or one of direct,
-- organic_search, referral, other (LANDING.md, finance/marketing_costs).
with

known_channels as (
    select distinct channel from {{ ref('channel_mapping') }}
    union all
    select 'direct' as channel
    union all
    select 'organic_search' as channel
    union all
    select 'referral' as channel
    union all
    select 'other' as channel
)

select costs.*
from {{ ref('stg_finance__marketing_costs') }} as costs
where
    costs.channel is not null
    and costs.channel not in (select known_channels.channel from known_channels)
