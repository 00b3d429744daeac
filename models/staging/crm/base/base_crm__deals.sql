{{ landing_checked_rows('crm', 'deals') }}
