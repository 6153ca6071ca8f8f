"""English and Chinese text of the report: headings, labels, alert messages, definitions.

`text(lang, key, **values)` looks a message up in `MESSAGES`; every key exists in both
languages (a test checks). Chinese labels of mart columns come from the dbt docs
(`meta.label_zh` in `dbt_project/models/marts/**/_*__models.yml`), so a column is named the
same in the report as in the data dictionary; `COLUMN_LABELS_EN` holds the English ones.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from foundation.periods import GRAINS
from foundation.settings import DBT_PROJECT_DIR


def _grain_words(lang: str) -> dict[str, str]:
    """`grain.<name>` (one period) and `grains.<name>` (several), from the grain list."""
    return {
        f"{kind}.{name}": word
        for name, grain in GRAINS.items()
        for kind, word in zip(("grain", "grains"), grain.words[lang], strict=True)
    }


# English labels of the mart columns the report shows (the dbt docs hold long descriptions).
COLUMN_LABELS_EN = {
    "project_code": "Project",
    "project_name": "Project name",
    "region": "Region",
    "channel": "Channel",
    "total_investment": "Investment",
    "gross_profit": "Gross profit",
    "roi": "ROI",
    "target_roi": "Target ROI",
    "cumulative_investment": "Cumulative investment",
    "cumulative_gross_profit": "Cumulative gross profit",
    "cumulative_roi": "Cumulative ROI",
    "acquisition_cost": "Acquisition cost",
    "new_customers": "New customers",
    "cac": "CAC",
    "customers": "Customers",
    "avg_realized_ltv": "Avg realized LTV",
    "media_spend": "Media spend",
    "media_cac": "Media CAC",
    "ltv_to_cac": "LTV/CAC",
    "leads": "Leads",
    "leads_with_opportunity": "Leads with opportunity",
    "lead_to_opportunity_rate": "Lead → opportunity",
    "won_deals": "Won deals",
    "lost_deals": "Lost deals",
    "win_rate": "Win rate",
    "avg_sales_cycle_days": "Avg sales cycle (days)",
    "followup_bucket": "Follow-ups",
    "converted_leads": "Converted leads",
    "conversion_rate": "Conversion rate",
    "churn_rate": "Monthly churn rate",
    "retention_rate": "Retention rate",
    "month_offset": "Months since first order",
    "cohort_month": "Cohort month",
    "platform": "Platform",
    "campaign_id": "Campaign",
    "spend": "Spend",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "ctr": "CTR",
    "cpc": "CPC",
    "cost_per_lead": "Cost per lead",
    "cost_per_opportunity": "Cost per opportunity",
    "cost_per_customer": "Cost per customer",
    "leads_followed_up": "Leads followed up",
    "median_hours_to_first_followup": "Median hours to first follow-up",
    "followed_up_within_24h": "Followed up within 24 h",
    "followed_up_within_24h_rate": "Followed up within 24 h (share of leads)",
    "owner_id": "Sales rep",
    "opportunities": "Opportunities",
    "revenue": "Revenue",
    "activities": "Activities",
    "customer_group": "Customers",
    "tickets_per_customer": "Tickets per customer",
    "customers_with_ticket_rate": "Customers with a ticket",
    "avg_satisfaction": "Avg satisfaction (1-5)",
    "median_resolution_hours": "Median resolution (hours)",
    "orders_per_customer": "Orders per customer",
    "avg_order_value": "Avg order value",
}

# Labels that are the report's own (derived measures), in both languages.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "ROI evaluation report",
        **_grain_words("en"),
        "period_line": "{grain} {label} ({start} to {end})",
        "meta.period": "Period",
        "meta.data_end": "Data through",
        "meta.currency": "Reporting currency",
        "meta.generated": "Generated",
        "meta.run": "Run",
        "meta.run_none": "no run recorded in audit.runs",
        "meta.run_detail": "{status}, {job}, finished {finished}, code {code}",
        "meta.warehouse": "Warehouse",
        "status.success": "succeeded",
        "status.failed": "FAILED",
        "status.running": "in progress: the run wrote this report after publishing its marts",
        "toc": "Contents",
        "section.summary": "At a glance",
        "section.alerts": "Alerts",
        "section.projects": "Projects",
        "section.regions": "Regions",
        "section.compare": "Projects and regions side by side",
        "section.channels": "Acquisition channels",
        "section.trends": "Trends over the last {n} {grains}",
        "section.funnel": "Sales funnel",
        "section.quality": "Data quality of the run",
        "section.definitions": "How to read this",
        "kpi.investment": "Investment",
        "kpi.gross_profit": "Gross profit",
        "kpi.roi": "ROI",
        "kpi.cumulative_roi": "Cumulative ROI",
        "kpi.payback": "Payback so far",
        "kpi.cac": "CAC",
        "kpi.ltv_to_cac": "LTV/CAC",
        "kpi.alerts": "Alerts",
        "kpi.vs_target": "target {target}",
        "kpi.vs_previous": "previous {value}",
        "kpi.paid_back": "paid back in {period}",
        "kpi.not_paid_back": "not paid back yet",
        "kpi.alert_counts": "{errors} error(s), {warnings} warning(s)",
        "col.payback": "Payback so far",
        "col.paid_back_in": "Paid back in",
        "col.all_time_cac": "All-time CAC",
        "col.avg_ltv": "Avg realized LTV",
        "col.vs_target": "vs target",
        "col.previous_cac": "CAC previous period",
        "col.projects": "Projects",
        "col.stage": "Stage",
        "col.count": "Count",
        "col.passed": "Reached from previous stage",
        "col.lost": "Lost at this stage",
        "col.weakest": "Weakest stage",
        "col.severity": "Severity",
        "col.alert": "Alert",
        "col.subject": "Concerns",
        "col.value": "Value",
        "total": "All projects",
        "not_paid_back": "not yet",
        "na": "n/a",
        "in_currency": "{label} ({currency})",
        "projects_without_data": "Projects without data in this period: {codes}.",
        "alerts.none": "No alerts for this period.",
        "alerts.count": "{count} alert(s): {errors} error(s), {warnings} warning(s).",
        "severity.error": "error",
        "severity.warning": "warning",
        "kind.roi_below_target": "ROI below target",
        "kind.cac_increase": "CAC increase",
        "kind.churn_spike": "Churn spike",
        "kind.conversion_drop": "Conversion drop",
        "kind.data_quality": "Data quality",
        "roi_below_target": (
            "{subject}: ROI {roi} is below its target {target_roi} ({gap} pp): gross profit "
            "{gross_profit} on investment {investment} {currency}."
        ),
        "cac_increase": (
            "{subject}: CAC rose {change} to {cac} {currency} from {previous_cac} {currency} "
            "in {previous_period} ({new_customers} new customers vs {previous_new_customers}; "
            "acquisition cost {acquisition_cost} {currency}). Threshold: +{threshold}."
        ),
        "churn_spike": (
            "{subject}: churn in {month} was {churn_rate} ({churned_customers} of "
            "{active_customers_start} active customers), {difference} pp above the average "
            "{trailing_average} of the {trailing_months} months before. Threshold: "
            "{threshold_pp} pp."
        ),
        "conversion_drop": (
            "{subject}: lead → opportunity conversion fell {change} to {rate} from "
            "{previous_rate} in {previous_period} ({leads} leads vs {previous_leads}). "
            "Threshold: -{threshold}."
        ),
        "dq_no_run": (
            "No run is recorded in audit.runs: the data's quality cannot be traced to a run."
        ),
        "dq_run_failed": (
            "Run {run_id} failed ({failed_checks} blocking check(s) failed; failed steps: "
            "{failed_steps}). The marts are still those of the last successful run."
        ),
        "dq_quarantine": (
            "{rows} row(s) of {table} quarantined ({reason}): they count nowhere until fixed."
        ),
        "dq_failed_check": "Check {check} on {table} failed [{severity}, {kind}]: {observed}.",
        "dq_more_failed_checks": "... and {more} more failed check(s): see `roi audit`.",
        "dq_stale_source": (
            "Source {table} is not fresh ({status}): last loaded {last_loaded} UTC, {hours} h "
            "ago (warn after {warn_after})."
        ),
        "quality.ok": (
            "Run {run_id}: no rows quarantined, every check passed, every source fresh."
        ),
        "quality.summary": (
            "Run {run_id}: {quarantined} row(s) quarantined, {failed} check(s) failed, "
            "{stale} source(s) not fresh."
        ),
        "chart.roi_vs_target": "ROI vs target, this period",
        "chart.payback": "Payback so far by project (100% = paid back)",
        "chart.region_compare": "Investment and gross profit by region, this period",
        "chart.roi_trend": "ROI per project",
        "chart.spend_vs_profit": "Investment vs gross profit, all projects",
        "chart.conversion_trend": "Lead → opportunity conversion per project",
        "chart.retention": "Retention by cohort (all projects)",
        "chart.churn": "Monthly churn rate per project",
        "chart.funnel": "Funnel this period, all projects",
        "chart.followups": "Conversion by number of follow-ups (all leads to date)",
        "chart.sales_cycle": "Average sales cycle by region, this period (days)",
        "chart.channel_ltv_cac": "LTV/CAC by paid channel (all time)",
        "chart.channel_funnel": "Conversion and win rate by channel, this period",
        "axis.period": "Period",
        "axis.month": "Month",
        "axis.rate": "Rate",
        "axis.amount": "Amount ({currency})",
        "axis.days": "Days",
        "axis.ratio": "LTV/CAC",
        "series.target": "Target",
        "series.overall": "All projects",
        "series.cohort": "Cohort {cohort}",
        "series.payback": "Payback so far",
        "funnel.weakest": (
            "The stage that loses the most: {stage} ({lost} of the previous stage did not get "
            "there)."
        ),
        "funnel.note": (
            "Won deals are those closed in the period, whichever period their lead came in, so "
            "the last step compares flows rather than following one cohort."
        ),
        "funnel.none": "No leads in this period.",
        "stage.leads": "Leads",
        "stage.leads_with_opportunity": "Leads with opportunity",
        "stage.won_deals": "Won deals",
        "channels.note": (
            "Customers, LTV and media CAC are over all time (mart_channel_ltv_cac); leads, "
            "conversion and win rate are this period's (mart_funnel). Unpaid channels have no "
            "media spend, hence no media CAC."
        ),
        "subsection.followups": "Follow-up effect",
        "subsection.sales_cycle": "Sales cycle by region",
        "subsection.project_funnel": "Funnel by project",
        "definitions.intro": (
            "All amounts are in the reporting currency, from the published marts (see "
            "`roi docs` for every column). A ratio whose denominator is 0 is shown as n/a and "
            "never raises an alert."
        ),
        "def.investment": (
            "Investment: ad spend + ERP costs of the period (total_investment). Gross profit: "
            "revenue - cost of goods of confirmed orders."
        ),
        "def.roi": (
            "ROI = (gross profit - investment) / investment of the period; the target is the "
            "project's target_roi. Regions and all projects: sums of their projects, with the "
            "target weighted by investment (the ROI the group would have if every project met "
            "its target)."
        ),
        "def.cumulative": (
            "Cumulative ROI: the same over everything from the project's first period through "
            "this one."
        ),
        "def.payback": (
            "Payback so far = cumulative gross profit / cumulative investment: the share of "
            "the investment earned back (100% or more: paid back). Paid back in: the first "
            "period in which cumulative gross profit reached cumulative investment."
        ),
        "def.cac": (
            "CAC = acquisition cost (ad spend + ERP marketing and sales costs) / new customers "
            "(accounts with their first confirmed order) of the period. All-time CAC: the same "
            "over every period through this one."
        ),
        "def.ltv_to_cac": (
            "LTV/CAC = average realized LTV (gross profit to date, mart_customer_ltv) of the "
            "customers acquired by the period's end / all-time CAC. Channels: media CAC = ad "
            "spend of the platform / its customers, over all time (mart_channel_ltv_cac)."
        ),
        "def.funnel": (
            "Funnel: leads created in the period, those that got an opportunity (lead → "
            "opportunity rate), deals won in the period; win rate = won / (won + lost)."
        ),
        "def.churn": (
            "Churn: a customer is active while it ordered in the trailing 12 months; monthly "
            "churn rate = customers active at the previous month's end and not at this one / "
            "customers active at the previous month's end. Retention: share of a cohort "
            "(month of first order) ordering again k months later."
        ),
        "section.ads": "Ad performance",
        "section.lead_response": "Lead response",
        "section.reps": "Sales reps",
        "kind.cpl_increase": "Cost per lead increase",
        "kind.slow_lead_response": "Slow lead response",
        "cpl_increase": (
            "{subject}: cost per lead rose {change} to {cost_per_lead} {currency} from "
            "{previous_cost_per_lead} {currency} in {previous_period} ({leads} leads vs "
            "{previous_leads}; spend {spend} {currency}). Threshold: +{threshold}."
        ),
        "slow_lead_response": (
            "{subject}: the median lead waited {median_hours} h for a first follow-up "
            "(threshold {threshold_hours} h); {within_24h_rate} of its {leads} leads were "
            "followed up within 24 h ({leads_followed_up} followed up at all)."
        ),
        "churn_drivers.caption": (
            "{subject}, {month}: customers who churned that month against those retained, "
            "each over the 12 months before the month."
        ),
        "group.churned": "Churned",
        "channel.all": "All channels",
        "group.retained": "Retained",
        "ads.platforms": "Ad platforms, all projects",
        "ads.best": "Campaigns with the lowest cost per customer",
        "ads.worst": "Campaigns with the highest cost per customer (spend without customers first)",
        "ads.none": "No ad spend and no leads from ad campaigns in this period.",
        "ads.note": (
            "Spend, impressions and clicks of the period's ad rows; leads created in the period "
            "from each campaign, and of those the ones with an opportunity and the ones that "
            "became customers (whenever). Ratios are of the period's sums. Campaigns without "
            "spend in the period are not ranked."
        ),
        "lead_response.none": "No leads in this period.",
        "lead_response.note": (
            "Hours from the lead's creation to its first follow-up (activity), 0 when the "
            "activity came first. The median is over followed-up leads; the 24-hour share is "
            "over all leads of the row. Each project's channels, then its total."
        ),
        "reps.none": "No opportunity, order or activity of a sales rep in this period.",
        "reps.project": (
            "{project}: {reps} active rep(s), revenue {revenue} {currency}, revenue per active "
            "rep {per_rep} {currency}."
        ),
        "reps.note": (
            "An opportunity belongs to its owner (an empty owner: unassigned, counted as an "
            "owner). Revenue: confirmed orders of the rep's opportunities by order date; orders "
            "without a known opportunity count in the project's revenue only. Active reps: "
            "owners with any opportunity, deal, order or activity in the period."
        ),
        "col.revenue_per_rep": "Revenue per active rep",
        "col.active_reps": "Active reps",
        "chart.ad_platforms": "Cost per lead and per customer by ad platform, this period",
        "chart.lead_response": "Median hours to first follow-up per project",
        "chart.revenue_per_rep": "Revenue per active rep by project, this period",
        "axis.hours": "Hours",
        "series.threshold": "Threshold",
        "def.ads": (
            "Ad performance: CTR = clicks / impressions; CPC = spend / clicks; cost per lead, "
            "opportunity and customer = spend / leads (with opportunity, that became customers) "
            "of the campaign's leads created in the period (mart_ad_performance)."
        ),
        "def.lead_response": (
            "Lead response: hours from a lead's creation to its first follow-up; the median "
            "over followed-up leads and the share of all leads followed up within 24 h "
            "(mart_lead_response)."
        ),
        "def.reps": (
            "Sales reps: each owner's opportunities created, deals won and lost, revenue and "
            "gross profit of orders of their opportunities and activities on them in the "
            "period (mart_sales_rep_performance). Revenue per rep = the project's revenue of "
            "the period / its active reps."
        ),
        "def.churn_drivers": (
            "Churn drivers (beside a churn spike): churned vs retained customers of the month, "
            "over the 12 months before it: tickets per customer, share with a ticket, "
            "satisfaction, median resolution time, orders per customer and average order "
            "value (mart_churn_drivers)."
        ),
        "rule.cpl_increase": (
            "Cost per lead increase: a project's cost per lead on an ad platform up more than "
            "{cpl_increase} vs the previous period, when both periods had at least "
            "{cpl_min_leads} leads from it."
        ),
        "rule.slow_lead_response": (
            "Slow lead response: a project's median hours to first follow-up above "
            "{lead_response_hours} h, over at least {lead_response_min_leads} followed-up leads."
        ),
        "def.alerts": "Alert rules (thresholds: --threshold name=value or ROI_REPORT_<NAME>):",
        "rule.roi_below_target": "ROI below target: the period's ROI < the project's target_roi.",
        "rule.cac_increase": (
            "CAC increase: CAC up more than {cac_increase} vs the previous period, when both "
            "periods won at least {cac_min_new_customers} new customers."
        ),
        "rule.churn_spike": (
            "Churn spike: a complete month of the period with churn more than {churn_spike} "
            "pp above the mean of the {churn_trailing_months} months before it (at least "
            "{churn_min_history} known; at least {churn_min_customers} active customers)."
        ),
        "rule.conversion_drop": (
            "Conversion drop: lead → opportunity rate down more than {conversion_drop} "
            "(relative) vs the previous period, when both had at least "
            "{conversion_min_leads} leads."
        ),
        "rule.data_quality": (
            "Data quality: the run failed, rows were quarantined, a check failed or a source "
            "is not fresh (audit schema, this report's run)."
        ),
        "print_hint": "Prints on A4 (charts sized for the page).",
        "footer": (
            "Generated by `roi report` from {warehouse}; run {run_id}. Figures are the "
            "published marts as of the data's end date {data_end}."
        ),
    },
    "zh": {
        "title": "投资回报评估报告",
        **_grain_words("zh"),
        "period_line": "{grain} {label}（{start} 至 {end}）",
        "meta.period": "报告周期",
        "meta.data_end": "数据截止日期",
        "meta.currency": "报告币种",
        "meta.generated": "生成时间",
        "meta.run": "运行编号",
        "meta.run_none": "audit.runs 中没有运行记录",
        "meta.run_detail": "{status}，作业 {job}，完成于 {finished}，代码版本 {code}",
        "meta.warehouse": "数据仓库",
        "status.success": "成功",
        "status.failed": "失败",
        "status.running": "进行中：本次运行在发布数据集市后写下此报告",
        "toc": "目录",
        "section.summary": "概览",
        "section.alerts": "预警",
        "section.projects": "各项目",
        "section.regions": "各区域",
        "section.compare": "项目与区域对比",
        "section.channels": "获客渠道",
        "section.trends": "最近 {n} {grains}的趋势",
        "section.funnel": "销售漏斗",
        "section.quality": "本次运行的数据质量",
        "section.definitions": "阅读说明",
        "kpi.investment": "总投入",
        "kpi.gross_profit": "毛利",
        "kpi.roi": "投资回报率",
        "kpi.cumulative_roi": "累计投资回报率",
        "kpi.payback": "回本进度",
        "kpi.cac": "获客成本",
        "kpi.ltv_to_cac": "生命周期价值与获客成本比",
        "kpi.alerts": "预警",
        "kpi.vs_target": "目标 {target}",
        "kpi.vs_previous": "上期 {value}",
        "kpi.paid_back": "于 {period} 回本",
        "kpi.not_paid_back": "尚未回本",
        "kpi.alert_counts": "{errors} 个错误，{warnings} 个警告",
        "col.payback": "回本进度",
        "col.paid_back_in": "回本周期",
        "col.all_time_cac": "历史获客成本",
        "col.avg_ltv": "平均已实现生命周期价值",
        "col.vs_target": "与目标差距",
        "col.previous_cac": "上期获客成本",
        "col.projects": "项目",
        "col.stage": "阶段",
        "col.count": "数量",
        "col.passed": "由上一阶段到达的比例",
        "col.lost": "本阶段流失",
        "col.weakest": "流失最多的阶段",
        "col.severity": "级别",
        "col.alert": "预警",
        "col.subject": "对象",
        "col.value": "数值",
        "total": "全部项目",
        "not_paid_back": "尚未回本",
        "na": "不适用",
        "in_currency": "{label}（{currency}）",
        "projects_without_data": "本周期没有数据的项目：{codes}。",
        "alerts.none": "本周期没有预警。",
        "alerts.count": "共 {count} 个预警：{errors} 个错误，{warnings} 个警告。",
        "severity.error": "错误",
        "severity.warning": "警告",
        "kind.roi_below_target": "投资回报率低于目标",
        "kind.cac_increase": "获客成本上升",
        "kind.churn_spike": "流失率激增",
        "kind.conversion_drop": "转化率下降",
        "kind.data_quality": "数据质量",
        "roi_below_target": (
            "{subject}：投资回报率 {roi} 低于目标 {target_roi}（相差 {gap} 个百分点）：投入 "
            "{investment} {currency}，毛利 {gross_profit} {currency}。"
        ),
        "cac_increase": (
            "{subject}：获客成本上升 {change}，由 {previous_period} 的 {previous_cac} {currency} "
            "升至 {cac} {currency}（新客户 {new_customers} 个，上期 {previous_new_customers} 个；"
            "获客投入 {acquisition_cost} {currency}）。阈值：+{threshold}。"
        ),
        "churn_spike": (
            "{subject}：{month} 的流失率为 {churn_rate}（{active_customers_start} 个活跃客户中流失 "
            "{churned_customers} 个），比此前 {trailing_months} 个月的平均值 {trailing_average} "
            "高 {difference} 个百分点。阈值：{threshold_pp} 个百分点。"
        ),
        "conversion_drop": (
            "{subject}：线索转商机率下降 {change}，由 {previous_period} 的 {previous_rate} 降至 "
            "{rate}（线索 {leads} 条，上期 {previous_leads} 条）。阈值：-{threshold}。"
        ),
        "dq_no_run": "audit.runs 中没有运行记录：无法将数据质量追溯到某次运行。",
        "dq_run_failed": (
            "运行 {run_id} 失败（{failed_checks} 项阻断性检查未通过；失败步骤：{failed_steps}）。"
            "数据集市仍为上一次成功运行的结果。"
        ),
        "dq_quarantine": "{table} 有 {rows} 行被隔离（{reason}）：修复之前不计入任何指标。",
        "dq_failed_check": "{table} 上的检查 {check} 未通过［{severity}，{kind}］：{observed}。",
        "dq_more_failed_checks": "……另有 {more} 项检查未通过：请运行 `roi audit` 查看。",
        "dq_stale_source": (
            "数据源 {table} 未及时更新（{status}）：最近加载于 {last_loaded} UTC，距今 {hours} "
            "小时（超过 {warn_after} 即告警）。"
        ),
        "quality.ok": "运行 {run_id}：没有被隔离的行，所有检查均通过，所有数据源均及时更新。",
        "quality.summary": (
            "运行 {run_id}：{quarantined} 行被隔离，"
            "{failed} 项检查未通过，{stale} 个数据源未及时更新。"
        ),
        "chart.roi_vs_target": "本期投资回报率与目标",
        "chart.payback": "各项目回本进度（100% 即已回本）",
        "chart.region_compare": "本期各区域总投入与毛利",
        "chart.roi_trend": "各项目投资回报率",
        "chart.spend_vs_profit": "总投入与毛利（全部项目）",
        "chart.conversion_trend": "各项目线索转商机率",
        "chart.retention": "各同期群留存率（全部项目）",
        "chart.churn": "各项目月流失率",
        "chart.funnel": "本期销售漏斗（全部项目）",
        "chart.followups": "按跟进次数的转化率（截至目前的全部线索）",
        "chart.sales_cycle": "本期各区域平均销售周期（天）",
        "chart.channel_ltv_cac": "各付费渠道的生命周期价值与获客成本比（历史累计）",
        "chart.channel_funnel": "本期各渠道线索转商机率与赢单率",
        "axis.period": "周期",
        "axis.month": "月份",
        "axis.rate": "比率",
        "axis.amount": "金额（{currency}）",
        "axis.days": "天",
        "axis.ratio": "生命周期价值与获客成本比",
        "series.target": "目标",
        "series.overall": "全部项目",
        "series.cohort": "{cohort} 同期群",
        "series.payback": "回本进度",
        "funnel.weakest": "流失最多的阶段：{stage}（上一阶段中有 {lost} 未能到达）。",
        "funnel.note": (
            "赢单数按本期成交统计，不论其线索产生于哪个周期，"
            "因此最后一步比较的是流量，而非跟踪同一批线索。"
        ),
        "funnel.none": "本周期没有线索。",
        "stage.leads": "线索",
        "stage.leads_with_opportunity": "产生商机的线索",
        "stage.won_deals": "赢单",
        "channels.note": (
            "客户数、生命周期价值和媒体获客成本为历史累计（mart_channel_ltv_cac）"
            "；线索、转化率和赢单率"
            "为本期数据（mart_funnel）。非付费渠道没有媒体花费，因此没有媒体获客成本。"
        ),
        "subsection.followups": "跟进效果",
        "subsection.sales_cycle": "各区域销售周期",
        "subsection.project_funnel": "各项目销售漏斗",
        "definitions.intro": (
            "所有金额均以报告币种计，取自已发布的数据集市（各列含义见 `roi docs`）"
            "。分母为 0 的比率显示为"
            "“不适用”，且不会触发预警。"
        ),
        "def.investment": (
            "总投入：本期广告花费 + ERP 成本（total_investment）"
            "。毛利：已确认订单的收入 - 销货成本。"
        ),
        "def.roi": (
            "投资回报率 =（毛利 - 总投入）/ 总投入（本期）"
            "；目标为项目的 target_roi。区域与全部项目："
            "各项目金额相加后计算，目标按投入加权（即每个项目恰好达到目标时该组的投资回报率）。"
        ),
        "def.cumulative": (
            "累计投资回报率：从项目的第一个周期到本期的全部投入与毛利按同一公式计算。"
        ),
        "def.payback": (
            "回本进度 = 累计毛利 / 累计投入，即已收回的投入比例（达到 100% 即已回本）。回本周期："
            "累计毛利首次达到累计投入的周期。"
        ),
        "def.cac": (
            "获客成本 = 本期获客投入（广告花费 + ERP 市场与销售成本）"
            "/ 本期新客户数（首次下确认订单的"
            "账户）。历史获客成本：截至本期所有周期的同一比率。"
        ),
        "def.ltv_to_cac": (
            "生命周期价值与获客成本比 = 截至本期末获得的客户的平均已实现生命周期价值（至今的毛利，"
            "mart_customer_ltv）/ 历史获客成本。"
            "渠道：媒体获客成本 = 该平台广告花费 / 该渠道客户数，"
            "历史累计（mart_channel_ltv_cac）。"
        ),
        "def.funnel": (
            "漏斗：本期新建的线索、其中产生商机的线索（线索转商机率）、本期赢单数；赢单率 = 赢单 /"
            "（赢单 + 输单）。"
        ),
        "def.churn": (
            "流失：客户在过去 12 个月内有订单即为活跃；"
            "月流失率 = 上月末活跃而本月末不再活跃的客户数 / "
            "上月末活跃客户数。留存率：同期群（首单月份）中 k 个月后再次下单的客户比例。"
        ),
        "section.ads": "广告效果",
        "section.lead_response": "线索响应速度",
        "section.reps": "销售人员",
        "kind.cpl_increase": "单条线索成本上升",
        "kind.slow_lead_response": "线索响应过慢",
        "cpl_increase": (
            "{subject}：单条线索成本由 {previous_period} 的 {previous_cost_per_lead} {currency} "
            "上升 {change} 至 {cost_per_lead} {currency}（线索 {leads} 条，上期 {previous_leads} "
            "条；花费 {spend} {currency}）。阈值：+{threshold}。"
        ),
        "slow_lead_response": (
            "{subject}：线索首次跟进的中位等待时间为 {median_hours} 小时（阈值 {threshold_hours} "
            "小时）；{leads} 条线索中 {within_24h_rate} 在 24 小时内得到跟进（共 "
            "{leads_followed_up} 条得到跟进）。"
        ),
        "churn_drivers.caption": (
            "{subject}，{month}：当月流失的客户与留存的客户对比，均按该月之前 12 个月统计。"
        ),
        "group.churned": "流失客户",
        "channel.all": "全部渠道",
        "group.retained": "留存客户",
        "ads.platforms": "各广告平台（全部项目）",
        "ads.best": "单客成本最低的广告系列",
        "ads.worst": "单客成本最高的广告系列（有花费无客户者排在最前）",
        "ads.none": "本期没有广告花费，也没有来自广告系列的线索。",
        "ads.note": (
            "花费、展示与点击为本期广告数据之和；线索为本期创建、来自该广告系列的线索，其中产生商机的"
            "与成为客户的（不论何时）分别计数。比率按本期合计计算。本期无花费的广告系列不参与排名。"
        ),
        "lead_response.none": "本期没有线索。",
        "lead_response.note": (
            "从线索创建到首次跟进（活动）的小时数，活动早于线索时记为 0。中位数按得到跟进的"
            "线索计算；"
            "24 小时跟进率的分母为该行全部线索。先列各项目的渠道，再列项目合计。"
        ),
        "reps.none": "本期没有销售人员的商机、订单或活动。",
        "reps.project": (
            "{project}：活跃销售 {reps} 人，收入 {revenue} {currency}，人均收入 {per_rep} "
            "{currency}。"
        ),
        "reps.note": (
            "商机归属其负责人（负责人为空者记为 unassigned，并作为一名负责人计数）。收入："
            "按订单日期"
            "统计该销售商机下的已确认订单；没有可识别商机的订单只计入项目收入。活跃销售：本期有任何"
            "商机、成交、订单或活动的负责人。"
        ),
        "col.revenue_per_rep": "人均收入",
        "col.active_reps": "活跃销售人数",
        "chart.ad_platforms": "各广告平台单条线索成本与单客成本（本期）",
        "chart.lead_response": "各项目首次跟进时长中位数",
        "chart.revenue_per_rep": "各项目人均收入（本期）",
        "axis.hours": "小时",
        "series.threshold": "阈值",
        "def.ads": (
            "广告效果：点击率 = 点击 / 展示；单次点击成本 = 花费 / 点击；单条线索、单个商机、"
            "单个客户"
            "成本 = 花费 / 本期创建的该广告系列线索数（其中产生商机的、成为客户的）"
            "（mart_ad_performance）。"
        ),
        "def.lead_response": (
            "线索响应：从线索创建到首次跟进的小时数；按得到跟进的线索取中位数，并统计 24 小时内得到"
            "跟进的线索占全部线索的比例（mart_lead_response）。"
        ),
        "def.reps": (
            "销售人员：每位负责人本期新建的商机、赢单与输单、其商机下订单的收入与毛利以及在其商机上的"
            "活动（mart_sales_rep_performance）。人均收入 = 项目本期收入 / 活跃销售人数。"
        ),
        "def.churn_drivers": (
            "流失原因（与流失率激增预警并列）：当月流失客户与留存客户在此前 12 个月的每客户工单数、"
            "有工单客户占比、满意度、解决时长中位数、每客户订单数与平均订单金额"
            "（mart_churn_drivers）。"
        ),
        "rule.cpl_increase": (
            "单条线索成本上升：某项目在某广告平台的单条线索成本较上期上升超过 {cpl_increase}，"
            "且两期来自该平台的线索均不少于 {cpl_min_leads} 条。"
        ),
        "rule.slow_lead_response": (
            "线索响应过慢：某项目首次跟进时长中位数超过 {lead_response_hours} 小时，且得到"
            "跟进的线索"
            "不少于 {lead_response_min_leads} 条。"
        ),
        "def.alerts": "预警规则（阈值可通过 --threshold 名称=值 或 ROI_REPORT_<名称> 设置）：",
        "rule.roi_below_target": "投资回报率低于目标：本期投资回报率 < 项目的 target_roi。",
        "rule.cac_increase": (
            "获客成本上升：获客成本较上期上升超过 {cac_increase}，且两期新客户均不少于 "
            "{cac_min_new_customers} 个。"
        ),
        "rule.churn_spike": (
            "流失率激增：本期内某个完整月份的流失率比此前 {churn_trailing_months} 个月的平均值高出 "
            "{churn_spike} 个百分点以上（至少有 {churn_min_history} 个月的数据；月初活跃客户不少于 "
            "{churn_min_customers} 个）。"
        ),
        "rule.conversion_drop": (
            "转化率下降：线索转商机率较上期相对下降超过 {conversion_drop}，且两期线索均不少于 "
            "{conversion_min_leads} 条。"
        ),
        "rule.data_quality": (
            "数据质量：本报告所对应的运行失败、有行被隔离、"
            "有检查未通过或有数据源未及时更新（audit 模式）。"
        ),
        "print_hint": "可按 A4 打印（图表已按页面尺寸排版）。",
        "footer": (
            "由 `roi report` 根据 {warehouse} 生成；"
            "运行编号 {run_id}。数据为截至 {data_end} 的已发布数据集市。"
        ),
    },
}


def text(lang: str, key: str, **values: object) -> str:
    message = MESSAGES[lang][key]
    return message.format(**values) if values else message


@functools.cache
def dbt_labels_zh(models_dir: Path = DBT_PROJECT_DIR / "models" / "marts") -> dict[str, str]:
    """column name -> meta.label_zh from the marts' dbt model files (first one wins)."""
    labels: dict[str, str] = {}
    for path in sorted(models_dir.rglob("_*__models.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            for column in model.get("columns", []):
                meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
                if "label_zh" in meta:
                    labels.setdefault(column["name"], meta["label_zh"])
    return labels


def column_label(lang: str, column: str) -> str:
    """The label of a mart column: English from COLUMN_LABELS_EN, Chinese from the dbt docs."""
    if lang == "zh":
        return dbt_labels_zh().get(column, COLUMN_LABELS_EN.get(column, column))
    return COLUMN_LABELS_EN.get(column, column)
