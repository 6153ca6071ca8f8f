{#-
    Lead response per project, channel and period of lead creation (every grain of
    period_grains()), and per project and period over all channels (channel = 'all'), as
    docs/metrics.md#lead-response defines it.
    A lead counts in the period of its created_at (UTC date). Its first follow-up is its
    earliest activity naming it (lead_id; also one that names an opportunity too), whenever it
    happened; hours_to_first_followup is (first occurred_at - created_at) between the exact UTC
    instants, 0 when the activity came first. "Within 24 hours" is judged on the exact seconds
    (<= 86,400), the median on the hours rounded to 9 decimals (mean of the two middle values
    for an even count, exact on every engine). Rows exist where leads > 0.
-#}

with

leads as (

    select * from {{ ref('fct_leads') }}

),

activities as (

    select
        lead_id,
        occurred_at
    from {{ ref('int_activities_attributed') }}
    where lead_id is not null

),

first_followups as (

    select
        lead_id,
        min(occurred_at) as first_followup_at
    from activities
    group by lead_id

),

lead_responses as (

    select
        leads.project_code,
        leads.channel,
        leads.created_date,
        first_followups.first_followup_at is not null as is_followed_up,
        case
            when first_followups.first_followup_at is null then null
            when first_followups.first_followup_at <= leads.created_at then cast(0 as {{ type_money() }})
            else {{ seconds_between('leads.created_at', 'first_followups.first_followup_at') }}
        end as seconds_to_first_followup
    from leads
    left join first_followups
        on first_followups.lead_id = leads.lead_id

),

events as (

    select
        project_code,
        channel,
        created_date as metric_date,
        1 as leads,
        case when is_followed_up then 1 else 0 end as leads_followed_up,
        case when seconds_to_first_followup <= 86400 then 1 else 0 end as followed_up_within_24h,
        cast({{ safe_divide('seconds_to_first_followup', 3600) }} as {{ type_money() }}) as hours_to_first_followup
    from lead_responses

),

channel_events as (

    select * from events

    union all

    -- the same leads once more under channel 'all': the project's totals over all channels
    select
        project_code,
        'all' as channel,
        metric_date,
        leads,
        leads_followed_up,
        followed_up_within_24h,
        hours_to_first_followup
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
        sum(leads_followed_up) as leads_followed_up,
        sum(followed_up_within_24h) as followed_up_within_24h
    from channel_events_by_period
    group by
        project_code,
        channel,
        period_grain,
        period_start

),

response_positions as (

    select
        project_code,
        channel,
        period_grain,
        period_start,
        hours_to_first_followup,
        {{ is_median_position('hours_to_first_followup', 'project_code, channel, period_grain, period_start') }} as is_median
    from channel_events_by_period
    where hours_to_first_followup is not null

),

medians as (

    -- the middle response time, or the mean of the two middle ones
    select
        project_code,
        channel,
        period_grain,
        period_start,
        {{ safe_divide('sum(hours_to_first_followup)', 'count(*)') }} as median_hours_to_first_followup
    from response_positions
    where is_median
    group by
        project_code,
        channel,
        period_grain,
        period_start

),

final as (

    select
        cast(period_counts.project_code as {{ dbt.type_string() }}) as project_code,
        cast(period_counts.channel as {{ dbt.type_string() }}) as channel,
        cast(period_counts.period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_counts.period_start as date) as period_start,
        cast(period_counts.leads as bigint) as leads,
        cast(period_counts.leads_followed_up as bigint) as leads_followed_up,
        cast(medians.median_hours_to_first_followup as {{ type_money() }}) as median_hours_to_first_followup,
        cast(period_counts.followed_up_within_24h as bigint) as followed_up_within_24h,
        cast(
            {{ safe_divide('period_counts.followed_up_within_24h', 'period_counts.leads') }}
            as {{ type_money() }}
        ) as followed_up_within_24h_rate
    from period_counts
    left join medians
        on medians.project_code = period_counts.project_code
        and medians.channel = period_counts.channel
        and medians.period_grain = period_counts.period_grain
        and medians.period_start = period_counts.period_start
    where period_counts.leads <> 0

)

select * from final
