{{ config(meta={'dagster': {'asset_key': ['marts_candidate', 'mart_customer_ltv'], 'ref': {'name': 'mart_customer_ltv'}}}) }}
-- The customer marts describe the same customers and the same money as the facts:
--   mart_customer_ltv: one row per customer of dim_customer; its revenue and realized LTV
--     add up to the revenue and gross profit of fct_orders;
--   mart_channel_ltv_cac: its customers add up to all customers, its media spend to all ad spend;
--   mart_retention_cohorts: offset 0 holds every customer once, and every cohort runs to the
--     month holding the data's end date;
--   mart_churn_monthly: every customer is new exactly once.
-- Fails with one row per check that does not hold.

with

customers as (

    select count(*) as customers from {{ ref('dim_customer') }}

),

orders as (

    select
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(gross_profit), 0) as gross_profit
    from {{ ref('fct_orders') }}

),

ad_spend as (

    select coalesce(sum(spend_reporting), 0) as media_spend
    from {{ ref('fct_ad_spend_daily') }}

),

customer_ltv as (

    select
        count(*) as customers,
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(realized_ltv), 0) as realized_ltv
    from {{ ref('mart_customer_ltv') }}

),

channel_ltv_cac as (

    select
        coalesce(sum(customers), 0) as customers,
        coalesce(sum(media_spend), 0) as media_spend
    from {{ ref('mart_channel_ltv_cac') }}

),

retention_start as (

    select coalesce(sum(cohort_customers), 0) as customers
    from {{ ref('mart_retention_cohorts') }}
    where month_offset = 0

),

data_end as (

    select max(month_start) as data_end_month from {{ ref('dim_date') }}

),

short_cohorts as (

    select count(*) as cohorts
    from (
        select
            project_code,
            cohort_month,
            max(activity_month) as last_activity_month
        from {{ ref('mart_retention_cohorts') }}
        group by project_code, cohort_month
    ) as cohorts
    cross join data_end
    where cohorts.last_activity_month <> data_end.data_end_month

),

churn_new as (

    select coalesce(sum(new_customers), 0) as customers
    from {{ ref('mart_churn_monthly') }}

),

checks as (

    select
        'mart_customer_ltv rows = customers' as check_name,
        customer_ltv.customers = customers.customers as passed
    from customer_ltv cross join customers

    union all

    select
        'mart_customer_ltv revenue = fct_orders revenue' as check_name,
        customer_ltv.revenue = orders.revenue as passed
    from customer_ltv cross join orders

    union all

    select
        'mart_customer_ltv realized_ltv = fct_orders gross_profit' as check_name,
        customer_ltv.realized_ltv = orders.gross_profit as passed
    from customer_ltv cross join orders

    union all

    select
        'mart_channel_ltv_cac customers = customers' as check_name,
        channel_ltv_cac.customers = customers.customers as passed
    from channel_ltv_cac cross join customers

    union all

    select
        'mart_channel_ltv_cac media_spend = fct_ad_spend_daily spend' as check_name,
        channel_ltv_cac.media_spend = ad_spend.media_spend as passed
    from channel_ltv_cac cross join ad_spend

    union all

    select
        'mart_retention_cohorts offset 0 = customers' as check_name,
        retention_start.customers = customers.customers as passed
    from retention_start cross join customers

    union all

    select
        'mart_retention_cohorts cohorts reach the data end month' as check_name,
        short_cohorts.cohorts = 0 as passed
    from short_cohorts

    union all

    select
        'mart_churn_monthly new customers = customers' as check_name,
        churn_new.customers = customers.customers as passed
    from churn_new cross join customers

)

select check_name
from checks
where not passed
