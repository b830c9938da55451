"""The steps of an index's method: missing data, treatment, normalisation and aggregation.

Each step is a small model with a `method` and only the parameters that method
reads, so a parameter given to the wrong method is an error, not a silent
no-op. A bare word (`treat: log`) is shorthand for `{method: log}`. Formulas are
in docs/methodology.md.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import Field, PositiveInt, model_validator

from indexc.spec.base import Identifier, StrictModel


def _bare_method(value: Any) -> Any:
    return {"method": value} if isinstance(value, str) else value


class _Step(Protocol):
    """A step's model: which fields were given, and its method."""

    @property
    def model_fields_set(self) -> set[str]: ...

    @property
    def method(self) -> str: ...


def _only(model: _Step, allowed: dict[str, tuple[str, ...]]) -> None:
    """Parameters of other methods are refused: they would be ignored."""
    given = {name for name in model.model_fields_set if name != "method"}
    stray = sorted(given - set(allowed.get(model.method, ())))
    if stray:
        verb = "does" if len(stray) == 1 else "do"
        raise ValueError(f"{', '.join(stray)} {verb} not apply to method '{model.method}'")


class Treatment(StrictModel):
    method: Literal["none", "winsorise", "log", "jrc"]
    lower: float | None = Field(default=None, ge=0.0, le=1.0, strict=True)
    upper: float | None = Field(default=None, ge=0.0, le=1.0, strict=True)
    max_points: PositiveInt = Field(default=5, strict=True, le=50)
    skew: float = Field(default=2.0, gt=0, strict=True)
    kurtosis: float = Field(default=3.5, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _bare_method(value)

    @model_validator(mode="after")
    def _parameters(self) -> Treatment:
        _only(self, {"winsorise": ("lower", "upper"), "jrc": ("max_points", "skew", "kurtosis")})
        if self.method == "winsorise":
            if self.lower is None or self.upper is None:
                raise ValueError(
                    "winsorise needs lower and upper percentiles, such as lower: 0.05, upper: 0.95"
                )
            if self.lower >= self.upper:
                raise ValueError(f"lower ({self.lower:g}) must be below upper ({self.upper:g})")
        return self


class Normalisation(StrictModel):
    method: Literal["zscore", "minmax", "percentile_rank", "rank", "borda", "goalpost"]
    mean: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    sd: float | None = Field(default=None, gt=0, strict=True, allow_inf_nan=False)
    low: float = Field(default=0.0, strict=True, allow_inf_nan=False)
    high: float = Field(default=100.0, strict=True, allow_inf_nan=False)
    worst: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    target: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    cap: bool = Field(default=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _bare_method(value)

    @model_validator(mode="after")
    def _parameters(self) -> Normalisation:
        _only(
            self,
            {
                "zscore": ("mean", "sd"),
                "minmax": ("low", "high"),
                "goalpost": ("worst", "target", "cap"),
            },
        )
        if self.method == "zscore" and (self.mean is None) != (self.sd is None):
            raise ValueError("a rescaled z-score needs both mean and sd")
        if self.method == "minmax" and self.low >= self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.method == "goalpost":
            if self.worst is None or self.target is None:
                raise ValueError("goalpost needs worst and target, in the metric's units")
            if self.worst == self.target:
                raise ValueError("worst and target must differ")
        return self

    @property
    def lowest_score(self) -> float | None:
        """The least score this normalisation can give, when it has one (None: unbounded below)."""
        if self.method == "minmax":
            return self.low
        if self.method in ("percentile_rank", "borda", "goalpost"):
            return 0.0 if self.method != "goalpost" or self.cap else None
        if self.method == "rank":
            return 1.0
        return None

    def describe(self) -> str:
        if self.method == "zscore" and self.mean is not None:
            return f"zscore rescaled to mean {self.mean:g}, sd {self.sd:g}"
        if self.method == "minmax":
            return f"minmax onto {self.low:g}-{self.high:g}"
        return self.method


class Aggregation(StrictModel):
    method: Literal["arithmetic", "geometric", "harmonic", "generalised"]
    p: float | None = Field(default=None, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _bare_method(value)

    @model_validator(mode="after")
    def _parameters(self) -> Aggregation:
        _only(self, {"generalised": ("p",)})
        if self.method == "generalised" and not self.p:
            raise ValueError(
                "the generalised mean needs a non-zero power p (p: 0 is the geometric mean)"
            )
        return self

    def needs_positive(self) -> bool:
        return self.method in ("geometric", "harmonic") or (
            self.method == "generalised" and (self.p or 0) < 0
        )

    def needs_non_negative(self) -> bool:
        return self.method == "generalised"


class Impute(StrictModel):
    impute: Literal["mean", "median"]
    group: Identifier
    """`type` (the register type of each area) or an area map of type group."""


class MetricOverride(StrictModel):
    treat: Treatment | None = None
    normalise: Normalisation | None = None


class LensScreen(StrictModel):
    lens: Identifier
    min_share: float = Field(strict=True, allow_inf_nan=False)
    """The share of the lens's metrics, at any depth, an area must have a value of."""


class Screen(StrictModel):
    """Which areas are left out of a period before treatment, for having too few values in it.

    Composite-indicator practice screens units by data availability before treating and normalising
    (the OECD/JRC Handbook; COINr's `Screen()`): a sparsely covered area would otherwise get a score
    from a handful of metrics and move everyone else's min-max, z-score and winsorisation bounds. A
    share counts metrics with a value (not imputed) for the area in the period, out of the rule's
    metrics with a value for some area of the universe in that period. Shares are checked in
    validate/screening.py (IX330-IX334), so a bad one gets its own code rather than a schema error.
    """

    min_share: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    """The share of the index's metrics an area must have a value of; None: no index-wide rule."""
    lenses: tuple[LensScreen, ...] = ()

    def rules(self) -> list[tuple[str | None, float]]:
        """Each rule as (lens, or None for the index's metrics, threshold), the index's first."""
        index = [(None, self.min_share)] if self.min_share is not None else []
        return index + [(rule.lens, rule.min_share) for rule in self.lenses]


class Method(StrictModel):
    treat: Treatment = Treatment(method="none")
    normalise: Normalisation
    scope: Literal["period", "panel"] = "period"
    missing: Literal["reweight"] | Impute = "reweight"
    min_coverage: float = Field(default=0.0, ge=0.0, le=1.0, strict=True)
    """The share of the top lenses' weight that must have a score for an area to be ranked (0: any)."""
    screen: Screen | None = None
    """Areas left out of a period before treatment (None: none is)."""
    aggregate: Aggregation = Aggregation(method="arithmetic")
    overrides: dict[Identifier, MetricOverride] = Field(default_factory=dict)

    def treatment_of(self, metric_id: str) -> Treatment:
        override = self.overrides.get(metric_id)
        return override.treat if override and override.treat else self.treat

    def normalisation_of(self, metric_id: str) -> Normalisation:
        override = self.overrides.get(metric_id)
        return override.normalise if override and override.normalise else self.normalise
