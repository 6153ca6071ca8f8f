-- Rows that are well-formed but unusable, one row per (source_table, record_key, reason).
-- They are excluded from every mart; the orchestration layer copies this table into the
-- `audit` schema and its blocking checks fail the run while it is not empty.
-- Reasons:
--   missing_fx_rate   no rate in the 7-day fallback window (ad spend, ERP costs, orders that count)
--   unknown_account   a confirmed, non-deleted order whose account_id is not in accounts
--   unmapped_campaign ad spend with an empty project_code or one not in projects
-- A row can carry two reasons (e.g. unmapped and no rate): it is listed once per reason.

with

ad_spend as (

    select * from {{ ref('int_ad_spend_converted') }}
    where is_quarantined

),

erp_costs as (

    select * from {{ ref('int_erp_costs_converted') }}
    where is_quarantined

),

orders as (

    select * from {{ ref('int_orders_converted') }}
    where is_quarantined

),

unioned as (

    select
        'raw_ads.ad_spend' as source_table,
        record_key,
        'unmapped_campaign' as reason,
        case
            when project_code is null
                then
                    'campaign ' || coalesce(campaign_id, '')
                    || ' (' || coalesce(campaign_name, 'no name') || ') on ' || coalesce(platform, '')
                    || ', ad account ' || coalesce(ad_account_id, '') || ', has no project_code'
            else
                'campaign ' || coalesce(campaign_id, '')
                || ' (' || coalesce(campaign_name, 'no name') || ') on ' || coalesce(platform, '')
                || ', ad account ' || coalesce(ad_account_id, '') || ', is mapped to project_code '
                || project_code || ', which is not in raw_reference.projects'
        end as detail,
        spend_date as business_date,
        _source_file as source_file,
        _source_line as source_line
    from ad_spend
    where is_campaign_unmapped

    union all

    select
        'raw_ads.ad_spend' as source_table,
        record_key,
        'missing_fx_rate' as reason,
        {{ missing_fx_rate_detail('currency', 'spend_date') }} as detail,
        spend_date as business_date,
        _source_file as source_file,
        _source_line as source_line
    from ad_spend
    where is_fx_missing

    union all

    select
        'raw_erp.costs' as source_table,
        record_key,
        'missing_fx_rate' as reason,
        {{ missing_fx_rate_detail('currency', 'cost_date') }} as detail,
        cost_date as business_date,
        _source_file as source_file,
        _source_line as source_line
    from erp_costs
    where is_fx_missing

    union all

    select
        'raw_crm.orders' as source_table,
        record_key,
        'unknown_account' as reason,
        'order ' || order_id || ' references account_id ' || coalesce(account_id, '(empty)')
        || ', which is not in raw_crm.accounts' as detail,
        order_date as business_date,
        _source_file as source_file,
        _source_line as source_line
    from orders
    where is_account_unknown

    union all

    select
        'raw_crm.orders' as source_table,
        record_key,
        'missing_fx_rate' as reason,
        {{ missing_fx_rate_detail('currency', 'order_date') }} as detail,
        order_date as business_date,
        _source_file as source_file,
        _source_line as source_line
    from orders
    where is_fx_missing

),

final as (

    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(record_key as {{ dbt.type_string() }}) as record_key,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(detail as {{ dbt.type_string() }}) as detail,
        business_date,
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(source_line as bigint) as source_line
    from unioned

)

select * from final
