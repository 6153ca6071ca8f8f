{#
    Generic column test: every non-NULL value lies within [min_value, max_value] (either bound
    may be omitted). NULL passes: ratios are NULL on a zero denominator by definition
    (docs/metrics.md), and not_null is tested separately where NULL is wrong.
    Fails with the rows outside the range.
#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}

select *
from {{ model }}
where {{ column_name }} is not null
    and (
        {% if min_value is not none -%}
        {{ column_name }} < {{ min_value }}
        {%- else -%}
        1 = 0
        {%- endif %}
        or {% if max_value is not none -%}
        {{ column_name }} > {{ max_value }}
        {%- else -%}
        1 = 0
        {%- endif %}
    )

{% endtest %}
