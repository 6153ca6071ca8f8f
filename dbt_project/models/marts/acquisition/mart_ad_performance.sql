{#-
    Ad performance per project, ad platform, campaign and period (every grain of
    period_grains()), as docs/metrics.md#ad-performance defines it.
    Spend, impressions and clicks: the ad-spend rows that count (fct_ad_spend_daily, converted,
    not quarantined), dated in the period, in the campaign's mapped project, summed over the
    platform's ad accounts. Leads: leads that count, created (UTC date) in the period, of a paid
    channel (google_ads, meta_ads, linkedin_ads) and naming a campaign_id, keyed by their own
    project_code, their channel as the platform and their campaign_id, whether or not that
    campaign had spend there. A paid lead without campaign_id and a lead of a non-paid channel
    are in no row. leads_with_opportunity and customers are of those leads (fct_leads'
    has_opportunity and is_converted, whenever the opportunity or the first order came).
    Rows exist where spend, impressions, clicks or leads is non-zero; ratios are of the period's
    sums, NULL on a zero denominator.
-#}

with

ad_spend as (

    select * from {{ ref('fct_ad_spend_daily') }}

),

leads as (

    select * from {{ ref('fct_leads') }}
    where channel in ('google_ads', 'meta_ads', 'linkedin_ads')
        and campaign_id is not null

),

events as (

    select
        project_code,
        platform,
        campaign_id,
        spend_date as metric_date,
        cast(spend_reporting as {{ type_money() }}) as spend,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        0 as leads,
        0 as leads_with_opportunity,
        0 as customers
    from ad_spend

    union all

    select
        project_code,
        channel as platform,
        campaign_id,
        created_date as metric_date,
        cast(0 as {{ type_money() }}) as spend,
        cast(0 as bigint) as impressions,
        cast(0 as bigint) as clicks,
        1 as leads,
        case when has_opportunity then 1 else 0 end as leads_with_opportunity,
        case when is_converted then 1 else 0 end as customers
    from leads

),

period_events as (

    {{ in_every_grain('events', {'period_start': 'metric_date'}) }}

),

period_sums as (

    select
        project_code,
        platform,
        campaign_id,
        period_grain,
        period_start,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(leads) as leads,
        sum(leads_with_opportunity) as leads_with_opportunity,
        sum(customers) as customers
    from period_events
    group by
        project_code,
        platform,
        campaign_id,
        period_grain,
        period_start

),

named_spend as (

    select
        platform,
        campaign_id,
        campaign_name,
        row_number() over (
            partition by platform, campaign_id
            order by
                spend_date desc,
                ad_account_id desc nulls last,
                campaign_name desc
        ) as name_rank
    from ad_spend
    where campaign_name is not null

),

campaign_names as (

    -- the name on the campaign's latest ad-spend row that carries one, over all time
    select
        platform,
        campaign_id,
        campaign_name
    from named_spend
    where name_rank = 1

),

final as (

    select
        cast(period_sums.project_code as {{ dbt.type_string() }}) as project_code,
        cast(period_sums.platform as {{ dbt.type_string() }}) as platform,
        cast(period_sums.campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(period_sums.period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_sums.period_start as date) as period_start,
        cast({{ period_end('period_sums.period_grain', 'period_sums.period_start') }} as date) as period_end,
        cast(campaign_names.campaign_name as {{ dbt.type_string() }}) as campaign_name,
        {{ reporting_currency_column() }},
        cast(period_sums.spend as {{ type_money() }}) as spend,
        cast(period_sums.impressions as bigint) as impressions,
        cast(period_sums.clicks as bigint) as clicks,
        cast({{ safe_divide('period_sums.clicks', 'period_sums.impressions') }} as {{ type_money() }}) as ctr,
        cast({{ safe_divide('period_sums.spend', 'period_sums.clicks') }} as {{ type_money() }}) as cpc,
        cast(
            {{ multiply_divide('period_sums.spend', 1000, 'period_sums.impressions') }}
            as {{ type_money() }}
        ) as cpm,
        cast(period_sums.leads as bigint) as leads,
        cast(period_sums.leads_with_opportunity as bigint) as leads_with_opportunity,
        cast(period_sums.customers as bigint) as customers,
        cast({{ safe_divide('period_sums.spend', 'period_sums.leads') }} as {{ type_money() }}) as cost_per_lead,
        cast(
            {{ safe_divide('period_sums.spend', 'period_sums.leads_with_opportunity') }}
            as {{ type_money() }}
        ) as cost_per_opportunity,
        cast({{ safe_divide('period_sums.spend', 'period_sums.customers') }} as {{ type_money() }}) as cost_per_customer
    from period_sums
    left join campaign_names
        on campaign_names.platform = period_sums.platform
        and campaign_names.campaign_id = period_sums.campaign_id
    where period_sums.spend <> 0
        or period_sums.impressions <> 0
        or period_sums.clicks <> 0
        or period_sums.leads <> 0

)

select * from final
