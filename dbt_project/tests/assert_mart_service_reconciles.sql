{{ config(meta={'dagster': {'asset_key': ['marts_candidate', 'mart_service'], 'ref': {'name': 'mart_service'}}}) }}
-- For every grain, mart_service counts each ticket of fct_tickets once as opened and each
-- resolved ticket once as resolved. Fails with the grains whose totals differ.

with

service_totals as (

    select
        period_grain,
        sum(tickets_opened) as tickets_opened,
        sum(tickets_resolved) as tickets_resolved,
        sum(rated_tickets) as rated_tickets
    from {{ ref('mart_service') }}
    group by period_grain

),

ticket_totals as (

    select
        count(*) as tickets_opened,
        sum(case when resolved_date is not null then 1 else 0 end) as tickets_resolved,
        sum(case when resolved_date is not null and satisfaction is not null then 1 else 0 end) as rated_tickets
    from {{ ref('fct_tickets') }}

)

select
    service_totals.period_grain,
    service_totals.tickets_opened,
    ticket_totals.tickets_opened as fact_tickets_opened,
    service_totals.tickets_resolved,
    ticket_totals.tickets_resolved as fact_tickets_resolved
from service_totals
cross join ticket_totals
where service_totals.tickets_opened <> ticket_totals.tickets_opened
    or service_totals.tickets_resolved <> ticket_totals.tickets_resolved
    or service_totals.rated_tickets <> ticket_totals.rated_tickets
