-- Opportunities that count: latest version, not deleted, and of an account that exists and
-- is not deleted. An opportunity belongs to its account's project. Opportunities whose
-- account is unknown cannot be placed in a project and are left out (a warn-level
-- relationships test on stg_crm__opportunities.account_id reports them).

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}
    where not is_deleted

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
        opportunities.opportunity_id,
        opportunities.account_id,
        accounts.project_code,
        opportunities.lead_id,
        opportunities.stage,
        opportunities.stage = 'won' as is_won,
        opportunities.stage = 'lost' as is_lost,
        opportunities.opportunity_amount,
        opportunities.currency,
        opportunities.owner_id,
        opportunities.created_at,
        opportunities.created_date,
        opportunities.closed_at,
        opportunities.closed_date,
        -- exact seconds from creation to close (NULL while open): sums and means of it are
        -- the same on every engine; sales_cycle_days is the same span in fractional days
        {{ seconds_between('opportunities.created_at', 'opportunities.closed_at') }} as sales_cycle_seconds,
        (
            {{ epoch_seconds('opportunities.closed_at') }}
            - {{ epoch_seconds('opportunities.created_at') }}
        ) / 86400.0 as sales_cycle_days,
        opportunities._source_file,
        opportunities._source_line,
        opportunities._dlt_load_id
    from opportunities
    inner join accounts
        on accounts.account_id = opportunities.account_id

)

select * from final
