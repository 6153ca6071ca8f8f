-- One row per opportunity that counts (not deleted, of an existing non-deleted account) of a
-- known project, with its funnel channel (docs/metrics.md#funnel): the channel of its lead when
-- that lead counts (not deleted, known project), else its account's acquisition channel.
-- The expected amount is converted into the reporting currency at the rate of its close date
-- (creation date while open); it feeds no metric, so a missing rate leaves it NULL instead of
-- quarantining the opportunity.

with

opportunities as (

    select * from {{ ref('int_opportunities_attributed') }}

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

leads as (

    select
        leads.lead_id,
        leads.channel
    from {{ ref('stg_crm__leads') }} as leads
    inner join projects
        on projects.project_code = leads.project_code
    where not leads.is_deleted

),

account_channels as (

    select * from {{ ref('int_accounts_channel_attributed') }}

),

fx_factors as (

    select * from {{ ref('int_fx_factors_resolved') }}

),

joined as (

    select
        opportunities.*,
        leads.channel as lead_channel,
        account_channels.acquisition_channel as account_channel,
        fx_factors.fx_numerator_rate,
        fx_factors.fx_denominator_rate
    from opportunities
    inner join projects
        on projects.project_code = opportunities.project_code
    left join leads
        on leads.lead_id = opportunities.lead_id
    left join account_channels
        on account_channels.account_id = opportunities.account_id
    left join fx_factors
        on fx_factors.currency = opportunities.currency
        and fx_factors.business_date = coalesce(opportunities.closed_date, opportunities.created_date)

),

final as (

    select
        cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(coalesce(lead_channel, account_channel, 'direct') as {{ dbt.type_string() }}) as channel,
        cast(
            case when lead_channel is not null then 'lead' else 'account' end
            as {{ dbt.type_string() }}
        ) as channel_source,
        cast(stage as {{ dbt.type_string() }}) as stage,
        is_won,
        is_lost,
        cast(created_at as {{ type_timestamp() }}) as created_at,
        cast(created_date as date) as created_date,
        cast(closed_at as {{ type_timestamp() }}) as closed_at,
        cast(closed_date as date) as closed_date,
        cast(sales_cycle_days as {{ type_double() }}) as sales_cycle_days,
        cast(sales_cycle_seconds as {{ type_money() }}) as sales_cycle_seconds,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(opportunity_amount as {{ type_money() }}) as opportunity_amount,
        {{ reporting_currency_column() }},
        {{ multiply_divide('opportunity_amount', 'fx_numerator_rate', 'fx_denominator_rate') }} as amount_reporting
    from joined

)

select * from final
