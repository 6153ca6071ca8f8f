-- One row per order that counts in the marts: confirmed, not deleted, of an existing,
-- non-deleted account of a known project, and not quarantined. Money in the reporting currency.

with

orders as (

    select * from {{ ref('int_orders_converted') }}
    where not is_quarantined

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

final as (

    select
        orders.order_id,
        orders.account_id,
        orders.project_code,
        orders.opportunity_id,
        orders.order_date,
        orders.currency,
        orders.order_amount,
        orders.cost_of_goods,
        orders.fx_factor,
        orders.fx_base_currency,
        orders.fx_rate_date,
        orders.reporting_currency,
        orders.revenue,
        orders.cogs,
        orders.gross_profit
    from orders
    inner join projects
        on projects.project_code = orders.project_code

)

select * from final
