-- One row per CRM account that counts (latest version, not deleted), with its project, its
-- acquisition channel and its confirmed orders (over all time, among the orders that count:
-- not quarantined, project known). An account with a first order is a customer.

with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}
    where not is_deleted

),

channels as (

    select * from {{ ref('int_accounts_channel_attributed') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

order_summary as (

    select
        account_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as confirmed_orders
    from orders
    group by account_id

),

final as (

    select
        cast(accounts.account_id as {{ dbt.type_string() }}) as account_id,
        cast(accounts.project_code as {{ dbt.type_string() }}) as project_code,
        cast(accounts.country_code as {{ dbt.type_string() }}) as country_code,
        cast(accounts.industry as {{ dbt.type_string() }}) as industry,
        cast(accounts.created_at as {{ type_timestamp() }}) as created_at,
        cast(accounts.created_date as date) as created_date,
        cast(channels.acquisition_channel as {{ dbt.type_string() }}) as acquisition_channel,
        cast(channels.acquisition_lead_id as {{ dbt.type_string() }}) as acquisition_lead_id,
        cast(order_summary.first_order_date as date) as first_order_date,
        cast(order_summary.last_order_date as date) as last_order_date,
        cast(coalesce(order_summary.confirmed_orders, 0) as bigint) as confirmed_orders,
        order_summary.first_order_date is not null as is_customer
    from accounts
    left join channels
        on channels.account_id = accounts.account_id
    left join order_summary
        on order_summary.account_id = accounts.account_id

)

select * from final
