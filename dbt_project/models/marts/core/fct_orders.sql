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
        cast(orders.order_id as {{ dbt.type_string() }}) as order_id,
        cast(orders.account_id as {{ dbt.type_string() }}) as account_id,
        cast(orders.project_code as {{ dbt.type_string() }}) as project_code,
        cast(orders.opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(orders.order_date as date) as order_date,
        cast(orders.currency as {{ dbt.type_string() }}) as currency,
        cast(orders.order_amount as {{ type_money() }}) as order_amount,
        cast(orders.cost_of_goods as {{ type_money() }}) as cost_of_goods,
        cast(orders.fx_factor as {{ type_double() }}) as fx_factor,
        cast(orders.fx_base_currency as {{ dbt.type_string() }}) as fx_base_currency,
        cast(orders.fx_rate_date as date) as fx_rate_date,
        cast(orders.reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
        cast(orders.revenue as {{ type_money() }}) as revenue,
        cast(orders.cogs as {{ type_money() }}) as cogs,
        cast(orders.gross_profit as {{ type_money() }}) as gross_profit
    from orders
    inner join projects
        on projects.project_code = orders.project_code

)

select * from final
