{#-
    What churned customers did differently from retained ones, per project, month and customer
    group (docs/metrics.md#churn-drivers). For month M:
      - churned: customers churned in M, retained: customers active at the end of both M - 1 and
        M, exactly as fct_customer_monthly (and so mart_churn_monthly) defines them (active at a
        month's end: a confirmed order in that month or the 11 before it);
      - each customer is looked at over the same window: the 12 calendar months ending on the
        last day of M - 1 (window_start = M - 12 months through window_end = M - 1 day);
      - tickets by UTC opened date in the window for tickets_per_customer and
        customers_with_ticket_rate; by UTC resolved date in the window for avg_satisfaction
        (non-empty ratings) and median_resolution_hours (exact hours, exact median);
      - confirmed orders (fct_orders, reporting currency) by order_date in the window for
        orders_per_customer and avg_order_value.
    One row per (project, month, group) with at least one customer. Orders and tickets are
    joined to the (customer, month) pairs by their account and a date range, so the work grows
    with orders × 12 and tickets × 12, never with customers × months × all orders.
-#}

with

customer_months as (

    select * from {{ ref('fct_customer_monthly') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

grouped_customers as (

    -- one row per customer and month in which it churned or was retained
    select
        account_id,
        project_code,
        month_start,
        case when is_churned then 'churned' else 'retained' end as customer_group,
        cast({{ dbt.dateadd('month', -12, 'month_start') }} as date) as window_start,
        {{ add_days('month_start', -1) }} as window_end
    from customer_months
    where is_churned
        or (was_active_at_previous_month_end and is_active_at_month_end)

),

customer_tickets_opened as (

    select
        grouped_customers.account_id,
        grouped_customers.month_start,
        count(*) as tickets_opened
    from grouped_customers
    inner join tickets
        on tickets.account_id = grouped_customers.account_id
        and tickets.opened_date >= grouped_customers.window_start
        and tickets.opened_date <= grouped_customers.window_end
    group by
        grouped_customers.account_id,
        grouped_customers.month_start

),

customer_orders as (

    select
        grouped_customers.account_id,
        grouped_customers.month_start,
        count(*) as orders,
        sum(orders.revenue) as order_revenue
    from grouped_customers
    inner join orders
        on orders.account_id = grouped_customers.account_id
        and orders.order_date >= grouped_customers.window_start
        and orders.order_date <= grouped_customers.window_end
    group by
        grouped_customers.account_id,
        grouped_customers.month_start

),

tickets_resolved as (

    -- exact hours (not fct_tickets' DOUBLE resolution_hours), so the median is the same on
    -- every engine
    select
        grouped_customers.project_code,
        grouped_customers.month_start,
        grouped_customers.customer_group,
        {{ safe_divide(seconds_between('tickets.opened_at', 'tickets.resolved_at'), 3600) }} as resolution_hours,
        tickets.satisfaction
    from grouped_customers
    inner join tickets
        on tickets.account_id = grouped_customers.account_id
        and tickets.resolved_date >= grouped_customers.window_start
        and tickets.resolved_date <= grouped_customers.window_end

),

group_customers as (

    select
        grouped_customers.project_code,
        grouped_customers.month_start,
        grouped_customers.customer_group,
        min(grouped_customers.window_start) as window_start,
        min(grouped_customers.window_end) as window_end,
        count(*) as customers,
        sum(coalesce(customer_tickets_opened.tickets_opened, 0)) as tickets_opened,
        sum(case when customer_tickets_opened.tickets_opened > 0 then 1 else 0 end) as customers_with_ticket,
        sum(coalesce(customer_orders.orders, 0)) as orders,
        sum(coalesce(customer_orders.order_revenue, 0)) as order_revenue
    from grouped_customers
    left join customer_tickets_opened
        on customer_tickets_opened.account_id = grouped_customers.account_id
        and customer_tickets_opened.month_start = grouped_customers.month_start
    left join customer_orders
        on customer_orders.account_id = grouped_customers.account_id
        and customer_orders.month_start = grouped_customers.month_start
    group by
        grouped_customers.project_code,
        grouped_customers.month_start,
        grouped_customers.customer_group

),

group_resolutions as (

    select
        project_code,
        month_start,
        customer_group,
        count(*) as tickets_resolved,
        count(satisfaction) as rated_tickets,
        sum(satisfaction) as satisfaction_sum
    from tickets_resolved
    group by
        project_code,
        month_start,
        customer_group

),

resolution_positions as (

    select
        project_code,
        month_start,
        customer_group,
        resolution_hours,
        {{ is_median_position('resolution_hours', 'project_code, month_start, customer_group') }} as is_median
    from tickets_resolved
    where resolution_hours is not null

),

medians as (

    -- the middle resolution time, or the mean of the two middle ones
    select
        project_code,
        month_start,
        customer_group,
        {{ safe_divide('sum(resolution_hours)', 'count(*)') }} as median_resolution_hours
    from resolution_positions
    where is_median
    group by
        project_code,
        month_start,
        customer_group

),

final as (

    select
        cast(group_customers.project_code as {{ dbt.type_string() }}) as project_code,
        -- the BI contract's name for the month (a DATE, its first day)
        cast(group_customers.month_start as date) as month,  -- noqa: RF04
        cast(group_customers.customer_group as {{ dbt.type_string() }}) as customer_group,
        cast(group_customers.window_start as date) as window_start,
        cast(group_customers.window_end as date) as window_end,
        {{ reporting_currency_column() }},
        cast(group_customers.customers as bigint) as customers,
        cast(group_customers.tickets_opened as bigint) as tickets_opened,
        cast(
            {{ safe_divide('group_customers.tickets_opened', 'group_customers.customers') }}
            as {{ type_money() }}
        ) as tickets_per_customer,
        cast(group_customers.customers_with_ticket as bigint) as customers_with_ticket,
        cast(
            {{ safe_divide('group_customers.customers_with_ticket', 'group_customers.customers') }}
            as {{ type_money() }}
        ) as customers_with_ticket_rate,
        cast(coalesce(group_resolutions.tickets_resolved, 0) as bigint) as tickets_resolved,
        cast(coalesce(group_resolutions.rated_tickets, 0) as bigint) as rated_tickets,
        cast(
            {{ safe_divide('group_resolutions.satisfaction_sum', 'group_resolutions.rated_tickets') }}
            as {{ type_money() }}
        ) as avg_satisfaction,
        cast(medians.median_resolution_hours as {{ type_money() }}) as median_resolution_hours,
        cast(group_customers.orders as bigint) as orders,
        cast(
            {{ safe_divide('group_customers.orders', 'group_customers.customers') }}
            as {{ type_money() }}
        ) as orders_per_customer,
        cast(group_customers.order_revenue as {{ type_money() }}) as order_revenue,
        cast(
            {{ safe_divide('group_customers.order_revenue', 'group_customers.orders') }}
            as {{ type_money() }}
        ) as avg_order_value
    from group_customers
    left join group_resolutions
        on group_resolutions.project_code = group_customers.project_code
        and group_resolutions.month_start = group_customers.month_start
        and group_resolutions.customer_group = group_customers.customer_group
    left join medians
        on medians.project_code = group_customers.project_code
        and medians.month_start = group_customers.month_start
        and medians.customer_group = group_customers.customer_group

)

select * from final
