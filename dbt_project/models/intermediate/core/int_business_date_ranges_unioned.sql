-- The business dates of docs/metrics.md#business-dates, per project and kind of date: the first and
-- last date and the number of records, over the records that count only (not deleted; orders
-- confirmed; not of a deleted account; not quarantined) and only for projects in the projects
-- table.
-- A project's earliest business date and the data's end date (the mart calendar spine)
-- are read from here. updated_at, posted_at, FX dates and project dates are not business dates.

with

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

business_dates as (

    select
        project_code,
        spend_date as business_date,
        'ad_spend.date' as date_source
    from {{ ref('int_ad_spend_converted') }}
    where not is_quarantined

    union all

    select
        project_code,
        cost_date as business_date,
        'erp_costs.cost_date' as date_source
    from {{ ref('int_erp_costs_converted') }}
    where not is_quarantined

    union all

    select
        project_code,
        order_date as business_date,
        'orders.order_date' as date_source
    from {{ ref('int_orders_converted') }}
    where not is_quarantined

    union all

    select
        project_code,
        created_date as business_date,
        'leads.created_at' as date_source
    from {{ ref('stg_crm__leads') }}
    where not is_deleted

    union all

    select
        project_code,
        created_date as business_date,
        'accounts.created_at' as date_source
    from {{ ref('stg_crm__accounts') }}
    where not is_deleted

    union all

    select
        project_code,
        created_date as business_date,
        'opportunities.created_at' as date_source
    from {{ ref('int_opportunities_attributed') }}

    union all

    select
        project_code,
        closed_date as business_date,
        'opportunities.closed_at' as date_source
    from {{ ref('int_opportunities_attributed') }}

    union all

    select
        project_code,
        occurred_date as business_date,
        'activities.occurred_at' as date_source
    from {{ ref('int_activities_attributed') }}

    union all

    select
        project_code,
        opened_date as business_date,
        'tickets.opened_at' as date_source
    from {{ ref('int_tickets_attributed') }}

    union all

    select
        project_code,
        resolved_date as business_date,
        'tickets.resolved_at' as date_source
    from {{ ref('int_tickets_attributed') }}

),

final as (

    select
        business_dates.project_code,
        cast(business_dates.date_source as {{ dbt.type_string() }}) as date_source,
        min(business_dates.business_date) as first_business_date,
        max(business_dates.business_date) as last_business_date,
        count(*) as record_count
    from business_dates
    inner join projects
        on projects.project_code = business_dates.project_code
    where business_dates.business_date is not null
    group by
        business_dates.project_code,
        business_dates.date_source

)

select * from final
