{#-
    Customer service per project and period (ISO week, month, quarter), METRICS.md "Service":
    tickets_opened by opened_at, tickets_resolved by resolved_at (UTC dates);
    median_resolution_hours (opened_at to resolved_at, exact instants) and avg_satisfaction
    (non-empty ratings only) over the tickets resolved in the period.
    Rows exist where at least one count is non-zero; NULL where there is nothing to average.
-#}

{%- set grains = ['week', 'month', 'quarter'] -%}

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
        cast(null as {{ type_double() }}) as resolution_hours,
        cast(null as bigint) as satisfaction
    from tickets

    union all

    select
        project_code,
        resolved_date as metric_date,
        0 as tickets_opened,
        1 as tickets_resolved,
        resolution_hours,
        satisfaction
    from tickets
    where resolved_date is not null

),

period_metrics as (

    {% for grain in grains -%}
    select
        project_code,
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'metric_date') }} as period_start,
        sum(tickets_opened) as tickets_opened,
        sum(tickets_resolved) as tickets_resolved,
        {{ median('resolution_hours') }} as median_resolution_hours,
        count(satisfaction) as rated_tickets,
        sum(satisfaction) as satisfaction_sum
    from events
    group by
        project_code,
        {{ period_start(grain, 'metric_date') }}
    {% if not loop.last %}
    union all

    {% endif -%}
    {%- endfor %}

),

final as (

    select
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_start as date) as period_start,
        cast(tickets_opened as bigint) as tickets_opened,
        cast(tickets_resolved as bigint) as tickets_resolved,
        cast(median_resolution_hours as {{ type_money() }}) as median_resolution_hours,
        cast(rated_tickets as bigint) as rated_tickets,
        cast({{ safe_divide('satisfaction_sum', 'rated_tickets') }} as {{ type_money() }}) as avg_satisfaction
    from period_metrics
    where tickets_opened <> 0
        or tickets_resolved <> 0

)

select * from final
