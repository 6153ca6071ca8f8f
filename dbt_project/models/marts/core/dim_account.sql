-- One row per CRM account that counts (latest version, not deleted), with its project and
-- its first confirmed order (over all time, among the orders that count and are not
-- quarantined). An account with a first order is a customer.

with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}
    where not is_deleted

),

orders as (

    select * from {{ ref('fct_orders') }}

),

first_orders as (

    select
        account_id,
        min(order_date) as first_order_date,
        count(*) as confirmed_orders
    from orders
    group by account_id

),

final as (

    select
        accounts.account_id,
        accounts.project_code,
        accounts.country_code,
        accounts.industry,
        accounts.created_at,
        accounts.created_date,
        first_orders.first_order_date,
        coalesce(first_orders.confirmed_orders, 0) as confirmed_orders,
        first_orders.first_order_date is not null as is_customer
    from accounts
    left join first_orders
        on first_orders.account_id = accounts.account_id

)

select * from final
