-- DuckDB alone: mart_project_roi straight from the CSV files of a drop, in one statement.
-- The benchmark's yardstick for the per-row cost of the pipeline (bench/bench.py). It follows
-- docs/metrics.md closely enough to do the same kind of work (typed CSV reads, latest version per
-- key, deleted records, FX conversion through a base currency with the 7-day fallback,
-- first confirmed orders, a calendar spine per project, three grains, running sums), but it
-- is not the pipeline's model: no validation, no quarantine (rows without a rate or a known
-- account are simply left out), and business dates of tickets and activities only widen the
-- spine.
-- {drop} is replaced by the drop folder and {currency} by the reporting currency.

create or replace table baseline_mart_project_roi as
with

projects as (
    select * from read_csv('{drop}/projects.csv', header = true, columns = {
        'project_code': 'varchar', 'project_name': 'varchar', 'region': 'varchar',
        'country_code': 'varchar', 'launch_date': 'date', 'target_roi': 'decimal(38,9)'})
),

ad_spend as (
    select * from read_csv('{drop}/ad_spend.csv', header = true, columns = {
        'date': 'date', 'platform': 'varchar', 'account_id': 'varchar',
        'campaign_id': 'varchar', 'campaign_name': 'varchar', 'project_code': 'varchar',
        'currency': 'varchar', 'spend': 'decimal(38,9)', 'impressions': 'bigint',
        'clicks': 'bigint'})
),

leads as (
    select * from read_csv('{drop}/crm_leads.csv', header = true, columns = {
        'lead_id': 'varchar', 'created_at': 'timestamptz', 'updated_at': 'timestamptz',
        'project_code': 'varchar', 'channel': 'varchar', 'campaign_id': 'varchar',
        'country_code': 'varchar', 'status': 'varchar', 'converted_account_id': 'varchar',
        'is_deleted': 'boolean'})
    qualify row_number() over (partition by lead_id order by updated_at desc) = 1
),

accounts as (
    select * from read_csv('{drop}/crm_accounts.csv', header = true, columns = {
        'account_id': 'varchar', 'created_at': 'timestamptz', 'updated_at': 'timestamptz',
        'project_code': 'varchar', 'country_code': 'varchar', 'industry': 'varchar',
        'is_deleted': 'boolean'})
    qualify row_number() over (partition by account_id order by updated_at desc) = 1
),

opportunities as (
    select * from read_csv('{drop}/crm_opportunities.csv', header = true, columns = {
        'opportunity_id': 'varchar', 'account_id': 'varchar', 'lead_id': 'varchar',
        'created_at': 'timestamptz', 'updated_at': 'timestamptz', 'stage': 'varchar',
        'amount': 'decimal(38,9)', 'currency': 'varchar', 'closed_at': 'timestamptz',
        'owner_id': 'varchar', 'is_deleted': 'boolean'})
    qualify row_number() over (partition by opportunity_id order by updated_at desc) = 1
),

orders as (
    select * from read_csv('{drop}/crm_orders.csv', header = true, columns = {
        'order_id': 'varchar', 'account_id': 'varchar', 'opportunity_id': 'varchar',
        'order_date': 'date', 'updated_at': 'timestamptz', 'status': 'varchar',
        'amount': 'decimal(38,9)', 'cost_of_goods': 'decimal(38,9)', 'currency': 'varchar',
        'is_deleted': 'boolean'})
    qualify row_number() over (partition by order_id order by updated_at desc) = 1
),

activities as (
    select * from read_csv('{drop}/crm_activities.csv', header = true, columns = {
        'activity_id': 'varchar', 'lead_id': 'varchar', 'opportunity_id': 'varchar',
        'occurred_at': 'timestamptz', 'activity_type': 'varchar'})
),

tickets as (
    select * from read_csv('{drop}/crm_tickets.csv', header = true, columns = {
        'ticket_id': 'varchar', 'account_id': 'varchar', 'opened_at': 'timestamptz',
        'resolved_at': 'timestamptz', 'satisfaction': 'integer'})
),

erp_costs as (
    select * from read_csv('{drop}/erp_costs.csv', header = true, columns = {
        'cost_id': 'varchar', 'project_code': 'varchar', 'cost_date': 'date',
        'category': 'varchar', 'amount': 'decimal(38,9)', 'currency': 'varchar',
        'posted_at': 'timestamptz'})
    qualify row_number() over (partition by cost_id order by posted_at desc) = 1
),

fx_rates as (
    select * from read_csv('{drop}/fx_rates.csv', header = true, columns = {
        'date': 'date', 'base_currency': 'varchar', 'quote_currency': 'varchar',
        'rate': 'decimal(38,9)'})
),

-- every base quotes itself at 1 on the days it publishes
rates as (
    select date, base_currency, quote_currency, cast(rate as double) as rate from fx_rates
    union all
    select distinct date, base_currency, base_currency, 1.0 from fx_rates
),

live_accounts as (
    select account_id, project_code from accounts where not coalesce(is_deleted, false)
),

confirmed_orders as (
    select orders.*, live_accounts.project_code
    from orders
    inner join live_accounts using (account_id)
    where not coalesce(orders.is_deleted, false) and orders.status = 'confirmed'
),

live_opportunities as (
    select
        opportunities.*,
        live_accounts.project_code,
        cast(timezone('UTC', opportunities.created_at) as date) as created_date,
        cast(timezone('UTC', opportunities.closed_at) as date) as closed_date
    from opportunities
    inner join live_accounts using (account_id)
    where not coalesce(opportunities.is_deleted, false)
),

live_leads as (
    select *, cast(timezone('UTC', created_at) as date) as created_date
    from leads
    where not coalesce(is_deleted, false)
),

pairs as (
    select distinct currency, date as business_date from ad_spend
    union
    select distinct currency, cost_date from erp_costs
    union
    select distinct currency, order_date from confirmed_orders
),

-- the latest day within 7 days on which one base quotes both the currency and the
-- reporting currency; factor = rate(base -> reporting) / rate(base -> currency); two bases
-- on that day: the one that is either currency itself, then the first by name
fx_factors as (
    select
        pairs.currency,
        pairs.business_date,
        reporting_rates.rate / source_rates.rate as fx_factor
    from pairs
    inner join rates as source_rates
        on source_rates.quote_currency = pairs.currency
        and source_rates.date between pairs.business_date - 7 and pairs.business_date
    inner join rates as reporting_rates
        on reporting_rates.base_currency = source_rates.base_currency
        and reporting_rates.date = source_rates.date
        and reporting_rates.quote_currency = '{currency}'
    qualify row_number() over (
        partition by pairs.currency, pairs.business_date
        order by
            source_rates.date desc,
            source_rates.base_currency in (pairs.currency, '{currency}') desc,
            source_rates.base_currency
    ) = 1
),

first_orders as (
    select account_id, project_code, min(order_date) as first_order_date
    from confirmed_orders
    group by all
),

daily as (
    select project_code, ad_spend.date as day,
           sum(spend * fx_factor) as ad_spend, 0 as erp_cost, 0 as erp_acquisition,
           0 as revenue, 0 as cogs, 0 as new_customers, 0 as leads, 0 as opportunities,
           0 as won, 0 as lost, 0 as won_cycle_days
    from ad_spend
    inner join fx_factors
        on fx_factors.currency = ad_spend.currency and fx_factors.business_date = ad_spend.date
    group by all
    union all
    select project_code, cost_date, 0,
           sum(amount * fx_factor),
           sum(case when category in ('marketing', 'sales') then amount * fx_factor else 0 end),
           0, 0, 0, 0, 0, 0, 0, 0
    from erp_costs
    inner join fx_factors
        on fx_factors.currency = erp_costs.currency
        and fx_factors.business_date = erp_costs.cost_date
    group by all
    union all
    select project_code, order_date, 0, 0, 0,
           sum(amount * fx_factor), sum(cost_of_goods * fx_factor), 0, 0, 0, 0, 0, 0
    from confirmed_orders
    inner join fx_factors
        on fx_factors.currency = confirmed_orders.currency
        and fx_factors.business_date = confirmed_orders.order_date
    group by all
    union all
    select project_code, first_order_date, 0, 0, 0, 0, 0, count(*), 0, 0, 0, 0, 0
    from first_orders
    group by all
    union all
    select project_code, created_date, 0, 0, 0, 0, 0, 0, count(*), 0, 0, 0, 0
    from live_leads
    group by all
    union all
    select project_code, created_date, 0, 0, 0, 0, 0, 0, 0, count(*), 0, 0, 0
    from live_opportunities
    group by all
    union all
    select project_code, closed_date, 0, 0, 0, 0, 0, 0, 0, 0,
           count(*) filter (where stage = 'won'),
           count(*) filter (where stage = 'lost'),
           sum(epoch(closed_at - created_at) / 86400.0) filter (where stage = 'won')
    from live_opportunities
    where stage in ('won', 'lost') and closed_date is not null
    group by all
),

business_dates as (
    select project_code, date as day from ad_spend
    union all
    select project_code, cost_date from erp_costs
    union all
    select project_code, order_date from confirmed_orders
    union all
    select project_code, created_date from live_leads
    union all
    select project_code, created_date from live_opportunities
    union all
    select project_code, closed_date from live_opportunities
    union all
    select live_leads.project_code, cast(timezone('UTC', activities.occurred_at) as date)
    from activities
    inner join live_leads using (lead_id)
    union all
    select live_accounts.project_code, cast(timezone('UTC', tickets.opened_at) as date)
    from tickets
    inner join live_accounts using (account_id)
),

project_bounds as (
    select project_code, min(day) as first_day
    from business_dates
    where project_code in (select project_code from projects)
    group by all
),

data_end as (
    select max(day) as last_day from business_dates
),

grains as (
    select * from (values ('week', interval 7 day), ('month', interval 1 month),
                          ('quarter', interval 3 month)) as grains (period_grain, step)
),

spine as (
    select
        project_bounds.project_code,
        grains.period_grain,
        cast(unnest(generate_series(
            date_trunc(grains.period_grain, project_bounds.first_day),
            date_trunc(grains.period_grain, data_end.last_day),
            grains.step
        )) as date) as period_start
    from project_bounds
    cross join data_end
    cross join grains
),

period_metrics as (
    select
        daily.project_code,
        grains.period_grain,
        cast(date_trunc(grains.period_grain, daily.day) as date) as period_start,
        sum(ad_spend) as ad_spend,
        sum(erp_cost) as erp_cost,
        sum(erp_acquisition) as erp_acquisition,
        sum(revenue) as revenue,
        sum(cogs) as cogs,
        sum(new_customers) as new_customers,
        sum(leads) as leads,
        sum(opportunities) as opportunities,
        sum(won) as won_deals,
        sum(lost) as lost_deals,
        sum(won_cycle_days) as won_cycle_days
    from daily
    cross join grains
    group by all
),

spined as (
    select
        spine.project_code,
        spine.period_grain,
        spine.period_start,
        coalesce(ad_spend, 0) as ad_spend,
        coalesce(erp_cost, 0) as erp_cost,
        coalesce(ad_spend, 0) + coalesce(erp_acquisition, 0) as acquisition_cost,
        coalesce(ad_spend, 0) + coalesce(erp_cost, 0) as total_investment,
        coalesce(revenue, 0) as revenue,
        coalesce(cogs, 0) as cogs,
        coalesce(revenue, 0) - coalesce(cogs, 0) as gross_profit,
        coalesce(new_customers, 0) as new_customers,
        coalesce(leads, 0) as leads,
        coalesce(opportunities, 0) as opportunities,
        coalesce(won_deals, 0) as won_deals,
        coalesce(lost_deals, 0) as lost_deals,
        won_cycle_days
    from spine
    left join period_metrics using (project_code, period_grain, period_start)
),

cumulated as (
    select
        *,
        sum(total_investment) over running as cumulative_investment,
        sum(gross_profit) over running as cumulative_gross_profit
    from spined
    window running as (
        partition by project_code, period_grain
        order by period_start
        rows between unbounded preceding and current row
    )
)

select
    cumulated.project_code,
    cumulated.period_grain,
    cumulated.period_start,
    projects.project_name,
    projects.region,
    '{currency}' as reporting_currency,
    ad_spend,
    erp_cost,
    acquisition_cost,
    total_investment,
    revenue,
    cogs,
    gross_profit,
    new_customers,
    acquisition_cost / nullif(new_customers, 0) as cac,
    (gross_profit - total_investment) / nullif(total_investment, 0) as roi,
    cumulative_investment,
    cumulative_gross_profit,
    (cumulative_gross_profit - cumulative_investment)
        / nullif(cumulative_investment, 0) as cumulative_roi,
    leads,
    opportunities,
    won_deals,
    lost_deals,
    won_deals / nullif(won_deals + lost_deals, 0) as win_rate,
    won_cycle_days / nullif(won_deals, 0) as avg_sales_cycle_days
from cumulated
inner join projects using (project_code)
