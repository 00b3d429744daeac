{{ landing_checked_rows('finance', 'marketing_costs') }}
