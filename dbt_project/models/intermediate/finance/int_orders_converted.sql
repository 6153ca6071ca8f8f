-- The orders that can count: latest version, not deleted, status confirmed, and not of a
-- deleted account (deleted and cancelled orders and orders of deleted accounts count nowhere
-- and are not quarantined). Amounts in the reporting currency, and the quarantine flags:
--   is_account_unknown: account_id is not in the accounts table at all (any version)
--   is_fx_missing: no usable rate in the 7-day window (revenue/cogs NULL)
-- The order belongs to its account's project.

with

orders as (

    select * from {{ ref('stg_crm__orders') }}
    where not is_deleted
        and order_status = 'confirmed'

),

accounts as (

    select
        account_id,
        project_code,
        is_deleted
    from {{ ref('stg_crm__accounts') }}

),

fx_factors as (

    select * from {{ ref('int_fx_factors_resolved') }}

),

joined as (

    select
        orders.order_id,
        orders.account_id,
        accounts.project_code,
        orders.opportunity_id,
        orders.order_date,
        orders.order_status,
        orders.currency,
        orders.order_amount,
        orders.cost_of_goods,
        orders.updated_at,
        fx_factors.fx_factor,
        fx_factors.fx_numerator_rate,
        fx_factors.fx_denominator_rate,
        fx_factors.fx_base_currency,
        fx_factors.fx_rate_date,
        fx_factors.window_start_date as fx_window_start_date,
        accounts.account_id is null as is_account_unknown,
        fx_factors.fx_factor is null as is_fx_missing,
        orders._source_file,
        orders._source_line,
        orders._dlt_load_id
    from orders
    left join accounts
        on accounts.account_id = orders.account_id
    left join fx_factors
        on fx_factors.currency = orders.currency
        and fx_factors.business_date = orders.order_date
    -- records of a deleted account count nowhere
    where accounts.is_deleted is null
        or not accounts.is_deleted

),

final as (

    select
        'order_id=' || order_id as record_key,
        order_id,
        account_id,
        project_code,
        opportunity_id,
        order_date,
        order_status,
        currency,
        order_amount,
        cost_of_goods,
        updated_at,
        fx_factor,
        fx_base_currency,
        fx_rate_date,
        fx_window_start_date,
        {{ reporting_currency_column() }},
        {{ multiply_divide('order_amount', 'fx_numerator_rate', 'fx_denominator_rate') }} as revenue,
        {{ multiply_divide('cost_of_goods', 'fx_numerator_rate', 'fx_denominator_rate') }} as cogs,
        cast(
            {{ subtract_money(
                multiply_divide('order_amount', 'fx_numerator_rate', 'fx_denominator_rate'),
                multiply_divide('cost_of_goods', 'fx_numerator_rate', 'fx_denominator_rate')
            ) }}
            as {{ type_money() }}
        ) as gross_profit,
        is_account_unknown,
        is_fx_missing,
        (is_account_unknown or is_fx_missing) as is_quarantined,
        _source_file,
        _source_line,
        _dlt_load_id
    from joined

)

select * from final
