{#-
    landing_contract(): LANDING.md as data, the one place that says what each landing file
    holds and which rules its rows must pass. Used to register the files
    (register_landing_files), to check and cast every raw row (landing_checked_rows) and to
    count rows (quality models, tests). The sources' YAML documents the same columns; the
    registration fails if the two disagree.

    Per table: file (`<system>/<table>` under var raw_dir), optional, key (landing key
    columns), fx ({currency, amounts, dated_by}: the amounts converted with the currency
    column at the rate of the dating column's UTC date), currency_format_only (fx_rates: a
    currency is three upper-case letters), staged (the staging model), columns in the
    contract's order with: type (string | date | month | timestamp | integer | decimal |
    boolean), required (the `missing` rule), non_negative or positive (the `negative` rule: below
    0, or at or below 0), closed_list (values, or the name of
    a var whose keys are the values), currency (a currency column), nullable_key (a key
    column that may be empty), range_checked (the `out_of_range` rule: the column that dates
    the row, invoices' paid_at, deals' closed_at); incremental_by (append-only sources: the dating column whose
    days a run re-checks, see landing_checked_rows).
-#}
{% macro landing_contract() %}
    {{ return({
        'google_ads__campaign_stats': {
            'system': 'ads', 'file': 'ads/google_ads__campaign_stats', 'staged': 'stg_ads__google_ads_campaign_stats',
            'optional': false, 'key': ['campaign_id', 'date'],
            'fx': {'currency': 'currency_code', 'amounts': ['cost_micros'], 'dated_by': 'date'},
            'incremental_by': 'date',
            'columns': [
                {'name': 'date', 'type': 'date', 'required': true, 'range_checked': true},
                {'name': 'customer_id', 'type': 'string'},
                {'name': 'campaign_id', 'type': 'string', 'required': true},
                {'name': 'campaign_name', 'type': 'string'},
                {'name': 'cost_micros', 'type': 'integer', 'required': true, 'non_negative': true},
                {'name': 'impressions', 'type': 'integer', 'non_negative': true},
                {'name': 'clicks', 'type': 'integer', 'non_negative': true},
                {'name': 'conversions', 'type': 'decimal', 'non_negative': true},
                {'name': 'currency_code', 'type': 'string', 'required': true, 'currency': true},
            ],
        },
        'meta_ads__ads_insights': {
            'system': 'ads', 'file': 'ads/meta_ads__ads_insights', 'staged': 'stg_ads__meta_ads_insights',
            'optional': false, 'key': ['campaign_id', 'date_start'],
            'fx': {'currency': 'account_currency', 'amounts': ['spend'], 'dated_by': 'date_start'},
            'incremental_by': 'date_start',
            'columns': [
                {'name': 'date_start', 'type': 'date', 'required': true, 'range_checked': true},
                {'name': 'account_id', 'type': 'string'},
                {'name': 'account_currency', 'type': 'string', 'required': true, 'currency': true},
                {'name': 'campaign_id', 'type': 'string', 'required': true},
                {'name': 'campaign_name', 'type': 'string'},
                {'name': 'spend', 'type': 'decimal', 'required': true, 'non_negative': true},
                {'name': 'impressions', 'type': 'integer', 'non_negative': true},
                {'name': 'clicks', 'type': 'integer', 'non_negative': true},
            ],
        },
        'yandex_direct__campaign_report': {
            'system': 'ads', 'file': 'ads/yandex_direct__campaign_report', 'staged': 'stg_ads__yandex_direct_campaign_reports',
            'optional': false, 'key': ['CampaignId', 'Date'],
            'fx': {'currency': 'Currency', 'amounts': ['Cost'], 'dated_by': 'Date'},
            'incremental_by': 'Date',
            'columns': [
                {'name': 'Date', 'type': 'date', 'required': true, 'range_checked': true},
                {'name': 'CampaignId', 'type': 'string', 'required': true},
                {'name': 'CampaignName', 'type': 'string'},
                {'name': 'Cost', 'type': 'decimal', 'required': true, 'non_negative': true},
                {'name': 'Impressions', 'type': 'integer', 'non_negative': true},
                {'name': 'Clicks', 'type': 'integer', 'non_negative': true},
                {'name': 'Currency', 'type': 'string', 'required': true, 'currency': true},
            ],
        },
        'sessions': {
            'system': 'web', 'file': 'web/sessions', 'staged': 'stg_web__sessions',
            'optional': false, 'key': ['session_id'],
            'incremental_by': 'started_at',
            'columns': [
                {'name': 'session_id', 'type': 'string'},
                {'name': 'visitor_id', 'type': 'string'},
                {'name': 'started_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
                {'name': 'landing_page', 'type': 'string'},
                {'name': 'referrer_domain', 'type': 'string'},
                {'name': 'utm_source', 'type': 'string'},
                {'name': 'utm_medium', 'type': 'string'},
                {'name': 'utm_campaign', 'type': 'string'},
                {'name': 'utm_content', 'type': 'string'},
                {'name': 'utm_term', 'type': 'string'},
                {'name': 'click_id', 'type': 'string'},
                {'name': 'click_id_type', 'type': 'string', 'closed_list': 'click_id_sources'},
            ],
        },
        'leads': {
            'system': 'crm', 'file': 'crm/leads', 'staged': 'stg_crm__leads',
            'optional': false, 'key': ['lead_id'],
            'columns': [
                {'name': 'lead_id', 'type': 'string'},
                {'name': 'created_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
                {'name': 'visitor_id', 'type': 'string'},
                {'name': 'email', 'type': 'string'},
                {'name': 'phone', 'type': 'string'},
                {'name': 'full_name', 'type': 'string'},
                {'name': 'form', 'type': 'string'},
                {'name': 'utm_source', 'type': 'string'},
                {'name': 'utm_medium', 'type': 'string'},
                {'name': 'utm_campaign', 'type': 'string'},
                {'name': 'status', 'type': 'string', 'closed_list': ['new', 'in_progress', 'qualified', 'disqualified', 'converted', 'spam']},
                {'name': 'owner_id', 'type': 'string'},
                {'name': 'disqualified_reason', 'type': 'string'},
            ],
        },
        'deals': {
            'system': 'crm', 'file': 'crm/deals', 'staged': 'stg_crm__deals',
            'optional': false, 'key': ['deal_id'],
            'columns': [
                {'name': 'deal_id', 'type': 'string'},
                {'name': 'lead_id', 'type': 'string'},
                {'name': 'created_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
                {'name': 'owner_id', 'type': 'string'},
                {'name': 'pipeline', 'type': 'string'},
                {'name': 'stage', 'type': 'string'},
                {'name': 'amount', 'type': 'decimal'},
                {'name': 'currency', 'type': 'string'},
                {'name': 'closed_at', 'type': 'timestamp', 'range_checked': true},
                {'name': 'is_won', 'type': 'boolean'},
                {'name': 'lost_reason', 'type': 'string'},
            ],
        },
        'deal_stage_history': {
            'system': 'crm', 'file': 'crm/deal_stage_history', 'staged': 'stg_crm__deal_stage_changes',
            'optional': true, 'key': ['deal_id', 'stage', 'entered_at'],
            'columns': [
                {'name': 'deal_id', 'type': 'string'},
                {'name': 'stage', 'type': 'string'},
                {'name': 'entered_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
            ],
        },
        'activities': {
            'system': 'crm', 'file': 'crm/activities', 'staged': 'stg_crm__activities',
            'optional': false, 'key': ['activity_id'],
            'incremental_by': 'started_at',
            'columns': [
                {'name': 'activity_id', 'type': 'string'},
                {'name': 'lead_id', 'type': 'string'},
                {'name': 'deal_id', 'type': 'string'},
                {'name': 'customer_id', 'type': 'string'},
                {'name': 'owner_id', 'type': 'string'},
                {'name': 'type', 'type': 'string', 'closed_list': ['call', 'email', 'meeting', 'welcome_email', 'onboarding_call', 'chatbot_onboarding', 'support_ticket']},
                {'name': 'started_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
                {'name': 'duration_seconds', 'type': 'integer', 'non_negative': true},
                {'name': 'outcome', 'type': 'string'},
            ],
        },
        'users': {
            'system': 'crm', 'file': 'crm/users', 'staged': 'stg_crm__users',
            'optional': false, 'key': ['user_id'],
            'columns': [
                {'name': 'user_id', 'type': 'string'},
                {'name': 'full_name', 'type': 'string'},
                {'name': 'team', 'type': 'string'},
                {'name': 'role', 'type': 'string', 'closed_list': ['sales_rep', 'account_manager', 'marketing']},
                {'name': 'hired_at', 'type': 'timestamp'},
            ],
        },
        'customers': {
            'system': 'billing', 'file': 'billing/customers', 'staged': 'stg_billing__customers',
            'optional': false, 'key': ['customer_id'],
            'columns': [
                {'name': 'customer_id', 'type': 'string'},
                {'name': 'created_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
                {'name': 'email', 'type': 'string'},
                {'name': 'crm_deal_id', 'type': 'string'},
                {'name': 'country', 'type': 'string'},
            ],
        },
        'subscriptions': {
            'system': 'billing', 'file': 'billing/subscriptions', 'staged': 'stg_billing__subscriptions',
            'optional': false, 'key': ['subscription_id'],
            'columns': [
                {'name': 'subscription_id', 'type': 'string'},
                {'name': 'customer_id', 'type': 'string'},
                {'name': 'plan_id', 'type': 'string'},
                {'name': 'status', 'type': 'string', 'closed_list': ['trialing', 'active', 'past_due', 'canceled']},
                {'name': 'started_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
                {'name': 'canceled_at', 'type': 'timestamp'},
                {'name': 'billing_interval', 'type': 'string', 'closed_list': ['month', 'year']},
                {'name': 'currency', 'type': 'string', 'required': true, 'currency': true},
            ],
        },
        'invoices': {
            'system': 'billing', 'file': 'billing/invoices', 'staged': 'stg_billing__invoices',
            'optional': false, 'key': ['invoice_id'],
            'fx': {'currency': 'currency', 'amounts': ['amount', 'tax'], 'dated_by': 'issued_at'},
            'columns': [
                {'name': 'invoice_id', 'type': 'string'},
                {'name': 'customer_id', 'type': 'string'},
                {'name': 'subscription_id', 'type': 'string'},
                {'name': 'issued_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
                {'name': 'period_start', 'type': 'date'},
                {'name': 'period_end', 'type': 'date'},
                {'name': 'amount', 'type': 'decimal', 'required': true, 'non_negative': true},
                {'name': 'tax', 'type': 'decimal', 'required': true, 'non_negative': true},
                {'name': 'currency', 'type': 'string', 'required': true, 'currency': true},
                {'name': 'status', 'type': 'string', 'closed_list': ['draft', 'open', 'paid', 'void', 'uncollectible']},
                {'name': 'paid_at', 'type': 'timestamp', 'range_checked': true},
            ],
        },
        'refunds': {
            'system': 'billing', 'file': 'billing/refunds', 'staged': 'stg_billing__refunds',
            'optional': true, 'key': ['refund_id'],
            'fx': {'currency': 'currency', 'amounts': ['amount'], 'dated_by': 'refunded_at'},
            'columns': [
                {'name': 'refund_id', 'type': 'string'},
                {'name': 'invoice_id', 'type': 'string'},
                {'name': 'refunded_at', 'type': 'timestamp', 'required': true, 'range_checked': true},
                {'name': 'amount', 'type': 'decimal', 'required': true, 'non_negative': true},
                {'name': 'currency', 'type': 'string', 'required': true, 'currency': true},
            ],
        },
        'fx_rates': {
            'system': 'finance', 'file': 'finance/fx_rates', 'staged': 'stg_finance__fx_rates',
            'optional': false, 'key': ['date', 'currency'],
            'currency_format_only': true,
            'columns': [
                {'name': 'date', 'type': 'date', 'required': true, 'range_checked': true},
                {'name': 'currency', 'type': 'string', 'required': true, 'currency': true},
                {'name': 'rate', 'type': 'decimal', 'required': true, 'positive': true},
            ],
        },
        'marketing_costs': {
            'system': 'finance', 'file': 'finance/marketing_costs', 'staged': 'stg_finance__marketing_costs',
            'optional': true, 'key': ['month', 'channel', 'cost_type'],
            'fx': {'currency': 'currency', 'amounts': ['amount'], 'dated_by': 'month'},
            'columns': [
                {'name': 'month', 'type': 'month', 'required': true, 'range_checked': true},
                {'name': 'channel', 'type': 'string', 'nullable_key': true},
                {'name': 'cost_type', 'type': 'string', 'closed_list': ['salaries', 'agency', 'tools', 'content', 'other']},
                {'name': 'amount', 'type': 'decimal', 'required': true, 'non_negative': true},
                {'name': 'currency', 'type': 'string', 'required': true, 'currency': true},
            ],
        },
    }) }}
{% endmacro %}


{#- The landing tables in a stable order, each a dict with its `table` name added. -#}
{% macro landing_tables() %}
    {%- set tables = [] -%}
    {%- for name, spec in landing_contract().items() -%}
        {%- set entry = {'table': name} -%}
        {%- do entry.update(spec) -%}
        {%- do tables.append(entry) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}
