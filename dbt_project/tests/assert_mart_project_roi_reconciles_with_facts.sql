{{ config(meta={'dagster': {'asset_key': ['marts_candidate', 'mart_project_roi'], 'ref': {'name': 'mart_project_roi'}}}) }}
-- For every grain, the mart's totals equal the totals of the fact tables it is built from:
-- no money, customer, lead or deal is lost to the calendar spine or counted twice.

with

mart_totals as (

    select
        period_grain,
        sum(ad_spend) as ad_spend,
        sum(erp_cost) as erp_cost,
        sum(revenue) as revenue,
        sum(cogs) as cogs,
        sum(new_customers) as new_customers,
        sum(leads) as leads,
        sum(opportunities) as opportunities,
        sum(won_deals) as won_deals
    from {{ ref('mart_project_roi') }}
    group by period_grain

),

ad_spend_total as (

    select coalesce(sum(ad_spend.spend_reporting), 0) as ad_spend
    from {{ ref('fct_ad_spend_daily') }} as ad_spend
    where ad_spend.project_code in (select projects.project_code from {{ ref('dim_project') }} as projects)

),

costs_total as (

    select coalesce(sum(amount_reporting), 0) as erp_cost
    from {{ ref('fct_costs') }}

),

orders_total as (

    select
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(cogs), 0) as cogs
    from {{ ref('fct_orders') }}

),

customers_total as (

    select count(*) as new_customers
    from {{ ref('dim_account') }} as customer_accounts
    where customer_accounts.is_customer
        and customer_accounts.project_code in (select projects.project_code from {{ ref('dim_project') }} as projects)

),

leads_total as (

    select count(*) as leads
    from {{ ref('fct_leads') }}

),

opportunities_total as (

    select
        count(*) as opportunities,
        count(case when is_won and closed_date is not null then 1 end) as won_deals
    from {{ ref('fct_opportunities') }}

),

fact_totals as (

    select
        ad_spend_total.ad_spend,
        costs_total.erp_cost,
        orders_total.revenue,
        orders_total.cogs,
        customers_total.new_customers,
        leads_total.leads,
        opportunities_total.opportunities,
        opportunities_total.won_deals
    from ad_spend_total
    cross join costs_total
    cross join orders_total
    cross join customers_total
    cross join leads_total
    cross join opportunities_total

)

select
    mart_totals.period_grain,
    mart_totals.ad_spend as mart_ad_spend,
    fact_totals.ad_spend as fact_ad_spend,
    mart_totals.revenue as mart_revenue,
    fact_totals.revenue as fact_revenue
from mart_totals
cross join fact_totals
where mart_totals.ad_spend <> fact_totals.ad_spend
    or mart_totals.erp_cost <> fact_totals.erp_cost
    or mart_totals.revenue <> fact_totals.revenue
    or mart_totals.cogs <> fact_totals.cogs
    or mart_totals.new_customers <> fact_totals.new_customers
    or mart_totals.leads <> fact_totals.leads
    or mart_totals.opportunities <> fact_totals.opportunities
    or mart_totals.won_deals <> fact_totals.won_deals
