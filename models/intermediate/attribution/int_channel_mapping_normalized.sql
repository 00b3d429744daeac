-- channel_mapping with lower-cased match keys, and every channel the project knows with its
-- channel_group and ad platform.
with

channel_mapping as (
    select * from {{ ref('channel_mapping') }}
),

final as (
    select
        lower(utm_source) as utm_source_key,
        lower(utm_medium) as utm_medium_key,
        channel,
        channel_group,
        ad_platform
    from channel_mapping
)

select * from final
