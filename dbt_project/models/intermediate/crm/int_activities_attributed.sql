-- Activities placed in a project:
--   with a lead_id: the lead's project, if that lead counts (exists, not deleted);
--   without a lead_id: the project of its opportunity's account, if that opportunity counts.
-- An activity whose lead (or, lacking a lead, opportunity) does not count is left out:
-- it follows its parent record.

with

activities as (

    select * from {{ ref('stg_crm__activities') }}

),

leads as (

    select
        lead_id,
        project_code
    from {{ ref('stg_crm__leads') }}
    where not is_deleted

),

opportunities as (

    select
        opportunity_id,
        project_code
    from {{ ref('int_opportunities_attributed') }}

),

joined as (

    select
        activities.activity_id,
        activities.lead_id,
        activities.opportunity_id,
        activities.activity_type,
        activities.occurred_at,
        activities.occurred_date,
        case
            when activities.lead_id is not null then leads.project_code
            else opportunities.project_code
        end as project_code,
        case
            when activities.lead_id is not null then 'lead'
            else 'opportunity'
        end as attributed_through,
        activities._source_file,
        activities._source_line,
        activities._dlt_load_id
    from activities
    left join leads
        on leads.lead_id = activities.lead_id
    left join opportunities
        on opportunities.opportunity_id = activities.opportunity_id

),

final as (

    select * from joined
    where project_code is not null

)

select * from final
