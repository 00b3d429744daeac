{{ landing_checked_rows('ads', 'google_ads__campaign_stats') }}
