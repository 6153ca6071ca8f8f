{#-
    Sales rep performance per project, owner and period (ISO week, month, quarter, half-year,
    year), as docs/metrics.md#sales-reps defines it. A rep's opportunities are the
    opportunities that count (fct_opportunities: not deleted, of an existing non-deleted
    account of a known project) with that owner_id; an empty or blank owner_id is the owner
    'unassigned'. Per rep:
      - opportunities by created_at, won and lost deals by closed_at (UTC dates), win_rate and
        avg_sales_cycle_days as in mart_funnel;
      - revenue and gross_profit of the orders that count (fct_orders: confirmed, reporting
        currency) whose opportunity_id is one of the rep's opportunities, by order_date, in the
        order's own project (where mart_project_roi books it);
      - activities that count (int_activities_attributed) naming one of the rep's opportunities,
        by occurred_at (UTC date), in the opportunity's project.
    Orders and activities without an opportunity_id, or naming an opportunity that does not
    count (deleted, of a deleted account, unknown), belong to no rep.
    Rows exist where at least one of the counts or sums is non-zero; ratios are NULL on a zero
    denominator.
-#}

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

opportunity_owners as (

    select
        opportunity_id,
        owner_id
    from {{ ref('int_opportunities_attributed') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

activities as (

    select * from {{ ref('int_activities_attributed') }}

),

rep_opportunities as (

    -- an empty (or blank) owner is the owner 'unassigned'
    select
        opportunities.opportunity_id,
        opportunities.project_code,
        coalesce({{ clean_string('opportunity_owners.owner_id') }}, 'unassigned') as owner_id,
        opportunities.created_date,
        opportunities.closed_date,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.sales_cycle_seconds
    from opportunities
    inner join opportunity_owners
        on opportunity_owners.opportunity_id = opportunities.opportunity_id

),

events as (

    select
        project_code,
        owner_id,
        created_date as metric_date,
        1 as opportunities,
        0 as won_deals,
        0 as lost_deals,
        cast(0 as {{ type_money() }}) as won_sales_cycle_seconds,
        cast(0 as {{ type_money() }}) as revenue,
        cast(0 as {{ type_money() }}) as gross_profit,
        0 as activities
    from rep_opportunities

    union all

    select
        project_code,
        owner_id,
        closed_date as metric_date,
        0 as opportunities,
        case when is_won then 1 else 0 end as won_deals,
        case when is_lost then 1 else 0 end as lost_deals,
        cast(case when is_won then sales_cycle_seconds else 0 end as {{ type_money() }}) as won_sales_cycle_seconds,
        cast(0 as {{ type_money() }}) as revenue,
        cast(0 as {{ type_money() }}) as gross_profit,
        0 as activities
    from rep_opportunities
    where closed_date is not null
        and (is_won or is_lost)

    union all

    -- an order counts in its own (its account's) project, as in mart_project_roi
    select
        orders.project_code,
        rep_opportunities.owner_id,
        orders.order_date as metric_date,
        0 as opportunities,
        0 as won_deals,
        0 as lost_deals,
        cast(0 as {{ type_money() }}) as won_sales_cycle_seconds,
        cast(orders.revenue as {{ type_money() }}) as revenue,
        cast(orders.gross_profit as {{ type_money() }}) as gross_profit,
        0 as activities
    from orders
    inner join rep_opportunities
        on rep_opportunities.opportunity_id = orders.opportunity_id

    union all

    select
        rep_opportunities.project_code,
        rep_opportunities.owner_id,
        activities.occurred_date as metric_date,
        0 as opportunities,
        0 as won_deals,
        0 as lost_deals,
        cast(0 as {{ type_money() }}) as won_sales_cycle_seconds,
        cast(0 as {{ type_money() }}) as revenue,
        cast(0 as {{ type_money() }}) as gross_profit,
        1 as activities
    from activities
    inner join rep_opportunities
        on rep_opportunities.opportunity_id = activities.opportunity_id

),

events_by_period as (

    {{ in_every_grain('events', {'period_start': 'metric_date'}) }}

),

period_metrics as (

    select
        project_code,
        owner_id,
        period_grain,
        period_start,
        sum(opportunities) as opportunities,
        sum(won_deals) as won_deals,
        sum(lost_deals) as lost_deals,
        sum(won_sales_cycle_seconds) as won_sales_cycle_seconds,
        sum(revenue) as revenue,
        sum(gross_profit) as gross_profit,
        sum(activities) as activities
    from events_by_period
    group by
        project_code,
        owner_id,
        period_grain,
        period_start

),

final as (

    select
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_start as date) as period_start,
        {{ reporting_currency_column() }},
        cast(opportunities as bigint) as opportunities,
        cast(won_deals as bigint) as won_deals,
        cast(lost_deals as bigint) as lost_deals,
        cast({{ safe_divide('won_deals', 'won_deals + lost_deals') }} as {{ type_money() }}) as win_rate,
        cast({{ safe_divide('won_sales_cycle_seconds', 'won_deals * 86400') }} as {{ type_money() }}) as avg_sales_cycle_days,
        cast(revenue as {{ type_money() }}) as revenue,
        cast(gross_profit as {{ type_money() }}) as gross_profit,
        cast(activities as bigint) as activities
    from period_metrics
    where opportunities <> 0
        or won_deals <> 0
        or lost_deals <> 0
        or revenue <> 0
        or gross_profit <> 0
        or activities <> 0

)

select * from final
