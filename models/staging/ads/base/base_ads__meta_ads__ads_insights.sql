{{ landing_incremental_config() }}

{{ landing_checked_rows('ads', 'meta_ads__ads_insights') }}
