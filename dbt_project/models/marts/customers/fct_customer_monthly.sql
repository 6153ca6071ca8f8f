{#-
    One row per customer and calendar month, from the month of its first confirmed order (its
    cohort month) through the month holding the data's end date: its confirmed orders in the
    month and its activity state at the month's end (docs/metrics.md#retention, #churn):
      - active at a month's end: a confirmed order in the trailing 12 months, i.e. in this
        calendar month or the 11 before it (for a month end this is the same as "an order_date
        after the same day 12 months earlier");
      - churned in a month: active at the end of the previous month and not at this one's;
      - new in a month: the cohort month; reactivated: active again after having churned.
    Months come from dim_date, so the spine ends with the data's end month. The last month is
    usually still running: its state is that of the data so far.
-#}

with

customers as (

    select * from {{ ref('dim_customer') }}

),

months as (

    select distinct month_start from {{ ref('dim_date') }}

),

monthly_orders as (

    select
        account_id,
        {{ month_start('order_date') }} as month_start,
        count(*) as orders,
        sum(revenue) as revenue,
        sum(cogs) as cogs,
        sum(gross_profit) as gross_profit
    from {{ ref('fct_orders') }}
    group by
        account_id,
        {{ month_start('order_date') }}

),

spined as (

    select
        customers.account_id,
        customers.project_code,
        customers.cohort_month,
        months.month_start,
        coalesce(monthly_orders.orders, 0) as orders,
        coalesce(monthly_orders.revenue, 0) as revenue,
        coalesce(monthly_orders.cogs, 0) as cogs,
        coalesce(monthly_orders.gross_profit, 0) as gross_profit,
        case when monthly_orders.orders > 0 then 1 else 0 end as has_order
    from customers
    inner join months
        on months.month_start >= customers.cohort_month
    left join monthly_orders
        on monthly_orders.account_id = customers.account_id
        and monthly_orders.month_start = months.month_start

),

with_activity as (

    select
        *,
        -- the spine has every month, so 11 preceding rows are the 11 preceding months
        sum(has_order) over (
            partition by account_id
            order by month_start
            rows between 11 preceding and current row
        ) > 0 as is_active_at_month_end
    from spined

),

with_previous as (

    select
        *,
        coalesce(
            lag(is_active_at_month_end) over (partition by account_id order by month_start),
            false
        ) as was_active_at_previous_month_end
    from with_activity

),

final as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(month_start as date) as month_start,
        cast(cohort_month as date) as cohort_month,
        {{ months_between('cohort_month', 'month_start') }} as month_offset,
        cast(orders as bigint) as orders,
        cast(revenue as {{ type_money() }}) as revenue,
        cast(cogs as {{ type_money() }}) as cogs,
        cast(gross_profit as {{ type_money() }}) as gross_profit,
        has_order = 1 as has_order,
        is_active_at_month_end,
        was_active_at_previous_month_end,
        month_start = cohort_month as is_new_customer,
        (was_active_at_previous_month_end and not is_active_at_month_end) as is_churned,
        (
            is_active_at_month_end
            and not was_active_at_previous_month_end
            and month_start <> cohort_month
        ) as is_reactivated
    from with_previous

)

select * from final
