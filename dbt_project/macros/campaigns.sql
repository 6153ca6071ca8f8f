{#- The project tag in a campaign name: "[DE-EU] Search | Brand" -> 'DE-EU'; NULL when the
    name has no tag. The first tag wins. -#}
{% macro campaign_project_tag(column) %}
    {{ return(adapter.dispatch('campaign_project_tag')(column)) }}
{% endmacro %}

{% macro default__campaign_project_tag(column) %}
    nullif(regexp_extract({{ column }}, '\[\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\]', 1), '')
{% endmacro %}

{% macro postgres__campaign_project_tag(column) %}
    substring({{ column }} from '\[\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\]')
{% endmacro %}
