-- One row per lead that counts (latest version, not deleted) of a known project, with what the
-- funnel and follow-up marts need:
--   has_opportunity: referenced (lead_id) by at least one opportunity that counts, whenever created;
--   followups: activities with the lead's lead_id whose UTC date is before the date of the first
--     confirmed order of the lead's converted account (all of them when that account has none);
--   is_converted: converted_account_id is a customer (an account with a confirmed order that counts).

with

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

opportunity_leads as (

    select distinct lead_id
    from {{ ref('fct_opportunities') }}
    where lead_id is not null

),

accounts as (

    select
        account_id,
        first_order_date,
        is_customer
    from {{ ref('dim_account') }}

),

activities as (

    select
        activity_id,
        lead_id,
        occurred_date
    from {{ ref('int_activities_attributed') }}
    where lead_id is not null

),

followups as (

    select
        leads.lead_id,
        count(*) as followups
    from leads
    inner join activities
        on activities.lead_id = leads.lead_id
    left join accounts
        on accounts.account_id = leads.converted_account_id
    where accounts.first_order_date is null
        or activities.occurred_date < accounts.first_order_date
    group by leads.lead_id

),

final as (

    select
        cast(leads.lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(leads.project_code as {{ dbt.type_string() }}) as project_code,
        cast(leads.channel as {{ dbt.type_string() }}) as channel,
        cast(leads.campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(leads.country_code as {{ dbt.type_string() }}) as country_code,
        cast(leads.lead_status as {{ dbt.type_string() }}) as lead_status,
        cast(leads.converted_account_id as {{ dbt.type_string() }}) as converted_account_id,
        cast(leads.created_at as {{ type_timestamp() }}) as created_at,
        cast(leads.created_date as date) as created_date,
        opportunity_leads.lead_id is not null as has_opportunity,
        coalesce(accounts.is_customer, false) as is_converted,
        cast(coalesce(followups.followups, 0) as bigint) as followups,
        cast(
            case
                when coalesce(followups.followups, 0) >= 3 then '3+'
                else cast(coalesce(followups.followups, 0) as {{ dbt.type_string() }})
            end
            as {{ dbt.type_string() }}
        ) as followup_bucket
    from leads
    inner join projects
        on projects.project_code = leads.project_code
    left join opportunity_leads
        on opportunity_leads.lead_id = leads.lead_id
    left join accounts
        on accounts.account_id = leads.converted_account_id
    left join followups
        on followups.lead_id = leads.lead_id

)

select * from final
