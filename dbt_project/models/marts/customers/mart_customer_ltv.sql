{#-
    Lifetime value per customer (docs/metrics.md#customers): realized_ltv is the customer's
    cumulative gross profit over all its confirmed orders; predicted_ltv adds the gross profit
    it is expected to bring from now on (model: doc "predicted_ltv"):

        tenure_months        = calendar months from the cohort month through the data's end
                               month, both included (>= 1)
        avg_monthly_gp       = realized_ltv / tenure_months
        project churn rate c = churned / active-at-previous-month-end, summed over the
                               project's last 12 months of mart_churn_monthly (a pooled rate)
        remaining lifetime   = 0 for a customer no longer active at the data's end;
                               else min(1 / c, cap), and the cap when c is 0 or NULL
                               (cap: var predicted_ltv_max_lifetime_months, default 36)
        predicted_ltv        = realized_ltv + avg_monthly_gp * remaining lifetime

    Every step is exact decimal arithmetic (ratios rounded to 9 decimals by safe_divide, the
    product rounded once to 9 decimals), so the values are the same on every engine.
-#}

{%- set max_lifetime_months = var('predicted_ltv_max_lifetime_months') -%}
{%- set churn_window_months = 12 -%}

with

customers as (

    select * from {{ ref('dim_customer') }}

),

customer_months as (

    select * from {{ ref('fct_customer_monthly') }}

),

customer_totals as (

    select
        account_id,
        count(*) as tenure_months,
        max(month_start) as last_month_start,
        sum(orders) as orders,
        sum(revenue) as revenue,
        sum(cogs) as cogs,
        sum(gross_profit) as gross_profit
    from customer_months
    group by account_id

),

customer_state as (

    select
        customer_months.account_id,
        customer_months.is_active_at_month_end as is_active
    from customer_months
    inner join customer_totals
        on customer_totals.account_id = customer_months.account_id
        and customer_totals.last_month_start = customer_months.month_start

),

churn_months as (

    select
        project_code,
        active_customers_start,
        churned_customers,
        row_number() over (partition by project_code order by month_start desc) as months_back
    from {{ ref('mart_churn_monthly') }}

),

project_churn as (

    select
        project_code,
        {{ safe_divide('sum(churned_customers)', 'sum(active_customers_start)') }} as monthly_churn_rate,
        -- 1 / the churn rate, from the counts themselves (exact, see safe_divide)
        {{ safe_divide('sum(active_customers_start)', 'sum(churned_customers)') }} as expected_lifetime_months
    from churn_months
    where months_back <= {{ churn_window_months }}
    group by project_code

),

predicted as (

    select
        customers.account_id,
        customers.project_code,
        customers.acquisition_channel,
        customers.first_order_date,
        customers.cohort_month,
        customers.last_order_date,
        customer_totals.orders,
        customer_totals.revenue,
        customer_totals.cogs,
        customer_totals.gross_profit,
        customer_totals.tenure_months,
        customer_state.is_active,
        {{ safe_divide('customer_totals.gross_profit', 'customer_totals.tenure_months') }}
            as avg_monthly_gross_profit,
        project_churn.monthly_churn_rate,
        cast(
            case
                when not customer_state.is_active then 0
                when project_churn.monthly_churn_rate is null or project_churn.monthly_churn_rate = 0
                    then {{ max_lifetime_months }}
                else least(project_churn.expected_lifetime_months, {{ max_lifetime_months }})
            end
            as {{ type_money() }}
        ) as expected_remaining_months
    from customers
    inner join customer_totals
        on customer_totals.account_id = customers.account_id
    inner join customer_state
        on customer_state.account_id = customers.account_id
    left join project_churn
        on project_churn.project_code = customers.project_code

),

predicted_future as (

    select
        *,
        cast({{ multiply_money('avg_monthly_gross_profit', 'expected_remaining_months') }} as {{ type_money() }})
            as predicted_future_gross_profit
    from predicted

),

final as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(acquisition_channel as {{ dbt.type_string() }}) as acquisition_channel,
        cast(first_order_date as date) as first_order_date,
        cast(cohort_month as date) as cohort_month,
        cast(last_order_date as date) as last_order_date,
        {{ reporting_currency_column() }},
        cast(orders as bigint) as orders,
        cast(revenue as {{ type_money() }}) as revenue,
        cast(cogs as {{ type_money() }}) as cogs,
        cast(gross_profit as {{ type_money() }}) as gross_profit,
        cast(gross_profit as {{ type_money() }}) as realized_ltv,
        cast(tenure_months as integer) as tenure_months,
        is_active,
        cast(avg_monthly_gross_profit as {{ type_money() }}) as avg_monthly_gross_profit,
        cast(monthly_churn_rate as {{ type_money() }}) as project_monthly_churn_rate,
        cast(expected_remaining_months as {{ type_money() }}) as expected_remaining_lifetime_months,
        cast(predicted_future_gross_profit as {{ type_money() }}) as predicted_future_gross_profit,
        cast({{ add_money('gross_profit', 'predicted_future_gross_profit') }} as {{ type_money() }}) as predicted_ltv
    from predicted_future

)

select * from final
