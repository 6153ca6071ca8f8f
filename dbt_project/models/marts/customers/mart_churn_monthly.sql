-- Customer churn per project and calendar month (docs/metrics.md#churn, for the report): customers
-- active at the end of the previous month and at this month's end, the new, reactivated and
-- churned ones, and churn_rate = churned / active at the end of the previous month (NULL when
-- no customer was active). Rows from the month of the project's first customer through the
-- month holding the data's end date.

with

customer_months as (

    select * from {{ ref('fct_customer_monthly') }}

),

data_end as (

    select max(month_start) as data_end_month
    from {{ ref('dim_date') }}

),

counted as (

    select
        project_code,
        month_start,
        sum(case when was_active_at_previous_month_end then 1 else 0 end) as active_customers_start,
        sum(case when is_new_customer then 1 else 0 end) as new_customers,
        sum(case when is_reactivated then 1 else 0 end) as reactivated_customers,
        sum(case when is_churned then 1 else 0 end) as churned_customers,
        sum(case when is_active_at_month_end then 1 else 0 end) as active_customers_end
    from customer_months
    group by
        project_code,
        month_start

),

final as (

    select
        cast(counted.project_code as {{ dbt.type_string() }}) as project_code,
        cast(counted.month_start as date) as month_start,
        cast(counted.active_customers_start as bigint) as active_customers_start,
        cast(counted.new_customers as bigint) as new_customers,
        cast(counted.reactivated_customers as bigint) as reactivated_customers,
        cast(counted.churned_customers as bigint) as churned_customers,
        cast(counted.active_customers_end as bigint) as active_customers_end,
        cast(
            {{ safe_divide('counted.churned_customers', 'counted.active_customers_start') }}
            as {{ type_money() }}
        ) as churn_rate,
        coalesce(counted.month_start = data_end.data_end_month, false) as is_data_end_month
    from counted
    cross join data_end

)

select * from final
