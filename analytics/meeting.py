"""What a meeting looks at: one region, one year, one target profile, evaluated at every level.

The presentation mode, the PPTX deck, the Excel workbook and the `figure` / `report` commands all start from a
`Meeting`. The web app builds one from its cached frames (`Meeting(...)` with `levels`), the CLI from a data
source (`Meeting.load`). Nothing here imports streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analytics.attainment import attainment
from analytics.catalog import Catalog, TargetProfile
from analytics.errors import AtlasError
from analytics.i18n import t
from analytics.progress import progress as county_progress
from analytics.regions import COUNTRY

LEVELS = ("county", "prefecture", "province", "country")


@dataclass
class Meeting:
    """`levels`: all years' evaluated rows (analytics.attainment) per level, for the scope: the province that
    holds the region, or the whole country (`scope` None); any mapping (the web app's evaluates a level when it is
    first asked for). `source_text` says where the numbers come from (the demo label, the store and its version,
    or a file); `synthetic` is True for the demo generator. `progress_rows`: the rows of progress(), or a function
    that makes them (called once, when first needed)."""

    catalog: Catalog
    regions: object
    profile: TargetProfile
    region_code: str
    year: int
    lang: str
    levels: Mapping[str, pd.DataFrame]
    source_text: str
    synthetic: bool
    progress_rows: pd.DataFrame | Callable[[], pd.DataFrame] | None = None
    observations: pd.DataFrame | None = (
        None  # the canonical rows evaluated (what-if scenarios start from them)
    )
    made_on: date = field(default_factory=date.today)
    _derived: dict = field(default_factory=dict, repr=False, compare=False)  # final(), followup(): made once

    # --- building -------------------------------------------------------------------------------------
    @classmethod
    def from_observations(
        cls,
        obs: pd.DataFrame,
        *,
        catalog: Catalog,
        regions,
        profile: TargetProfile,
        region_code: str,
        year: int,
        lang: str,
        source_text: str,
        synthetic: bool,
    ) -> Meeting:
        """Evaluate `obs` (canonical rows that passed the contract) at every level of the region's scope."""
        national = str(region_code) == COUNTRY
        scope = None if national else regions.get(region_code).province_code
        years = sorted(int(y) for y in obs["year"].unique()) or [year]
        wanted = (
            ("county", "prefecture", "province", "country")
            if national
            else ("county", "prefecture", "province")
        )
        levels = {lv: attainment(obs, regions, catalog, profile, scope, lv, years=years) for lv in wanted}
        return cls(
            catalog=catalog,
            regions=regions,
            profile=profile,
            region_code=str(region_code),
            year=int(year),
            lang=lang,
            levels=levels,
            source_text=source_text,
            synthetic=synthetic,
            observations=obs,
        )

    # --- where ------------------------------------------------------------------------------------------
    @property
    def national(self) -> bool:
        return self.region_code == COUNTRY

    @property
    def province(self) -> str | None:
        """The province adcode whose map is drawn (None: the whole country)."""
        return None if self.national else self.regions.get(self.region_code).province_code

    @property
    def prefecture(self) -> str | None:
        """The prefecture the meeting is about, if it is one."""
        if self.national:
            return None
        return self.region_code if self.regions.get(self.region_code).level == "prefecture" else None

    @property
    def region_name(self) -> str:
        return t("whole_country", self.lang) if self.national else self.regions.name(self.region_code)

    @property
    def region_level(self) -> str:
        return "country" if self.national else self.regions.get(self.region_code).level

    # --- rows -------------------------------------------------------------------------------------------
    def all_years(self, level: str) -> pd.DataFrame:
        return self.levels[level]

    def rows(self, level: str, year: int | None = None) -> pd.DataFrame:
        """This year's rows of `level` inside the region (a prefecture's counties when it is a prefecture)."""
        ev = self.levels[level]
        ev = ev[ev["year"] == (year or self.year)]
        if self.prefecture and level == "county":
            inside = set(self.regions.counties(self.prefecture)["code"].astype(str))
            ev = ev[ev["region_code"].astype(str).isin(inside)]
        elif self.prefecture and level == "prefecture":
            ev = ev[ev["region_code"].astype(str) == self.prefecture]
        return ev

    def region_rows(self, year: int | None = None) -> pd.DataFrame:
        """The region's own rows (one per indicator) for the year."""
        ev = self.levels[self.region_level]
        return ev[(ev["year"] == (year or self.year)) & (ev["region_code"].astype(str) == self.region_code)]

    def sub_level(self) -> str:
        """The level one down from the region: provinces of the country, prefectures of a province, counties."""
        return {"country": "province", "province": "prefecture"}.get(self.region_level, "county")

    def progress(self) -> pd.DataFrame:
        """Progress and trajectory per county and indicator (analytics.progress), computed once."""
        if self.progress_rows is None:
            self.progress_rows = county_progress(self.levels["county"], self.catalog, self.profile, self.year)
        elif callable(self.progress_rows):
            self.progress_rows = self.progress_rows()
        return self.progress_rows

    def is_final_year(self) -> bool:
        """The meeting's year is the profile's target year: the deck and workbook carry the final evaluation."""
        return self.year == self.profile.target_year and self.observations is not None

    def final(self):
        """The final evaluation (analytics.final_eval) of the region in the meeting's year, computed once; None
        without observations or with nothing to evaluate (an empty store: the deck goes without the section)."""
        from analytics.final_eval import final_evaluation

        return self._once("final", final_evaluation)

    def followup(self) -> pd.DataFrame | None:
        """The department follow-up list (analytics.followup) of the region and year, computed once; None
        without observations or without data for the year."""
        from analytics.followup import followup

        return self._once("followup", followup)

    def _once(self, name: str, build):
        """`build(observations, regions, catalog, profile, region, year, lang)`, computed once per meeting."""
        if self.observations is None:
            return None
        if name not in self._derived:
            try:
                self._derived[name] = build(
                    self.observations,
                    self.regions,
                    self.catalog,
                    self.profile,
                    self.region_code,
                    self.year,
                    self.lang,
                )
            except AtlasError:
                self._derived[name] = None
        return self._derived[name]

    # --- words ------------------------------------------------------------------------------------------
    def footer(self) -> str:
        """One line under every figure, slide and sheet: region, year, profile, source, date, demo label."""
        parts = [
            t(
                "meeting.footer",
                self.lang,
                region=self.region_name,
                year=self.year,
                profile=self.profile.name(self.lang),
            ),
            self.source_text,
            t("meeting.made_on", self.lang, date=self.made_on.isoformat()),
        ]
        if self.synthetic:
            parts.insert(0, t("meeting.demo_label", self.lang))
        return " · ".join(p for p in parts if p)

    def map_note(self) -> str:
        """The boundary note every exported map carries (示意图, source)."""
        return t("map_source", self.lang)
