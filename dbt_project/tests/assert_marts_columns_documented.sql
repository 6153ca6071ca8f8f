{{ config(meta={'dagster': {'asset_key': ['marts_candidate', 'mart_project_roi'], 'ref': {'name': 'mart_project_roi'}}}) }}
-- The bilingual data dictionary is complete. Fails with one row per gap in a model under
-- models/marts/ (every one is published to `marts`):
--   - a model without an English description or without a Chinese label (meta.label_zh);
--   - a column of the model as built in the warehouse without an English description or
--     without a Chinese label (column meta.label_zh). A label must hold at least one CJK
--     character, so an English placeholder does not pass as a translation.
-- docs/warehouse.md (the mart contract): every column of every mart is described.
-- The refs below make the test run after the marts are built; keep them in step with
-- the models in models/marts/.
-- depends_on: {{ ref('dim_project') }}
-- depends_on: {{ ref('dim_account') }}
-- depends_on: {{ ref('dim_customer') }}
-- depends_on: {{ ref('dim_date') }}
-- depends_on: {{ ref('dim_currency') }}
-- depends_on: {{ ref('fct_ad_spend_daily') }}
-- depends_on: {{ ref('fct_costs') }}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_leads') }}
-- depends_on: {{ ref('fct_opportunities') }}
-- depends_on: {{ ref('fct_tickets') }}
-- depends_on: {{ ref('fct_project_daily') }}
-- depends_on: {{ ref('fct_customer_monthly') }}
-- depends_on: {{ ref('mart_project_roi') }}
-- depends_on: {{ ref('mart_funnel') }}
-- depends_on: {{ ref('mart_followup_conversion') }}
-- depends_on: {{ ref('mart_customer_ltv') }}
-- depends_on: {{ ref('mart_channel_ltv_cac') }}
-- depends_on: {{ ref('mart_retention_cohorts') }}
-- depends_on: {{ ref('mart_churn_monthly') }}
-- depends_on: {{ ref('mart_service') }}
-- depends_on: {{ ref('mart_ad_performance') }}
-- depends_on: {{ ref('mart_lead_response') }}
-- depends_on: {{ ref('mart_sales_rep_performance') }}
-- depends_on: {{ ref('mart_churn_drivers') }}


{%- set gaps = [] %}
{%- if execute %}
    {#- a CJK Unified Ideograph (U+3400..U+9FFF) -#}
    {%- set cjk = modules.re.compile('[㐀-鿿]') %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name and node.fqn[1] == 'marts' %}
        {%- if (node.description | trim) == '' %}
            {%- do gaps.append(node.name ~ ': model has no description') %}
        {%- endif %}
        {#- meta.label_zh may be set as `meta:` or as `config: meta:`; dbt merges both into meta #}
        {%- set model_label = ((node.config.meta or {}).get('label_zh') or (node.meta or {}).get('label_zh') or '') | string %}
        {%- if not cjk.search(model_label) %}
            {%- do gaps.append(node.name ~ ': model has no Chinese meta.label_zh') %}
        {%- endif %}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) %}
        {%- if relation is none %}
            {%- do gaps.append(node.name ~ ': not built') %}
        {%- else %}
            {%- for column in adapter.get_columns_in_relation(relation) %}
                {%- set documented = node.columns.get(column.name | lower) %}
                {%- if documented is none %}
                    {%- do gaps.append(node.name ~ '.' ~ column.name ~ ': not in the docs') %}
                {%- else %}
                    {%- if (documented.description | trim) == '' %}
                        {%- do gaps.append(node.name ~ '.' ~ column.name ~ ': no description') %}
                    {%- endif %}
                    {%- set column_config = documented.get('config') or {} %}
                    {%- set column_label = ((column_config.get('meta') or {}).get('label_zh') or (documented.meta or {}).get('label_zh') or '') | string %}
                    {%- if not cjk.search(column_label) %}
                        {%- do gaps.append(node.name ~ '.' ~ column.name ~ ': no Chinese meta.label_zh') %}
                    {%- endif %}
                {%- endif %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
{%- endif %}

{#- sqlfluff cannot place the lines of the loop below at their indent #}
-- noqa: disable=LT02
{% if gaps | length == 0 %}
select cast(null as {{ dbt.type_string() }}) as documentation_gap
where 1 = 0
{%- else %}
    {%- for gap in gaps %}
        {%- if not loop.first %}
union all
        {%- endif %}
select cast('{{ gap }}' as {{ dbt.type_string() }}) as documentation_gap
    {%- endfor %}
{%- endif %}
