{{ config(meta={'dagster': {'asset_key': ['marts_candidate', 'mart_lead_response'], 'ref': {'name': 'mart_lead_response'}}}) }}
-- mart_lead_response adds up: for every project, grain and period, the `all` row equals the sum
-- of the channel rows (leads, leads_followed_up, followed_up_within_24h), and every row's leads
-- equal mart_funnel's leads of the same project, channel (or `all`), grain and period; neither
-- mart has a key with leads that the other lacks. Fails with the keys that disagree.

with

lead_response as (

    select * from {{ ref('mart_lead_response') }}

),

channel_sums as (

    select
        project_code,
        period_grain,
        period_start,
        sum(leads) as leads,
        sum(leads_followed_up) as leads_followed_up,
        sum(followed_up_within_24h) as followed_up_within_24h
    from lead_response
    where channel <> 'all'
    group by project_code, period_grain, period_start

),

all_channels as (

    select * from lead_response
    where channel = 'all'

),

all_compared as (

    select
        coalesce(all_channels.project_code, channel_sums.project_code) as project_code,
        cast('all' as {{ dbt.type_string() }}) as channel,
        coalesce(all_channels.period_grain, channel_sums.period_grain) as period_grain,
        coalesce(all_channels.period_start, channel_sums.period_start) as period_start,
        cast('all row <> sum of channel rows' as {{ dbt.type_string() }}) as problem
    from all_channels
    full outer join channel_sums
        on channel_sums.project_code = all_channels.project_code
        and channel_sums.period_grain = all_channels.period_grain
        and channel_sums.period_start = all_channels.period_start
    where all_channels.leads is null
        or channel_sums.leads is null
        or all_channels.leads <> channel_sums.leads
        or all_channels.leads_followed_up <> channel_sums.leads_followed_up
        or all_channels.followed_up_within_24h <> channel_sums.followed_up_within_24h

),

funnel as (

    select * from {{ ref('mart_funnel') }}
    where leads > 0

),

funnel_compared as (

    select
        coalesce(lead_response.project_code, funnel.project_code) as project_code,
        coalesce(lead_response.channel, funnel.channel) as channel,
        coalesce(lead_response.period_grain, funnel.period_grain) as period_grain,
        coalesce(lead_response.period_start, funnel.period_start) as period_start,
        cast('leads <> mart_funnel leads' as {{ dbt.type_string() }}) as problem
    from lead_response
    full outer join funnel
        on funnel.project_code = lead_response.project_code
        and funnel.channel = lead_response.channel
        and funnel.period_grain = lead_response.period_grain
        and funnel.period_start = lead_response.period_start
    where lead_response.leads is null
        or funnel.leads is null
        or lead_response.leads <> funnel.leads

)

select * from all_compared

union all

select * from funnel_compared
