{{ landing_checked_rows('crm', 'leads') }}
