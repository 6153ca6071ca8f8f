{#
    Generic test: every row of the model satisfies the SQL boolean `expression`.
    Fails with the rows that do not. Usable at model or column level.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
