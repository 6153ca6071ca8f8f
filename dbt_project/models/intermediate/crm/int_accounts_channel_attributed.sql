-- The acquisition channel of every account that counts (current version, not deleted), as
-- docs/metrics.md defines it: the channel of the account's earliest-created lead whose
-- converted_account_id is the account; no such lead: 'direct'.
-- Only leads that count take part: not deleted (a deleted earliest lead passes the account
-- to its next lead, or to 'direct') and of a project in the projects table. Leads created at
-- the same instant are ordered by lead_id, so the choice is deterministic.

with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}
    where not is_deleted

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

converted_leads as (

    select
        leads.lead_id,
        leads.converted_account_id,
        leads.channel,
        leads.created_at
    from {{ ref('stg_crm__leads') }} as leads
    inner join projects
        on projects.project_code = leads.project_code
    where not leads.is_deleted
        and leads.converted_account_id is not null

),

ranked_leads as (

    select
        *,
        row_number() over (
            partition by converted_account_id
            order by created_at, lead_id
        ) as lead_rank
    from converted_leads

),

final as (

    select
        accounts.account_id,
        coalesce(ranked_leads.channel, 'direct') as acquisition_channel,
        ranked_leads.lead_id as acquisition_lead_id,
        ranked_leads.created_at as acquisition_lead_created_at
    from accounts
    left join ranked_leads
        on ranked_leads.converted_account_id = accounts.account_id
        and ranked_leads.lead_rank = 1

)

select * from final
