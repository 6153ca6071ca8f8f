-- Service tickets that count: of an account that exists and is not deleted.
-- A ticket belongs to its account's project.

with

tickets as (

    select * from {{ ref('stg_crm__tickets') }}

),

accounts as (

    select
        account_id,
        project_code
    from {{ ref('stg_crm__accounts') }}
    where not is_deleted

),

final as (

    select
        tickets.ticket_id,
        tickets.account_id,
        accounts.project_code,
        tickets.opened_at,
        tickets.opened_date,
        tickets.resolved_at,
        tickets.resolved_date,
        tickets.satisfaction,
        tickets._source_file,
        tickets._source_line,
        tickets._dlt_load_id
    from tickets
    inner join accounts
        on accounts.account_id = tickets.account_id

)

select * from final
