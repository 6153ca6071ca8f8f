-- Every (currency, business date) pair a money fact needs converted: ad spend by `date`,
-- ERP costs by cost_date, the orders that can count (not deleted, confirmed) by order_date,
-- and the amounts of the opportunities that count by their close date (creation date while
-- open). Opportunity amounts feed no metric: a missing rate leaves their converted amount
-- NULL and quarantines nothing.
-- The FX factor is resolved once per pair (int_fx_factors_resolved), not once per row.

with

ad_spend as (

    select
        currency,
        spend_date as business_date
    from {{ ref('stg_ads__ad_spend') }}

),

erp_costs as (

    select
        currency,
        cost_date as business_date
    from {{ ref('stg_erp__costs') }}

),

orders as (

    select
        currency,
        order_date as business_date
    from {{ ref('stg_crm__orders') }}
    where not is_deleted
        and order_status = 'confirmed'

),

opportunities as (

    select
        currency,
        coalesce(closed_date, created_date) as business_date
    from {{ ref('int_opportunities_attributed') }}
    where opportunity_amount is not null

),

unioned as (

    select * from ad_spend
    union
    select * from erp_costs
    union
    select * from orders
    union
    select * from opportunities

),

final as (

    select
        currency,
        business_date
    from unioned
    where currency is not null
        and business_date is not null

)

select * from final
