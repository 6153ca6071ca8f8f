-- Lifetime value against media acquisition cost per project and acquisition channel, over all
-- time (docs/metrics.md#customers). media_spend is the ad spend of the
-- platform of the same name in the project; non-paid channels (organic, referral, event,
-- direct) have 0. One row per project and channel that has customers or non-zero media spend.

with

customers as (

    select
        project_code,
        acquisition_channel as channel,
        count(*) as customers,
        sum(realized_ltv) as total_realized_ltv,
        sum(predicted_ltv) as total_predicted_ltv
    from {{ ref('mart_customer_ltv') }}
    group by
        project_code,
        acquisition_channel

),

media as (

    select
        project_code,
        platform as channel,
        sum(spend_reporting) as media_spend
    from {{ ref('fct_ad_spend_daily') }}
    group by
        project_code,
        platform

),

joined as (

    select
        coalesce(customers.project_code, media.project_code) as project_code,
        coalesce(customers.channel, media.channel) as channel,
        coalesce(customers.customers, 0) as customers,
        {{ safe_divide('customers.total_realized_ltv', 'customers.customers') }} as avg_realized_ltv,
        {{ safe_divide('customers.total_predicted_ltv', 'customers.customers') }} as avg_predicted_ltv,
        coalesce(media.media_spend, 0) as media_spend
    from customers
    full outer join media
        on media.project_code = customers.project_code
        and media.channel = customers.channel

),

with_cac as (

    select
        *,
        {{ safe_divide('media_spend', 'customers') }} as media_cac
    from joined

),

final as (

    select
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(channel as {{ dbt.type_string() }}) as channel,
        channel in ('google_ads', 'meta_ads', 'linkedin_ads') as is_paid_channel,
        {{ reporting_currency_column() }},
        cast(customers as bigint) as customers,
        cast(avg_realized_ltv as {{ type_money() }}) as avg_realized_ltv,
        cast(avg_predicted_ltv as {{ type_money() }}) as avg_predicted_ltv,
        cast(media_spend as {{ type_money() }}) as media_spend,
        cast(customers as bigint) as new_customers,
        cast(media_cac as {{ type_money() }}) as media_cac,
        cast({{ safe_divide('avg_realized_ltv', 'media_cac') }} as {{ type_money() }}) as ltv_to_cac
    from with_cac
    where customers > 0
        or media_spend <> 0

)

select * from final
