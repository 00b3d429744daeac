{{ landing_checked_rows('billing', 'refunds') }}
