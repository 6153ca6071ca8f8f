{{ crm_current_versions(
    source('raw_crm', 'opportunities'),
    key_column='opportunity_id',
    columns={
        'opportunity_id': clean_string('opportunity_id'),
        'account_id': clean_string('account_id'),
        'lead_id': clean_string('lead_id'),
        'stage': clean_code('stage'),
        'opportunity_amount': 'cast(amount as ' ~ type_money() ~ ')',
        'currency': clean_currency('currency'),
        'owner_id': clean_string('owner_id'),
        'created_at': 'cast(created_at as ' ~ type_timestamp() ~ ')',
        'created_date': to_utc_date('created_at'),
        'closed_at': 'cast(closed_at as ' ~ type_timestamp() ~ ')',
        'closed_date': to_utc_date('closed_at')
    }
) }}
