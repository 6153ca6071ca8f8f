{{ config(meta={'dagster': {'asset_key': ['marts_candidate', 'mart_ad_performance'], 'ref': {'name': 'mart_ad_performance'}}}) }}
-- For every grain, mart_ad_performance holds each ad-spend row of fct_ad_spend_daily once (its
-- spend, impressions and clicks add up to the fact's totals) and each lead of a paid channel
-- with a campaign_id once (leads, leads_with_opportunity and customers add up to fct_leads').
-- Fails with the grains whose totals differ.

with

mart_totals as (

    select
        period_grain,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(leads) as leads,
        sum(leads_with_opportunity) as leads_with_opportunity,
        sum(customers) as customers
    from {{ ref('mart_ad_performance') }}
    group by period_grain

),

spend_totals as (

    select
        coalesce(sum(spend_reporting), 0) as spend,
        coalesce(sum(impressions), 0) as impressions,
        coalesce(sum(clicks), 0) as clicks
    from {{ ref('fct_ad_spend_daily') }}

),

lead_totals as (

    select
        count(*) as leads,
        sum(case when has_opportunity then 1 else 0 end) as leads_with_opportunity,
        sum(case when is_converted then 1 else 0 end) as customers
    from {{ ref('fct_leads') }}
    where channel in ('google_ads', 'meta_ads', 'linkedin_ads')
        and campaign_id is not null

)

select
    mart_totals.period_grain,
    mart_totals.spend,
    spend_totals.spend as fact_spend,
    mart_totals.impressions,
    spend_totals.impressions as fact_impressions,
    mart_totals.clicks,
    spend_totals.clicks as fact_clicks,
    mart_totals.leads,
    lead_totals.leads as fact_leads
from mart_totals
cross join spend_totals
cross join lead_totals
where mart_totals.spend <> spend_totals.spend
    or mart_totals.impressions <> spend_totals.impressions
    or mart_totals.clicks <> spend_totals.clicks
    or mart_totals.leads <> lead_totals.leads
    or mart_totals.leads_with_opportunity <> coalesce(lead_totals.leads_with_opportunity, 0)
    or mart_totals.customers <> coalesce(lead_totals.customers, 0)
