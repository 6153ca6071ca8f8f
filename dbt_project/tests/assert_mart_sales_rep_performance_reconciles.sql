{{ config(meta={'dagster': {
    'asset_key': ['marts_candidate', 'mart_sales_rep_performance'],
    'ref': {'name': 'mart_sales_rep_performance'},
}}) }}
-- mart_sales_rep_performance adds up: for every project, grain and period,
--   - the reps' opportunities, won and lost deals add up to mart_funnel's `all` row (every
--     opportunity that counts has exactly one owner, `unassigned` included);
--   - the reps' revenue never exceeds the project's revenue in mart_project_roi (orders without
--     a rep's opportunity count only there);
-- and for every grain the reps' revenue and gross profit add up to those of the orders that
-- name an opportunity that counts (fct_orders x fct_opportunities): none lost, none twice.
-- Fails with the periods or grains that disagree.

with

reps as (

    select * from {{ ref('mart_sales_rep_performance') }}

),

rep_sums as (

    select
        project_code,
        period_grain,
        period_start,
        sum(opportunities) as opportunities,
        sum(won_deals) as won_deals,
        sum(lost_deals) as lost_deals,
        sum(revenue) as revenue
    from reps
    group by project_code, period_grain, period_start

),

funnel as (

    select * from {{ ref('mart_funnel') }}
    where channel = 'all'

),

project_roi as (

    select * from {{ ref('mart_project_roi') }}

),

period_checks as (

    select
        coalesce(rep_sums.project_code, funnel.project_code) as project_code,
        coalesce(rep_sums.period_grain, funnel.period_grain) as period_grain,
        coalesce(rep_sums.period_start, funnel.period_start) as period_start,
        coalesce(rep_sums.opportunities, 0) as rep_opportunities,
        coalesce(funnel.opportunities, 0) as funnel_opportunities,
        coalesce(rep_sums.won_deals, 0) as rep_won_deals,
        coalesce(funnel.won_deals, 0) as funnel_won_deals,
        coalesce(rep_sums.lost_deals, 0) as rep_lost_deals,
        coalesce(funnel.lost_deals, 0) as funnel_lost_deals,
        coalesce(rep_sums.revenue, 0) as rep_revenue,
        project_roi.revenue as project_revenue
    from rep_sums
    full outer join funnel
        on funnel.project_code = rep_sums.project_code
        and funnel.period_grain = rep_sums.period_grain
        and funnel.period_start = rep_sums.period_start
    left join project_roi
        on project_roi.project_code = coalesce(rep_sums.project_code, funnel.project_code)
        and project_roi.period_grain = coalesce(rep_sums.period_grain, funnel.period_grain)
        and project_roi.period_start = coalesce(rep_sums.period_start, funnel.period_start)

),

period_failures as (

    select
        project_code,
        period_grain,
        period_start,
        'counts or revenue disagree with mart_funnel / mart_project_roi' as problem
    from period_checks
    where rep_opportunities <> funnel_opportunities
        or rep_won_deals <> funnel_won_deals
        or rep_lost_deals <> funnel_lost_deals
        or rep_revenue > coalesce(project_revenue, 0)

),

rep_order_totals as (

    select
        coalesce(sum(orders.revenue), 0) as revenue,
        coalesce(sum(orders.gross_profit), 0) as gross_profit
    from {{ ref('fct_orders') }} as orders
    inner join {{ ref('fct_opportunities') }} as opportunities
        on opportunities.opportunity_id = orders.opportunity_id

),

grain_totals as (

    select
        period_grain,
        sum(revenue) as revenue,
        sum(gross_profit) as gross_profit
    from reps
    group by period_grain

),

grain_failures as (

    select
        cast(null as {{ dbt.type_string() }}) as project_code,
        grain_totals.period_grain,
        cast(null as date) as period_start,
        'revenue or gross profit differ from the orders of counting opportunities' as problem
    from grain_totals
    cross join rep_order_totals
    where grain_totals.revenue <> rep_order_totals.revenue
        or grain_totals.gross_profit <> rep_order_totals.gross_profit

)

select * from period_failures

union all

select * from grain_failures
