{#-
    ROI per project and period (ISO week, month, quarter, half-year, year), every formula as docs/metrics.md defines
    it. One row per period of the calendar spine (int_project_periods_spined), zeros where
    nothing happened, NULL for a ratio whose denominator is 0. Money in the reporting currency.
-#}

with

spine as (

    select * from {{ ref('int_project_periods_spined') }}

),

projects as (

    select * from {{ ref('dim_project') }}

),

daily as (

    select * from {{ ref('fct_project_daily') }}

),

daily_by_period as (

    {{ in_every_grain('daily', {'period_start': 'metric_date'}) }}

),

period_metrics as (

    select
        project_code,
        period_grain,
        period_start,
        sum(ad_spend) as ad_spend,
        sum(erp_cost) as erp_cost,
        sum(erp_acquisition_cost) as erp_acquisition_cost,
        sum(revenue) as revenue,
        sum(cogs) as cogs,
        sum(new_customers) as new_customers,
        sum(leads) as leads,
        sum(opportunities) as opportunities,
        sum(won_deals) as won_deals,
        sum(lost_deals) as lost_deals,
        sum(won_sales_cycle_seconds) as won_sales_cycle_seconds
    from daily_by_period
    group by
        project_code,
        period_grain,
        period_start

),

spined as (

    select
        spine.project_code,
        spine.period_grain,
        spine.period_start,
        coalesce(period_metrics.ad_spend, 0) as ad_spend,
        coalesce(period_metrics.erp_cost, 0) as erp_cost,
        coalesce(period_metrics.erp_acquisition_cost, 0) as erp_acquisition_cost,
        coalesce(period_metrics.revenue, 0) as revenue,
        coalesce(period_metrics.cogs, 0) as cogs,
        coalesce(period_metrics.new_customers, 0) as new_customers,
        coalesce(period_metrics.leads, 0) as leads,
        coalesce(period_metrics.opportunities, 0) as opportunities,
        coalesce(period_metrics.won_deals, 0) as won_deals,
        coalesce(period_metrics.lost_deals, 0) as lost_deals,
        coalesce(period_metrics.won_sales_cycle_seconds, 0) as won_sales_cycle_seconds
    from spine
    left join period_metrics
        on period_metrics.project_code = spine.project_code
        and period_metrics.period_grain = spine.period_grain
        and period_metrics.period_start = spine.period_start

),

derived as (

    select
        *,
        {{ add_money('ad_spend', 'erp_acquisition_cost') }} as acquisition_cost,
        {{ add_money('ad_spend', 'erp_cost') }} as total_investment,
        {{ subtract_money('revenue', 'cogs') }} as gross_profit
    from spined

),

running as (

    select
        *,
        sum(total_investment) over (
            partition by project_code, period_grain
            order by period_start
            rows between unbounded preceding and current row
        ) as cumulative_investment,
        sum(gross_profit) over (
            partition by project_code, period_grain
            order by period_start
            rows between unbounded preceding and current row
        ) as cumulative_gross_profit
    from derived

),

cumulated as (

    select
        *,
        {{ subtract_money('gross_profit', 'total_investment') }} as net_gain,
        {{ subtract_money('cumulative_gross_profit', 'cumulative_investment') }} as cumulative_net_gain
    from running

),

final as (

    select
        cast(cumulated.project_code as {{ dbt.type_string() }}) as project_code,
        cast(cumulated.period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(cumulated.period_start as date) as period_start,
        cast(projects.project_name as {{ dbt.type_string() }}) as project_name,
        cast(projects.region as {{ dbt.type_string() }}) as region,
        cast(projects.target_roi as {{ type_money() }}) as target_roi,
        {{ reporting_currency_column() }},
        cast(cumulated.ad_spend as {{ type_money() }}) as ad_spend,
        cast(cumulated.erp_cost as {{ type_money() }}) as erp_cost,
        cast(cumulated.acquisition_cost as {{ type_money() }}) as acquisition_cost,
        cast(cumulated.total_investment as {{ type_money() }}) as total_investment,
        cast(cumulated.revenue as {{ type_money() }}) as revenue,
        cast(cumulated.cogs as {{ type_money() }}) as cogs,
        cast(cumulated.gross_profit as {{ type_money() }}) as gross_profit,
        cast(cumulated.new_customers as bigint) as new_customers,
        cast({{ safe_divide('cumulated.acquisition_cost', 'cumulated.new_customers') }} as {{ type_money() }}) as cac,
        cast(
            {{ safe_divide('cumulated.net_gain', 'cumulated.total_investment') }}
            as {{ type_money() }}
        ) as roi,
        cast(cumulated.cumulative_investment as {{ type_money() }}) as cumulative_investment,
        cast(cumulated.cumulative_gross_profit as {{ type_money() }}) as cumulative_gross_profit,
        cast(
            {{ safe_divide('cumulated.cumulative_net_gain', 'cumulated.cumulative_investment') }}
            as {{ type_money() }}
        ) as cumulative_roi,
        cast(cumulated.leads as bigint) as leads,
        cast(cumulated.opportunities as bigint) as opportunities,
        cast(cumulated.won_deals as bigint) as won_deals,
        cast(cumulated.lost_deals as bigint) as lost_deals,
        cast(
            {{ safe_divide('cumulated.won_deals', 'cumulated.won_deals + cumulated.lost_deals') }}
            as {{ type_money() }}
        ) as win_rate,
        cast(
            {{ safe_divide('cumulated.won_sales_cycle_seconds', 'cumulated.won_deals * 86400') }}
            as {{ type_money() }}
        ) as avg_sales_cycle_days
    from cumulated
    inner join projects
        on projects.project_code = cumulated.project_code

)

select * from final
