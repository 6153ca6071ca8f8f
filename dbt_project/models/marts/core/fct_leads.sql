-- One row per lead that counts (latest version, not deleted) of a known project.

with

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

final as (

    select
        leads.lead_id,
        leads.project_code,
        leads.channel,
        leads.campaign_id,
        leads.country_code,
        leads.lead_status,
        leads.converted_account_id,
        leads.created_at,
        leads.created_date
    from leads
    inner join projects
        on projects.project_code = leads.project_code

)

select * from final
