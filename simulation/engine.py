"""The what-if model: `simulate(data, scenarios, settings)`, a pure function.

Budget shift of X from channel A of project P to channel B of project Q (Q = P unless the
money moves across projects), over a baseline window W of whole months that the data hold
completely (default: the last `window_quarters` = 2 complete quarters):

    per channel c of a project, over W (observed):
        spend_c      = media spend (mart_ad_performance, month rows)
        n_c          = new customers: first order in W, acquisition channel c (mart_customer_ltv)
        cpc_c        = spend_c / n_c                          cost per customer
        r_c, p_c     = mean realised LTV and mean predicted LTV of those n_c customers
    X              = the amount, or share x spend_A
    per band b (settings.bands, default 0, 25%, 50%):
        lost         = X / cpc_A                              customers A no longer wins
        gained_b     = X / (cpc_B x (1 + b))                  customers B wins in addition
        A: spend_A - X, n_A - lost;  B: spend_B + X, n_B + gained_b
           (cost per customer = spend / customers; LTV totals = customers x the mean LTV)
        gross profit change  dGP_b = gained_b x r_B - lost x r_A
        predicted LTV change       = gained_b x p_B - lost x p_A
    per project, over W (observed: the sums of mart_project_roi's month rows):
        investment I, acquisition cost AC, gross profit GP, new customers N
        within a project (Q = P): I and AC unchanged, N' = N - lost + gained_b,
                                   GP' = GP + dGP_b
        across projects:  P: I - X, AC - X, N - lost, GP - lost x r_A
                          Q: I + X, AC + X, N + gained_b, GP + gained_b x r_B
                          and P + Q together (investment unchanged)
        CAC' = AC' / N';  ROI' = (GP' - I') / I'  (a zero denominator gives None)

The gross profit of the projection is the realised LTV of the customers won or lost: their
gross profit from the first order to the data's end, which may run past the window. It is
added to the window's observed gross profit; ROI is recomputed over the window with it.

Churn change of d (a fraction: -1 percentage point is -0.01) for project P, with the model
of mart_customer_ltv.predicted_ltv (docs/metrics.md#customers), so that the baseline is the
mart's own predicted LTV:

    c            = churned / active-at-month-start, summed over P's last 12 months of
                   mart_churn_monthly (observed)
    c'           = c + d, which must lie in [0, 1)
    L(c)         = min(1 / c, cap), cap when c = 0   (cap: max_lifetime_months = the dbt var
                   predicted_ltv_max_lifetime_months, 36); the mart's lifetime of P's active
                   customers must equal L(c), or the scenario is refused
    G            = sum of the active customers' avg_monthly_gross_profit
    predicted LTV of P's customers: baseline = the mart's sum of predicted_ltv
                   (= realised + G x L(c)); projected = realised + G x L(c')
    E_H(c)       = min((1 - (1 - c)^H) / c, cap), min(H, cap) when c = 0: the expected
                   active months in the next H months (E_H tends to L as H grows)
    gross profit over the horizon H = G x E_H;  cumulative ROI at its end =
                   (cumulative gross profit to date + G x E_H - cumulative investment to date)
                   / cumulative investment to date   (no new investment, no new customers)

Every result carries these assumptions as messages with their numbers, and a scenario the data
cannot support is refused with its reason (`ScenarioResult.refusal`), never projected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from foundation.periods import Period

from .data import ChannelMonth, ProjectCustomers, SimulationData
from .messages import Message, Numbers
from .results import MODEL, OBSERVED, Figure, ScenarioResult
from .scenarios import KNOWN_CHANNELS, PAID_CHANNELS, BudgetShift, ChurnChange, Scenario, Window
from .settings import SimulationSettings

# The months of churn history predicted_ltv pools (mart_customer_ltv.sql's churn_window_months).
CHURN_HISTORY_MONTHS = 12
# How far the mart's expected lifetime (rounded to 9 decimals) may lie from the model's.
LIFETIME_TOLERANCE_MONTHS = 1e-6
# Amounts are floats: an amount equal to the spend, computed from a share of 100%, may exceed
# it by a rounding error.
RELATIVE_TOLERANCE = 1e-9


class _Refused(Exception):
    def __init__(self, reason: Message):
        super().__init__(reason.key)
        self.reason = reason


def _refuse(key: str, **values) -> _Refused:
    return _Refused(Message.of(f"refusal.{key}", **values))


def simulate(
    data: SimulationData,
    scenarios: Iterable[Scenario],
    settings: SimulationSettings | None = None,
) -> list[ScenarioResult]:
    """One result per scenario, in order: a projection with its assumptions, or a refusal."""
    settings = settings or SimulationSettings()
    results = []
    for index, scenario in enumerate(scenarios, start=1):
        description = describe(scenario, settings)
        try:
            if isinstance(scenario, BudgetShift):
                result = _budget_shift(index, scenario, description, data, settings)
            else:
                result = _churn_change(index, scenario, description, data, settings)
        except _Refused as refused:
            result = ScenarioResult(index, scenario, description, refusal=refused.reason)
        results.append(result)
    return results


def describe(scenario: Scenario, settings: SimulationSettings) -> Message:
    """What the scenario asks, in its own terms (no data needed)."""
    if isinstance(scenario, ChurnChange):
        return Message.of(
            "describe.churn_change",
            project=scenario.project,
            points=scenario.change * 100,
            horizon=scenario.horizon_months or settings.horizon_months,
        )
    terms = dict(
        project=scenario.project,
        from_channel=scenario.from_channel,
        to_project=scenario.receiving_project,
        to_channel=scenario.to_channel,
    )
    if scenario.amount is not None:
        return Message.of("describe.budget_shift_amount", amount=scenario.amount, **terms)
    return Message.of("describe.budget_shift_share", share=scenario.share, **terms)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


# ---------------------------------------------------------------------------- the window


def _previous_quarter(quarter: Period) -> Period:
    return Period.containing("quarter", quarter.start - dt.timedelta(days=1))


def default_window(
    data_start: dt.date, data_end: dt.date, quarters: int
) -> tuple[Window, tuple[Message, ...]]:
    """The last `quarters` complete quarters of the data (fewer, with a note saying so, when
    the data begin later); refused when not one quarter is complete."""
    last = Period.containing("quarter", data_end)
    if data_end < last.end:
        last = _previous_quarter(last)
    if last.start < data_start:
        raise _refuse("no_complete_quarter", data_start=data_start, data_end=data_end)
    first, held = last, 1
    while held < quarters and _previous_quarter(first).start >= data_start:
        first, held = _previous_quarter(first), held + 1
    notes: tuple[Message, ...] = ()
    if held < quarters:
        notes = (
            Message.of(
                "assumption.window_shortened", wanted=quarters, got=held, data_start=data_start
            ),
        )
    return Window(first, last), notes


def _window(
    requested: Window | None, data: SimulationData, settings: SimulationSettings
) -> tuple[Window, tuple[Message, ...]]:
    if requested is None:
        return default_window(data.data_start, data.data_end, settings.window_quarters)
    if requested.end > data.data_end:
        raise _refuse(
            "window_after_data", label=requested.label, end=requested.end, data_end=data.data_end
        )
    if requested.start < data.data_start:
        raise _refuse(
            "window_before_data",
            label=requested.label,
            start=requested.start,
            data_start=data.data_start,
        )
    return requested, ()


# ---------------------------------------------------------------------------- checks


def _check_project(project: str, data: SimulationData) -> None:
    if project not in data.projects:
        raise _refuse("unknown_project", project=project, projects=", ".join(data.projects))


def _check_paid_channel(channel: str) -> None:
    if channel not in KNOWN_CHANNELS:
        raise _refuse("unknown_channel", channel=channel, channels=", ".join(KNOWN_CHANNELS))
    if channel not in PAID_CHANNELS:
        raise _refuse("not_paid_channel", channel=channel, paid=", ".join(PAID_CHANNELS))


# ---------------------------------------------------------------------------- budget shift


@dataclass(frozen=True)
class _ChannelTotals:
    project: str
    channel: str
    spend: float
    customers: int
    realized_ltv: float
    predicted_ltv: float

    @property
    def scope(self) -> str:
        return f"{self.project} {self.channel}"

    @property
    def cost_per_customer(self) -> float:
        return self.spend / self.customers

    @property
    def mean_realized_ltv(self) -> float:
        return self.realized_ltv / self.customers

    @property
    def mean_predicted_ltv(self) -> float:
        return self.predicted_ltv / self.customers


@dataclass(frozen=True)
class _ProjectTotals:
    investment: float
    acquisition_cost: float
    gross_profit: float
    new_customers: int

    def __add__(self, other: _ProjectTotals) -> _ProjectTotals:
        return _ProjectTotals(
            self.investment + other.investment,
            self.acquisition_cost + other.acquisition_cost,
            self.gross_profit + other.gross_profit,
            self.new_customers + other.new_customers,
        )


def _channel_totals(
    data: SimulationData, project: str, channel: str, window: Window
) -> _ChannelTotals:
    rows: list[ChannelMonth] = [
        row
        for row in data.channel_months
        if row.project_code == project and row.channel == channel and window.holds(row.month_start)
    ]
    return _ChannelTotals(
        project,
        channel,
        sum(row.spend for row in rows),
        sum(row.new_customers for row in rows),
        sum(row.realized_ltv for row in rows),
        sum(row.predicted_ltv for row in rows),
    )


def _project_totals(data: SimulationData, project: str, window: Window) -> _ProjectTotals:
    rows = [
        row
        for row in data.project_months
        if row.project_code == project and window.holds(row.month_start)
    ]
    return _ProjectTotals(
        sum(row.total_investment for row in rows),
        sum(row.acquisition_cost for row in rows),
        sum(row.gross_profit for row in rows),
        sum(row.new_customers for row in rows),
    )


def _channel_figures(
    totals: _ChannelTotals, spend: Sequence[float], customers: Sequence[float]
) -> list[Figure]:
    """The channel's figures before and after: spend and customers per column given, the
    LTV totals at the channel's mean LTV per customer."""
    scope = ((totals.project,), totals.channel)
    return [
        Figure(*scope, "media_spend", "money", OBSERVED, totals.spend, tuple(spend)),
        Figure(*scope, "new_customers", "count", OBSERVED, totals.customers, tuple(customers)),
        Figure(
            *scope,
            "cost_per_customer",
            "money",
            OBSERVED,
            totals.cost_per_customer,
            tuple(_ratio(s, n) for s, n in zip(spend, customers, strict=True)),
        ),
        Figure(
            *scope,
            "realized_ltv_total",
            "money",
            OBSERVED,
            totals.realized_ltv,
            tuple(n * totals.mean_realized_ltv for n in customers),
        ),
        # predicted LTV is the mart's model, not an observation
        Figure(
            *scope,
            "predicted_ltv_total",
            "money",
            MODEL,
            totals.predicted_ltv,
            tuple(n * totals.mean_predicted_ltv for n in customers),
        ),
    ]


def _project_figures(
    projects: tuple[str, ...],
    observed: _ProjectTotals,
    investment: Sequence[float],
    acquisition_cost: Sequence[float],
    new_customers: Sequence[float],
    gross_profit: Sequence[float],
) -> list[Figure]:
    columns = range(len(investment))

    def figure(metric: str, unit: str, baseline: float | None, projected) -> Figure:
        return Figure(projects, None, metric, unit, OBSERVED, baseline, tuple(projected))

    return [
        figure("investment", "money", observed.investment, investment),
        figure("acquisition_cost", "money", observed.acquisition_cost, acquisition_cost),
        figure("new_customers", "count", observed.new_customers, new_customers),
        figure(
            "cac",
            "money",
            _ratio(observed.acquisition_cost, observed.new_customers),
            (_ratio(acquisition_cost[i], new_customers[i]) for i in columns),
        ),
        figure("gross_profit", "money", observed.gross_profit, gross_profit),
        figure(
            "roi",
            "ratio",
            _ratio(observed.gross_profit - observed.investment, observed.investment),
            (_ratio(gross_profit[i] - investment[i], investment[i]) for i in columns),
        ),
    ]


def _budget_shift(
    index: int,
    shift: BudgetShift,
    description: Message,
    data: SimulationData,
    settings: SimulationSettings,
) -> ScenarioResult:
    _check_project(shift.project, data)
    _check_project(shift.receiving_project, data)
    _check_paid_channel(shift.from_channel)
    _check_paid_channel(shift.to_channel)
    if not shift.across_projects and shift.from_channel == shift.to_channel:
        raise _refuse("moves_nothing", project=shift.project, channel=shift.from_channel)
    window, window_notes = _window(shift.window, data, settings)
    source = _channel_totals(data, shift.project, shift.from_channel, window)
    target = _channel_totals(data, shift.receiving_project, shift.to_channel, window)
    for side in (source, target):
        if side.customers < settings.min_customers:
            raise _refuse(
                "too_few_customers",
                project=side.project,
                channel=side.channel,
                customers=side.customers,
                label=window.label,
                minimum=settings.min_customers,
            )
        if side.spend <= 0:
            raise _refuse(
                "no_spend", project=side.project, channel=side.channel, label=window.label
            )
    currency = data.reporting_currency
    amount = shift.amount if shift.amount is not None else shift.share * source.spend
    if amount - source.spend > RELATIVE_TOLERANCE * source.spend:
        raise _refuse(
            "amount_above_spend",
            amount=amount,
            currency=currency,
            project=shift.project,
            channel=shift.from_channel,
            label=window.label,
            spend=source.spend,
        )
    amount = min(amount, source.spend)

    bands = settings.bands
    lost = amount / source.cost_per_customer
    gained = [amount / (target.cost_per_customer * (1 + band)) for band in bands]

    figures = _channel_figures(
        source,
        spend=[source.spend - amount for _ in bands],
        customers=[source.customers - lost for _ in bands],
    )
    figures += _channel_figures(
        target,
        spend=[target.spend + amount for _ in bands],
        customers=[target.customers + extra for extra in gained],
    )
    lost_profit = lost * source.mean_realized_ltv
    gained_profit = [extra * target.mean_realized_ltv for extra in gained]
    origin = _project_totals(data, shift.project, window)
    if not shift.across_projects:
        figures += _project_figures(
            (shift.project,),
            origin,
            investment=[origin.investment for _ in bands],
            acquisition_cost=[origin.acquisition_cost for _ in bands],
            new_customers=[origin.new_customers - lost + extra for extra in gained],
            gross_profit=[origin.gross_profit - lost_profit + won for won in gained_profit],
        )
        money_moves = Message.of("assumption.investment_unchanged", project=shift.project)
    else:
        receiver = _project_totals(data, shift.receiving_project, window)
        figures += _project_figures(
            (shift.project,),
            origin,
            investment=[origin.investment - amount for _ in bands],
            acquisition_cost=[origin.acquisition_cost - amount for _ in bands],
            new_customers=[origin.new_customers - lost for _ in bands],
            gross_profit=[origin.gross_profit - lost_profit for _ in bands],
        )
        figures += _project_figures(
            (shift.receiving_project,),
            receiver,
            investment=[receiver.investment + amount for _ in bands],
            acquisition_cost=[receiver.acquisition_cost + amount for _ in bands],
            new_customers=[receiver.new_customers + extra for extra in gained],
            gross_profit=[receiver.gross_profit + won for won in gained_profit],
        )
        both = origin + receiver
        figures += _project_figures(
            (shift.project, shift.receiving_project),
            both,
            investment=[both.investment for _ in bands],
            acquisition_cost=[both.acquisition_cost for _ in bands],
            new_customers=[both.new_customers - lost + extra for extra in gained],
            gross_profit=[both.gross_profit - lost_profit + won for won in gained_profit],
        )
        money_moves = Message.of(
            "assumption.investment_moves",
            project=shift.project,
            to_project=shift.receiving_project,
            amount=amount,
            currency=currency,
        )

    assumptions = [
        Message.of(
            "assumption.constant_efficiency",
            currency=currency,
            from_scope=source.scope,
            cost_from=source.cost_per_customer,
            to_scope=target.scope,
            cost_to=target.cost_per_customer,
        )
    ]
    raised = [band for band in bands if band > 0]
    if raised:
        assumptions.append(Message.of("assumption.cost_bands", bands=Numbers(raised)))
    assumptions += [
        Message.of(
            "assumption.average_customer",
            from_scope=source.scope,
            realized_from=source.mean_realized_ltv,
            to_scope=target.scope,
            realized_to=target.mean_realized_ltv,
            predicted_from=source.mean_predicted_ltv,
            predicted_to=target.mean_predicted_ltv,
        ),
        Message.of("assumption.gross_profit_to_date", data_end=data.data_end),
        money_moves,
        Message.of("assumption.rest_unchanged"),
        *window_notes,
    ]
    return ScenarioResult(
        index,
        shift,
        description,
        window=window,
        basis=(
            Message.of(
                "basis.window",
                start=window.start,
                end=window.end,
                label=window.label,
                data_end=data.data_end,
                currency=currency,
            ),
            Message.of(
                "basis.amount",
                amount=amount,
                currency=currency,
                share=amount / source.spend,
                project=shift.project,
                from_channel=shift.from_channel,
                spend=source.spend,
            ),
        ),
        columns=tuple(Message.of("column.band", increase=band) for band in bands),
        figures=tuple(figures),
        assumptions=tuple(assumptions),
    )


# ---------------------------------------------------------------------------- churn change


def expected_lifetime(churn: float, cap: int) -> float:
    """predicted_ltv's expected remaining lifetime of an active customer: 1 / churn months,
    at most `cap` (the cap when nobody churns)."""
    return float(cap) if churn == 0 else min(1 / churn, float(cap))


def expected_active_months(churn: float, horizon: int, cap: int) -> float:
    """The expected months an active customer stays active in the next `horizon` months:
    1 + (1 - churn) + ... + (1 - churn)^(horizon - 1), at most `cap`."""
    if churn == 0:
        return float(min(horizon, cap))
    return min((1 - (1 - churn) ** horizon) / churn, float(cap))


def _customers(data: SimulationData, project: str) -> ProjectCustomers | None:
    return next((row for row in data.customers if row.project_code == project), None)


def _to_date(data: SimulationData, project: str) -> tuple[float, float]:
    """Cumulative investment and gross profit at the data's end (the project's last month)."""
    rows = [
        row
        for row in data.project_months
        if row.project_code == project and row.month_start <= data.data_end
    ]
    if not rows:
        return 0.0, 0.0
    last = max(rows, key=lambda row: row.month_start)
    return last.cumulative_investment, last.cumulative_gross_profit


def _churn_change(
    index: int,
    change: ChurnChange,
    description: Message,
    data: SimulationData,
    settings: SimulationSettings,
) -> ScenarioResult:
    project = change.project
    _check_project(project, data)
    customers = _customers(data, project)
    if customers is None or customers.customers == 0:
        raise _refuse("no_customers", project=project)
    history = sorted(
        (row for row in data.churn_months if row.project_code == project),
        key=lambda row: row.month_start,
    )[-CHURN_HISTORY_MONTHS:]
    active = sum(row.active_customers_start for row in history)
    churned = sum(row.churned_customers for row in history)
    if active == 0:
        raise _refuse("no_churn_history", project=project, months=CHURN_HISTORY_MONTHS)
    if customers.active_customers == 0:
        raise _refuse("no_active_customers", project=project, data_end=data.data_end)
    churn = churned / active
    # rounded so that 5% - 5 points is 0, not a float's -1e-18
    new_churn = round(churn + change.change, 12)
    points = change.change * 100
    if not 0 <= new_churn < 1:
        raise _refuse("churn_out_of_range", churn=churn, points=points, new_churn=new_churn)
    cap = settings.max_lifetime_months
    lifetime = expected_lifetime(churn, cap)
    if (
        customers.remaining_lifetime_months is not None
        and abs(customers.remaining_lifetime_months - lifetime) > LIFETIME_TOLERANCE_MONTHS
    ):
        raise _refuse(
            "model_mismatch",
            project=project,
            mart=customers.remaining_lifetime_months,
            model=lifetime,
            cap=cap,
        )
    new_lifetime = expected_lifetime(new_churn, cap)
    horizon = change.horizon_months or settings.horizon_months
    monthly = customers.active_monthly_gross_profit
    predicted = customers.realized_ltv + monthly * new_lifetime
    horizon_profit = monthly * expected_active_months(churn, horizon, cap)
    new_horizon_profit = monthly * expected_active_months(new_churn, horizon, cap)
    investment, gross_profit = _to_date(data, project)
    currency = data.reporting_currency

    def figure(metric: str, unit: str, kind: str, baseline, projected) -> Figure:
        return Figure((project,), None, metric, unit, kind, baseline, (projected,))

    figures = (
        figure("monthly_churn_rate", "rate", OBSERVED, churn, new_churn),
        figure("expected_lifetime_months", "months", MODEL, lifetime, new_lifetime),
        figure("customers_predicted_ltv", "money", MODEL, customers.predicted_ltv, predicted),
        figure(
            "predicted_ltv_per_customer",
            "money",
            MODEL,
            customers.predicted_ltv / customers.customers,
            predicted / customers.customers,
        ),
        figure("horizon_gross_profit", "money", MODEL, horizon_profit, new_horizon_profit),
        figure(
            "cumulative_gross_profit_at_horizon",
            "money",
            MODEL,
            gross_profit + horizon_profit,
            gross_profit + new_horizon_profit,
        ),
        figure(
            "cumulative_roi_at_horizon",
            "ratio",
            MODEL,
            _ratio(gross_profit + horizon_profit - investment, investment),
            _ratio(gross_profit + new_horizon_profit - investment, investment),
        ),
    )
    to_date = (
        Message.of(
            "basis.to_date",
            data_end=data.data_end,
            investment=investment,
            gross_profit=gross_profit,
            roi=(gross_profit - investment) / investment,
            currency=currency,
        )
        if investment
        else Message.of(
            "basis.to_date_no_investment",
            data_end=data.data_end,
            gross_profit=gross_profit,
            currency=currency,
        )
    )
    assumptions = [
        Message.of("assumption.churn_model", data_end=data.data_end, cap=cap),
        Message.of("assumption.constant_churn", points=points, data_end=data.data_end),
        Message.of("assumption.horizon", horizon=horizon, cap=cap),
        Message.of("assumption.no_new_business", data_end=data.data_end),
    ]
    if min(churn, new_churn) * cap <= 1:  # 1 / churn >= cap for one of them
        assumptions.append(
            Message.of(
                "assumption.lifetime_cap",
                cap=cap,
                uncapped_baseline=_ratio(1, churn) or float("inf"),
                uncapped_projected=_ratio(1, new_churn) or float("inf"),
                threshold=1 / cap,
            )
        )
    return ScenarioResult(
        index,
        change,
        description,
        basis=(
            Message.of(
                "basis.churn_history",
                churn=churn,
                churned=churned,
                active=active,
                months=len(history),
                first_month=history[0].month_start.strftime("%Y-%m"),
                last_month=history[-1].month_start.strftime("%Y-%m"),
            ),
            Message.of(
                "basis.customers",
                active=customers.active_customers,
                project=project,
                customers=customers.customers,
                data_end=data.data_end,
                monthly_gross_profit=monthly,
                currency=currency,
            ),
            to_date,
        ),
        columns=(Message.of("column.churn", churn=new_churn),),
        figures=figures,
        assumptions=tuple(assumptions),
    )


# ---------------------------------------------------------------------------- suggestions

# The suggested scenarios' sizes (README "What-if scenarios"): a fifth of the dearest
# channel's spend, one percentage point less churn.
SUGGESTED_SHARE = 0.2
SUGGESTED_CHURN_CHANGE = -0.01


def _earned_per_spend(totals: _ChannelTotals) -> float:
    return totals.realized_ltv / totals.spend


def suggested_scenarios(
    data: SimulationData, settings: SimulationSettings | None = None
) -> list[Scenario]:
    """The scenarios worth a look when nobody wrote any (the report's What-if section without
    a scenario file), per project in code order:

    - move SUGGESTED_SHARE of the spend of its paid channel whose spend earned the least in the
      default window to the one whose spend earned the most, earning being the realised LTV
      of the channel's new customers per unit of its spend (LTV / cost per customer), among
      its paid channels with spend and at least `min_customers` new customers there (none
      unless two such differ);
    - lower its monthly churn by one percentage point.

    Only those `simulate` projects are suggested: a suggestion is never refused."""
    settings = settings or SimulationSettings()
    candidates: list[Scenario] = []
    try:
        window, _ = default_window(data.data_start, data.data_end, settings.window_quarters)
    except _Refused:
        window = None
    for project in data.projects:
        if window is not None:
            channels = [
                totals
                for totals in (
                    _channel_totals(data, project, channel, window) for channel in PAID_CHANNELS
                )
                if totals.spend > 0 and totals.customers >= settings.min_customers
            ]
            ranked = sorted(channels, key=_earned_per_spend)
            if len(ranked) >= 2 and _earned_per_spend(ranked[0]) < _earned_per_spend(ranked[-1]):
                candidates.append(
                    BudgetShift(
                        project, ranked[0].channel, ranked[-1].channel, share=SUGGESTED_SHARE
                    )
                )
        candidates.append(ChurnChange(project, SUGGESTED_CHURN_CHANGE))
    results = simulate(data, candidates, settings)
    return [result.scenario for result in results if not result.refused]
