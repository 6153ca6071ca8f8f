-- One row per opportunity that counts (not deleted, of an existing non-deleted account)
-- of a known project.

with

opportunities as (

    select * from {{ ref('int_opportunities_attributed') }}

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.project_code,
        opportunities.lead_id,
        opportunities.stage,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.created_at,
        opportunities.created_date,
        opportunities.closed_at,
        opportunities.closed_date,
        opportunities.sales_cycle_days
    from opportunities
    inner join projects
        on projects.project_code = opportunities.project_code

)

select * from final
