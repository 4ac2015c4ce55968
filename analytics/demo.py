"""Synthetic demo observations (示例数据（模拟，非真实统计）) for any province; Jilin's is the embedded file.

No county figures for these indicators are published, so every number here is made up, deterministically
(fixed seed), to look plausible: denominators come from each county's 2020 census residents (births from a
falling birth rate, patients from prevalence shares, …), provincial levels are calibrated to the published
national values (shared/reference/data/national_indicator_values.csv), and counties vary with their urban
share, a prefecture effect, the mountainous east (通化, 白山, 延边) and noise, with trends over the years.

scripts/make_demo_data.py writes Jilin's file (data/demo/jilin_2020_2025.csv); the app generates other
provinces with the same function, on demand, labelled synthetic in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.attainment import attainment
from analytics.catalog import load_catalog, load_profile
from analytics.regions import load_regions

SEED = 20250825  # 残疾预防日
OBSERVED = list(range(2020, 2025))  # the years of the first series; their draws never change
FINAL_YEAR = 2025  # the plan's target year, drawn from a second stream so 2020-2024 stay as they were
YEARS = [*OBSERVED, FINAL_YEAR]
PROVINCE = "220000"
EAST = {"220500", "220600", "222400"}  # 通化, 白山, 延边: mountainous, sparser services
SOURCE = "synthetic-demo"

# Yearly rates per resident that size each denominator (plausible orders of magnitude, not statistics).
BIRTH_RATE = dict(zip(YEARS, [0.0050, 0.0047, 0.0043, 0.0040, 0.0041, 0.0039], strict=True))
MARRIAGE_RATE = dict(zip(YEARS, [0.0060, 0.0058, 0.0052, 0.0058, 0.0046, 0.0044], strict=True))


@dataclass(frozen=True)
class Level:
    """Province-wide level in 2020 and 2024, county spread (points of the unit), a ceiling, and the 2025 level
    (by default one more year at the 2020-2024 pace)."""

    start: float
    end: float
    spread: float
    ceiling: float = 99.8
    floor: float = 0.0
    final: float | None = None

    def at(self, t: int) -> float:
        """The province-wide level in year YEARS[t]."""
        if t == len(OBSERVED) and self.final is not None:
            return self.final
        return self.start + (self.end - self.start) * t / (len(OBSERVED) - 1)


# Calibration: national levels where published (see the reference CSV), shifted for a province in the
# north-east; a few set on purpose below their targets so that the province misses some indicators.
LEVELS: dict[str, Level] = {
    "knowledge_awareness": Level(74, 84, 4.0),
    "premarital_exam": Level(
        60, 67.5, 9.0, final=67.4
    ),  # national 70.9 (2021) -> 76.5 (2023); north-east lower
    "preconception_checkup": Level(88, 93, 4.0),  # national 93.5 (2022), 96.9 (2023)
    "maternal_management": Level(91.5, 94.0, 2.2),  # national 92.7 (2020) -> 94.5 (2023)
    "prenatal_screening": Level(78, 89, 5.0),  # national 81.1 (2020) -> 91.3 (2023)
    "newborn_metabolic_screening": Level(97.6, 98.9, 0.7),  # national 98.1 (2022), 99.0 (2023)
    "newborn_hearing_screening": Level(95.5, 97.8, 1.8),  # national 97.1 (2022), 98.7 (2023)
    "child_under3_management": Level(91, 93.5, 2.5),  # national 92.9 (2020) -> 94.3 (2023)
    "hypertension_management": Level(60, 66.5, 4.0),  # national "over 60 %" (2023)
    "diabetes_management": Level(59, 65.8, 4.5),
    "cataract_surgery_rate": Level(2500, 3350, 650.0, ceiling=9000),  # national "over 3000" per million
    "community_counseling_rooms": Level(70, 86, 8.0),
    "severe_mental_disorder_management": Level(86, 93, 3.0),  # national 92 (2021), > 95 (2023)
    "child_immunization": Level(96, 97.5, 1.0),  # national "above 90 %"
    "occupational_health_exam": Level(88, 93, 3.0),
    "night_noise_compliance": Level(82, 86.5, 4.0),  # national 87 (2023), 88.2 (2024)
    "rehab_physicians": Level(4.0, 6.6, 1.8, ceiling=40),  # national 4.4 (2023), "over 7" (2024); target 8
    "disabled_elderly_health_service": Level(76, 84, 4.0),
    "mental_rehab_home_patients": Level(45, 58, 8.0),
    "disability_rehab_coverage": Level(82, 88, 3.0),  # national "85 % and above" (2023)
    "assistive_device_fitting": Level(81, 87.5, 3.5),
    "barrier_free_buildings": Level(95.5, 98.6, 1.2, ceiling=100.0, final=98.7),  # national 99.5 (2023)
}

# Denominator per resident for each rate (what the formula counts), or a function of births.
PER_RESIDENT = {
    "hypertension_management": 0.065,
    "diabetes_management": 0.021,
    "severe_mental_disorder_management": 0.0046,
    "occupational_health_exam": 0.011,
    "disabled_elderly_health_service": 0.0075,
    "mental_rehab_home_patients": 0.0013,
    "disability_rehab_coverage": 0.012,
    "assistive_device_fitting": 0.0042,
}
PER_BIRTH = {
    "preconception_checkup": 1.15,
    "maternal_management": 1.0,
    "prenatal_screening": 1.04,
    "newborn_metabolic_screening": 1.0,
    "newborn_hearing_screening": 1.0,
    "child_under3_management": 3.1,
    "child_immunization": 22.0,  # doses due in a year for the cohorts under the schedule
}


def county_frame(regions, province: str) -> pd.DataFrame:
    c = regions.counties(province).reset_index(drop=True)
    c = c[c["population"].notna()].reset_index(drop=True)  # a unit without census residents gets no demo rows
    c = c[["code", "name", "parent_code", "population", "urban_share"]].copy()
    c["population"] = c["population"].astype("int64")
    c["urban_share"] = c["urban_share"].astype(float).fillna(0.5)
    c["district"] = c["name"].str.endswith("区")
    c["east"] = c["parent_code"].isin(EAST)
    return c


def capacity(c: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """A county's latent service capacity (about -2..2): urban, prefecture effect, the east, noise."""
    pref_effect = {p: rng.normal(0, 0.45) for p in sorted(c["parent_code"].unique())}
    z = (
        1.4 * (c["urban_share"].to_numpy() - 0.55)
        + 0.35 * c["district"].to_numpy()
        - 0.45 * c["east"].to_numpy()
        + c["parent_code"].map(pref_effect).to_numpy()
        + rng.normal(0, 0.55, len(c))
    )
    return (z - z.mean()) / z.std()


def seed_for(province: str) -> int:
    return SEED if province == PROVINCE else SEED + int(province)


def make(province: str = PROVINCE, seed: int | None = None) -> pd.DataFrame:
    """Synthetic observations for every county of `province`, 2020-2025, in the canonical long table."""
    seed = seed_for(province) if seed is None else seed
    rng = np.random.default_rng(seed)
    final_rng = np.random.default_rng(seed + FINAL_YEAR)  # 2025's draws: the 2020-2024 stream is untouched

    def stream(year: int) -> np.random.Generator:
        return rng if year in OBSERVED else final_rng

    catalog = load_catalog()
    regions = load_regions()
    c = county_frame(regions, province)
    n = len(c)
    if n == 0:  # no census residents to size denominators (香港, 澳门): no demo rows
        return pd.DataFrame(
            columns=["region_code", "year", "indicator_id", "numerator", "denominator", "value", "source"]
        )
    pop = c["population"].to_numpy()
    records: list[dict] = []
    status_flags: dict[str, dict[int, np.ndarray]] = {}

    def add(ind: str, year: int, num, den, value):
        for code, nu, de, va in zip(c["code"], num, den, value, strict=True):
            if nu is None and va is None:
                continue
            records.append(
                {
                    "region_code": code,
                    "year": year,
                    "indicator_id": ind,
                    "numerator": nu,
                    "denominator": de,
                    "value": va,
                }
            )

    for ind in catalog.indicators:
        z = capacity(
            c, rng
        )  # each indicator has its own county pattern, correlated through urban/east/prefecture
        trend_noise = rng.normal(0, 0.35, n)  # some counties improve faster than others
        if ind.id in LEVELS:
            lv = LEVELS[ind.id]
            for t, year in enumerate(YEARS):
                r = stream(year)
                frac = t / (len(OBSERVED) - 1)
                rate = (
                    lv.at(t) + lv.spread * (z + trend_noise * (frac - 0.5)) + r.normal(0, lv.spread * 0.25, n)
                )
                rate = np.clip(rate, lv.floor, lv.ceiling)
                if ind.rules.census_denominator:
                    den = pop.astype("int64")
                    num = np.maximum(0, np.round(rate * den / ind.scale)).astype("int64")
                else:
                    den = _rate_denominator(ind.id, year, c, r)
                    num = r.binomial(den, np.clip(rate / 100.0, 0, 1))
                    if (
                        ind.id == "barrier_free_buildings"
                    ):  # most counties build every new building accessibly
                        full = r.random(n) < (0.30 + 0.10 * t + 0.15 * np.clip(z, 0, None))
                        num = np.where(full, den, num)
                val = np.where(den > 0, num * ind.scale / np.maximum(den, 1), np.nan)
                if ind.id == "mental_rehab_home_patients":  # only counties that run community rehab report it
                    offered = status_flags["mental_rehab_counties"][year]
                    num = [int(x) if o else None for x, o in zip(num, offered, strict=True)]
                    den = [int(x) if o else None for x, o in zip(den, offered, strict=True)]
                    val = [round(float(v), 4) if o else None for v, o in zip(val, offered, strict=True)]
                    add(ind.id, year, num, den, val)
                else:
                    add(ind.id, year, num.tolist(), den.tolist(), np.round(val, 4).tolist())
        elif ind.rules.binary:
            status_flags[ind.id] = _county_status(ind.id, z, rng)
            for year, flags in status_flags[ind.id].items():
                add(ind.id, year, [None] * n, [None] * n, flags.astype(int).tolist())
        elif ind.rules.needs_baseline:
            base = np.maximum(1, rng.poisson(np.maximum(2, pop * 2.2e-5 * (1.25 - 0.25 * c["district"]))))
            yearly_drop = rng.normal(0.045, 0.035, n)
            for t, year in enumerate(YEARS):
                expected = base * np.clip(1 - yearly_drop * t, 0.3, 1.4)
                count = base if t == 0 else stream(year).poisson(expected)
                reduction = np.round((base - count) * 100.0 / base, 4)
                add(ind.id, year, count.tolist(), [None] * n, reduction.tolist())
    frame = pd.DataFrame.from_records(records)
    frame["source"] = SOURCE
    order = {i: k for k, i in enumerate(catalog.ids)}
    frame = frame.sort_values(
        ["year", "region_code", "indicator_id"], key=lambda s: s.map(order) if s.name == "indicator_id" else s
    )
    for col in ("numerator", "denominator"):
        frame[col] = frame[col].astype("Int64")
    return frame.reset_index(drop=True)


def _rate_denominator(ind_id: str, year: int, c: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    pop = c["population"].to_numpy().astype(float)
    n = len(c)
    jitter = rng.normal(1.0, 0.04, n)
    births = pop * BIRTH_RATE[year] * (1.05 - 0.1 * c["urban_share"].to_numpy()) * jitter
    if ind_id in PER_BIRTH:
        den = births * PER_BIRTH[ind_id]
    elif ind_id in PER_RESIDENT:
        den = pop * PER_RESIDENT[ind_id] * jitter
    elif ind_id == "premarital_exam":
        den = pop * MARRIAGE_RATE[year] * jitter
    elif ind_id == "knowledge_awareness":  # survey sample per county
        den = rng.integers(300, 600, n).astype(float)
    elif ind_id == "community_counseling_rooms":  # communities and villages
        den = pop / 1700 * (1.3 - 0.6 * c["urban_share"].to_numpy()) * jitter
    elif ind_id == "night_noise_compliance":  # night monitoring point-times: urban counties monitor more
        den = 4 * np.round(4 + 18 * c["urban_share"].to_numpy() ** 2)
    elif ind_id == "barrier_free_buildings":  # public buildings completed this year
        den = np.maximum(3, pop / 25000 * jitter)
    else:
        raise KeyError(ind_id)
    return np.maximum(1, np.round(den)).astype("int64")


def _county_status(ind_id: str, z: np.ndarray, rng: np.random.Generator) -> dict[int, np.ndarray]:
    n = len(z)
    if ind_id == "endemic_disease_control":
        # nearly all controlled; three weak counties lag, one catches up in 2023
        order = np.argsort(z)
        flags = {}
        for t, year in enumerate(YEARS):
            f = np.ones(n, dtype=bool)
            f[order[: (3 if t < 3 else 2)]] = False
            flags[year] = f
        return flags
    # mental_rehab_counties: community rehab spreads from 55 % of counties (2020) to about 85 % (2024)
    start = np.quantile(z, 0.45)
    flags = {}
    offered = z >= start
    for year in OBSERVED:
        flags[year] = offered.copy()
        candidates = np.flatnonzero(~offered)
        if candidates.size:
            pick = rng.choice(candidates, size=max(1, candidates.size // 5), replace=False)
            offered[pick] = True
    flags[FINAL_YEAR] = offered.copy()  # the counties that started after 2024's report
    return flags


def check(frame: pd.DataFrame, province: str = PROVINCE) -> str:
    """Met counts per year for the province, and lagging indicators per prefecture in the last year."""
    catalog, regions = load_catalog(), load_regions()
    lines = []
    for pid in ("jilin-2022-2025", "national-2021-2025"):
        profile = load_profile(pid)
        prov = attainment(frame, regions, catalog, profile, province, "province", years=YEARS)
        met = prov[prov["status"] == "met"].groupby("year").size()
        lines.append(f"{pid}: province meets " + ", ".join(f"{y}: {met.get(y, 0)}/25" for y in YEARS))
    profile = load_profile("jilin-2022-2025")
    pref = attainment(frame, regions, catalog, profile, province, "county", years=[YEARS[-1]])
    pref["prefecture"] = pref["region_code"].map(regions.prefecture_of)
    lag = pref[pref["status"] == "not_met"].groupby("prefecture")["indicator_id"].nunique()
    lines.append(
        f"{YEARS[-1]} indicators with lagging counties per prefecture: "
        + ", ".join(f"{regions.name(p)} {k}" for p, k in lag.items())
    )
    return "\n".join(lines)
