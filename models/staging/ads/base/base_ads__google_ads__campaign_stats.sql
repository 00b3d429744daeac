{{ landing_incremental_config() }}

{{ landing_checked_rows('ads', 'google_ads__campaign_stats') }}
