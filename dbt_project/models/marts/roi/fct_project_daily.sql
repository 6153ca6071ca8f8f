-- One row per project and day on which at least one input of mart_project_roi is non-zero:
-- the additive daily building blocks (money in the reporting currency, counts), summed
-- into weeks, months, quarters, half-years and years by mart_project_roi.

with

ad_spend as (

    select
        project_code,
        spend_date as metric_date,
        sum(spend_reporting) as ad_spend
    from {{ ref('fct_ad_spend_daily') }}
    group by project_code, spend_date

),

erp_costs as (

    select
        project_code,
        cost_date as metric_date,
        sum(amount_reporting) as erp_cost,
        sum(case when is_acquisition_cost then amount_reporting else 0 end) as erp_acquisition_cost
    from {{ ref('fct_costs') }}
    group by project_code, cost_date

),

orders as (

    select
        project_code,
        order_date as metric_date,
        sum(revenue) as revenue,
        sum(cogs) as cogs
    from {{ ref('fct_orders') }}
    group by project_code, order_date

),

new_customers as (

    select
        project_code,
        first_order_date as metric_date,
        count(*) as new_customers
    from {{ ref('dim_account') }}
    where is_customer
    group by project_code, first_order_date

),

leads as (

    select
        project_code,
        created_date as metric_date,
        count(*) as leads
    from {{ ref('fct_leads') }}
    group by project_code, created_date

),

opportunities_created as (

    select
        project_code,
        created_date as metric_date,
        count(*) as opportunities
    from {{ ref('fct_opportunities') }}
    group by project_code, created_date

),

opportunities_closed as (

    select
        project_code,
        closed_date as metric_date,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_lost then 1 else 0 end) as lost_deals,
        sum(case when is_won then sales_cycle_days else 0 end) as won_sales_cycle_days,
        sum(case when is_won then sales_cycle_seconds else 0 end) as won_sales_cycle_seconds
    from {{ ref('fct_opportunities') }}
    where closed_date is not null
        and (is_won or is_lost)
    group by project_code, closed_date

),

{%- set measures = {
    'ad_spend': ['ad_spend', type_money()],
    'erp_cost': ['erp_costs', type_money()],
    'erp_acquisition_cost': ['erp_costs', type_money()],
    'revenue': ['orders', type_money()],
    'cogs': ['orders', type_money()],
    'new_customers': ['new_customers', 'bigint'],
    'leads': ['leads', 'bigint'],
    'opportunities': ['opportunities_created', 'bigint'],
    'won_deals': ['opportunities_closed', 'bigint'],
    'lost_deals': ['opportunities_closed', 'bigint'],
    'won_sales_cycle_days': ['opportunities_closed', type_double()],
    'won_sales_cycle_seconds': ['opportunities_closed', type_money()],
} %}
{%- set inputs = ['ad_spend', 'erp_costs', 'orders', 'new_customers', 'leads', 'opportunities_created', 'opportunities_closed'] %}

-- sqlfluff cannot place the rendered lines of the Jinja loops below at their indent
-- noqa: disable=LT02
unioned as (

    {% for input in inputs -%}
    select
        project_code,
        metric_date,
        {% for measure, spec in measures.items() -%}
        {% if spec[0] == input -%}
        cast({{ measure }} as {{ spec[1] }}) as {{ measure }}
        {%- else -%}
        cast(0 as {{ spec[1] }}) as {{ measure }}
        {%- endif %}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ input }}
    {% if not loop.last %}
    union all

    {% endif -%}
    {%- endfor %}

),

final as (

    select
        project_code,
        metric_date,
        {% for measure, spec in measures.items() -%}
        cast(sum({{ measure }}) as {{ spec[1] }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from unioned
    group by project_code, metric_date
    -- noqa: enable=LT02

)

select * from final
