{{ landing_checked_rows('ads', 'meta_ads__ads_insights') }}
