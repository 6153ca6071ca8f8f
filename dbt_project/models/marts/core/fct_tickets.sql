-- One row per service ticket that counts: of an existing, non-deleted account of a known
-- project (a ticket belongs to its account's project), with its resolution time.

with

tickets as (

    select * from {{ ref('int_tickets_attributed') }}

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

final as (

    select
        cast(tickets.ticket_id as {{ dbt.type_string() }}) as ticket_id,
        cast(tickets.account_id as {{ dbt.type_string() }}) as account_id,
        cast(tickets.project_code as {{ dbt.type_string() }}) as project_code,
        cast(tickets.opened_at as {{ type_timestamp() }}) as opened_at,
        cast(tickets.opened_date as date) as opened_date,
        cast(tickets.resolved_at as {{ type_timestamp() }}) as resolved_at,
        cast(tickets.resolved_date as date) as resolved_date,
        tickets.resolved_at is not null as is_resolved,
        cast(
            {{ hours_between('tickets.opened_at', 'tickets.resolved_at') }}
            as {{ type_double() }}
        ) as resolution_hours,
        cast(tickets.satisfaction as bigint) as satisfaction
    from tickets
    inner join projects
        on projects.project_code = tickets.project_code

)

select * from final
