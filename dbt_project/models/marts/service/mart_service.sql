{#-
    Customer service per project and period (ISO week, month, quarter, half-year, year), docs/metrics.md#service:
    tickets_opened by opened_at, tickets_resolved by resolved_at (UTC dates);
    median_resolution_hours (opened_at to resolved_at, exact instants, an exact median of the
    hours rounded to 9 decimals) and avg_satisfaction
    (non-empty ratings only) over the tickets resolved in the period.
    Rows exist where at least one count is non-zero; NULL where there is nothing to average.
-#}

with

tickets as (

    select * from {{ ref('fct_tickets') }}

),

events as (

    select
        project_code,
        opened_date as metric_date,
        1 as tickets_opened,
        0 as tickets_resolved,
        cast(null as {{ type_money() }}) as resolution_hours,
        cast(null as bigint) as satisfaction
    from tickets

    union all

    -- exact hours (not fct_tickets' DOUBLE resolution_hours), so the median is the same on
    -- every engine
    select
        project_code,
        resolved_date as metric_date,
        0 as tickets_opened,
        1 as tickets_resolved,
        {{ safe_divide(seconds_between('opened_at', 'resolved_at'), 3600) }} as resolution_hours,
        satisfaction
    from tickets
    where resolved_date is not null

),

period_events as (

    {{ in_every_grain('events', {'period_start': 'metric_date'}) }}

),

period_metrics as (

    select
        project_code,
        period_grain,
        period_start,
        sum(tickets_opened) as tickets_opened,
        sum(tickets_resolved) as tickets_resolved,
        count(satisfaction) as rated_tickets,
        sum(satisfaction) as satisfaction_sum
    from period_events
    group by
        project_code,
        period_grain,
        period_start

),

resolution_positions as (

    select
        project_code,
        period_grain,
        period_start,
        resolution_hours,
        {{ is_median_position('resolution_hours', 'project_code, period_grain, period_start') }} as is_median
    from period_events
    where resolution_hours is not null

),

medians as (

    -- the middle resolution time, or the mean of the two middle ones
    select
        project_code,
        period_grain,
        period_start,
        {{ safe_divide('sum(resolution_hours)', 'count(*)') }} as median_resolution_hours
    from resolution_positions
    where is_median
    group by
        project_code,
        period_grain,
        period_start

),

final as (

    select
        cast(period_metrics.project_code as {{ dbt.type_string() }}) as project_code,
        cast(period_metrics.period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_metrics.period_start as date) as period_start,
        cast(period_metrics.tickets_opened as bigint) as tickets_opened,
        cast(period_metrics.tickets_resolved as bigint) as tickets_resolved,
        cast(medians.median_resolution_hours as {{ type_money() }}) as median_resolution_hours,
        cast(period_metrics.rated_tickets as bigint) as rated_tickets,
        cast(
            {{ safe_divide('period_metrics.satisfaction_sum', 'period_metrics.rated_tickets') }}
            as {{ type_money() }}
        ) as avg_satisfaction
    from period_metrics
    left join medians
        on medians.project_code = period_metrics.project_code
        and medians.period_grain = period_metrics.period_grain
        and medians.period_start = period_metrics.period_start
    where period_metrics.tickets_opened <> 0
        or period_metrics.tickets_resolved <> 0

)

select * from final
