{{
    config(
        materialized='incremental',
        incremental_strategy=landing_incremental_strategy(),
        partition_by=landing_incremental_partition_by(),
        unique_key='landing_partition',
        on_schema_change='fail',
    )
}}

{{ landing_checked_rows('ads', 'google_ads__campaign_stats') }}
