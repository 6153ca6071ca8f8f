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

fact_totals as (

    select
        (select coalesce(sum(ad_spend.spend_reporting), 0) from {{ ref('fct_ad_spend_daily') }} as ad_spend
            where ad_spend.project_code in (select projects.project_code from {{ ref('dim_project') }} as projects)) as ad_spend,
        (select coalesce(sum(amount_reporting), 0) from {{ ref('fct_costs') }}) as erp_cost,
        (select coalesce(sum(revenue), 0) from {{ ref('fct_orders') }}) as revenue,
        (select coalesce(sum(cogs), 0) from {{ ref('fct_orders') }}) as cogs,
        (select count(*) from {{ ref('dim_account') }} as accounts
            where accounts.is_customer
                and accounts.project_code in (select projects.project_code from {{ ref('dim_project') }} as projects)) as new_customers,
        (select count(*) from {{ ref('fct_leads') }}) as leads,
        (select count(*) from {{ ref('fct_opportunities') }}) as opportunities,
        (select count(*) from {{ ref('fct_opportunities') }}
            where is_won and closed_date is not null) as won_deals

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
