"""What a submission is read for: the region, the year given (if any), the catalog and the region table."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.catalog import Catalog
from analytics.regions import RegionTable


@dataclass(frozen=True)
class Context:
    region: str  # the province or prefecture the department reports for, or the country (100000)
    region_name: str
    year: int | None  # the year the importer gave; None: the file must say it
    catalog: Catalog
    regions: RegionTable
