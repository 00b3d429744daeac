{{ landing_incremental_config() }}

{{ landing_checked_rows('ads', 'yandex_direct__campaign_report') }}
