{{ landing_checked_rows('billing', 'customers') }}
