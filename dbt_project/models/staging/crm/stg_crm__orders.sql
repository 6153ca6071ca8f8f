{{ crm_current_versions(
    source('raw_crm', 'orders'),
    key_column='order_id',
    columns={
        'order_id': clean_string('order_id'),
        'account_id': clean_string('account_id'),
        'opportunity_id': clean_string('opportunity_id'),
        'order_date': 'cast(order_date as date)',
        'order_status': clean_code('status'),
        'order_amount': 'cast(amount as ' ~ type_money() ~ ')',
        'cost_of_goods': 'cast(cost_of_goods as ' ~ type_money() ~ ')',
        'currency': clean_currency('currency')
    }
) }}
