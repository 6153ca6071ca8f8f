{#-
    The sales funnel per project, channel and period (ISO week, month, quarter, half-year, year), and per
    project and period over all channels (channel = 'all'), as docs/metrics.md#funnel defines it.
    A lead is in its own channel; an opportunity in its lead's channel, else its account's
    acquisition channel (fct_opportunities.channel). Leads and opportunities fall in the period
    of their created_at (UTC date), won and lost deals in that of their closed_at.
    Rows exist where at least one count is non-zero; ratios are NULL on a zero denominator.
-#}

with

leads as (

    select * from {{ ref('fct_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

events as (

    select
        project_code,
        channel,
        created_date as metric_date,
        1 as leads,
        case when has_opportunity then 1 else 0 end as leads_with_opportunity,
        0 as opportunities,
        0 as won_deals,
        0 as lost_deals,
        cast(0 as {{ type_money() }}) as won_sales_cycle_seconds
    from leads

    union all

    select
        project_code,
        channel,
        created_date as metric_date,
        0 as leads,
        0 as leads_with_opportunity,
        1 as opportunities,
        0 as won_deals,
        0 as lost_deals,
        cast(0 as {{ type_money() }}) as won_sales_cycle_seconds
    from opportunities

    union all

    select
        project_code,
        channel,
        closed_date as metric_date,
        0 as leads,
        0 as leads_with_opportunity,
        0 as opportunities,
        case when is_won then 1 else 0 end as won_deals,
        case when is_lost then 1 else 0 end as lost_deals,
        cast(case when is_won then sales_cycle_seconds else 0 end as {{ type_money() }}) as won_sales_cycle_seconds
    from opportunities
    where closed_date is not null
        and (is_won or is_lost)

),

channel_events as (

    select * from events

    union all

    -- the same events once more under channel 'all': the project's totals over all channels
    select
        project_code,
        'all' as channel,
        metric_date,
        leads,
        leads_with_opportunity,
        opportunities,
        won_deals,
        lost_deals,
        won_sales_cycle_seconds
    from events

),

channel_events_by_period as (

    {{ in_every_grain('channel_events', {'period_start': 'metric_date'}) }}

),

period_counts as (

    select
        project_code,
        channel,
        period_grain,
        period_start,
        sum(leads) as leads,
        sum(leads_with_opportunity) as leads_with_opportunity,
        sum(opportunities) as opportunities,
        sum(won_deals) as won_deals,
        sum(lost_deals) as lost_deals,
        sum(won_sales_cycle_seconds) as won_sales_cycle_seconds
    from channel_events_by_period
    group by
        project_code,
        channel,
        period_grain,
        period_start

),

final as (

    select
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_start as date) as period_start,
        cast(leads as bigint) as leads,
        cast(leads_with_opportunity as bigint) as leads_with_opportunity,
        cast({{ safe_divide('leads_with_opportunity', 'leads') }} as {{ type_money() }}) as lead_to_opportunity_rate,
        cast(opportunities as bigint) as opportunities,
        cast(won_deals as bigint) as won_deals,
        cast(lost_deals as bigint) as lost_deals,
        cast({{ safe_divide('won_deals', 'won_deals + lost_deals') }} as {{ type_money() }}) as win_rate,
        cast({{ safe_divide('won_sales_cycle_seconds', 'won_deals * 86400') }} as {{ type_money() }}) as avg_sales_cycle_days
    from period_counts
    where leads <> 0
        or leads_with_opportunity <> 0
        or opportunities <> 0
        or won_deals <> 0
        or lost_deals <> 0

)

select * from final
