{{ config(meta={'dagster': {'asset_key': ['marts_candidate', 'mart_funnel'], 'ref': {'name': 'mart_funnel'}}}) }}
-- mart_funnel adds up: for every project, grain and period, the `all` row equals the sum of the
-- channel rows, and its counts equal those of mart_project_roi (the same leads, opportunities
-- and deals); mart_project_roi has no period with funnel activity that mart_funnel lacks.
-- Fails with the periods that disagree.

with

funnel as (

    select * from {{ ref('mart_funnel') }}

),

channel_sums as (

    select
        project_code,
        period_grain,
        period_start,
        sum(leads) as leads,
        sum(leads_with_opportunity) as leads_with_opportunity,
        sum(opportunities) as opportunities,
        sum(won_deals) as won_deals,
        sum(lost_deals) as lost_deals
    from funnel
    where channel <> 'all'
    group by project_code, period_grain, period_start

),

all_channels as (

    select * from funnel
    where channel = 'all'

),

project_roi as (

    select * from {{ ref('mart_project_roi') }}
    where leads + opportunities + won_deals + lost_deals > 0

),

compared as (

    select
        coalesce(all_channels.project_code, channel_sums.project_code, project_roi.project_code) as project_code,
        coalesce(all_channels.period_grain, channel_sums.period_grain, project_roi.period_grain) as period_grain,
        coalesce(all_channels.period_start, channel_sums.period_start, project_roi.period_start) as period_start,
        all_channels.leads as all_leads,
        channel_sums.leads as channel_leads,
        project_roi.leads as roi_leads,
        all_channels.opportunities as all_opportunities,
        channel_sums.opportunities as channel_opportunities,
        project_roi.opportunities as roi_opportunities,
        all_channels.won_deals as all_won_deals,
        channel_sums.won_deals as channel_won_deals,
        project_roi.won_deals as roi_won_deals,
        all_channels.lost_deals as all_lost_deals,
        channel_sums.lost_deals as channel_lost_deals,
        project_roi.lost_deals as roi_lost_deals,
        all_channels.leads_with_opportunity as all_leads_with_opportunity,
        channel_sums.leads_with_opportunity as channel_leads_with_opportunity
    from all_channels
    full outer join channel_sums
        on channel_sums.project_code = all_channels.project_code
        and channel_sums.period_grain = all_channels.period_grain
        and channel_sums.period_start = all_channels.period_start
    full outer join project_roi
        on project_roi.project_code = coalesce(all_channels.project_code, channel_sums.project_code)
        and project_roi.period_grain = coalesce(all_channels.period_grain, channel_sums.period_grain)
        and project_roi.period_start = coalesce(all_channels.period_start, channel_sums.period_start)

)

select *
from compared
where all_leads is null
    or channel_leads is null
    or roi_leads is null
    or all_leads <> channel_leads
    or all_leads <> roi_leads
    or all_opportunities <> channel_opportunities
    or all_opportunities <> roi_opportunities
    or all_won_deals <> channel_won_deals
    or all_won_deals <> roi_won_deals
    or all_lost_deals <> channel_lost_deals
    or all_lost_deals <> roi_lost_deals
    or all_leads_with_opportunity <> channel_leads_with_opportunity
