{{ landing_checked_rows('billing', 'subscriptions') }}
