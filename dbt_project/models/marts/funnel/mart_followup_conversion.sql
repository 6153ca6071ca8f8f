-- Lead conversion by number of follow-ups, per project over all time (docs/metrics.md#follow-ups):
-- a lead's follow-ups are the activities with its lead_id whose UTC date is before the date of
-- its converted account's first confirmed order (all of them when there is none), bucketed
-- '0', '1', '2', '3+'; a lead is converted when its converted_account_id is a customer.
-- One row per project and bucket that has leads.

with

leads as (

    select * from {{ ref('fct_leads') }}

),

final as (

    select
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(followup_bucket as {{ dbt.type_string() }}) as followup_bucket,
        cast(count(*) as bigint) as leads,
        cast(sum(case when is_converted then 1 else 0 end) as bigint) as converted_leads,
        cast(
            {{ safe_divide('sum(case when is_converted then 1 else 0 end)', 'count(*)') }}
            as {{ type_money() }}
        ) as conversion_rate,
        cast(sum(followups) as bigint) as followups
    from leads
    group by
        project_code,
        followup_bucket

)

select * from final
