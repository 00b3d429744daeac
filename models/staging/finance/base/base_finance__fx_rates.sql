{{ landing_checked_rows('finance', 'fx_rates') }}
