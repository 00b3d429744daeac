{{ landing_checked_rows('billing', 'invoices') }}
