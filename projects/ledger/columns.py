"""The ledger's columns as data: the template's header, the words zones write instead, the parser.

Each `Column` is one row of the table below; the reader, the template, the export and the preview
all read it, so a new column (e.g. a pipeline date) is one more entry here and one more value in
the export's row.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..dates import validate_happened, validate_planned
from ..models import ListingKind, ListingLevel, ProjectType, Stage

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("10000000000")  # the model's 12 digits with 2 decimals
UNIT_FACTORS = {"万元": Decimal(1), "亿元": Decimal(10000), "元": Decimal("0.0001")}
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class CellError(ValueError):
    pass


# --- cell parsers ------------------------------------------------------------------------------


def parse_text(value, limit=None):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    text = str(value).strip()
    if limit and len(text) > limit:
        raise CellError(_("too long (at most %(limit)s characters)") % {"limit": limit})
    return text


def parse_money(value, factor=Decimal(1)):
    """A non-negative amount, converted exactly to 万元 by `factor` (10000 for 亿元) and rounded to 0.01."""
    if isinstance(value, bool):
        raise CellError(_("not a number"))
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        else:
            number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise CellError(_("not a number")) from None
    if not number.is_finite():
        raise CellError(_("not a number"))
    if number < 0:
        raise CellError(_("negative amount"))
    number *= factor
    if number >= MONEY_LIMIT:  # before rounding: 1e26 has no room for cents in Decimal's precision
        raise CellError(_("amount too large"))
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _coordinate(value, low, high, name):
    from ..geo import parse_coordinate

    try:
        number = parse_coordinate(value.replace("°", "") if isinstance(value, str) else value)
    except ValueError:
        raise CellError(_("not a number")) from None
    if not low <= number <= high:
        raise CellError(
            _("%(name)s out of range (between %(low)s and %(high)s)")
            % {"name": name, "low": low, "high": high}
        )
    return number


def parse_longitude(value):
    """A longitude in degrees (119.62, '119.62°'); the zone lies near 119.6."""
    return _coordinate(value, -180, 180, _("longitude"))


def parse_latitude(value):
    """A latitude in degrees (32.19); the zone lies near 32.1."""
    return _coordinate(value, -90, 90, _("latitude"))


def parse_integer(value, suffix=""):
    if isinstance(value, bool):
        raise CellError(_("not a whole number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(_("not a whole number"))
    text = str(value).strip()
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)].strip()
    if not re.fullmatch(r"\d{1,6}(\.0+)?", text):
        raise CellError(_("not a whole number"))
    return int(float(text))


def parse_year(value):
    year = parse_integer(value, "年")
    if not 2000 <= year <= 2100:
        raise CellError(_("year outside 2000–2100"))
    return year


def parse_month(value):
    month = parse_integer(value, "月")
    if not 1 <= month <= 12:
        raise CellError(_("month outside 1–12"))
    return month


def parse_date(value):
    """An Excel date, an Excel serial number, or text: 2023-03-15, 2023/3/15, 2023.3.15, 2023年3月15日."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell without a date format reaches us as its serial number (days since 1899-12-30).
        if 20000 <= value <= 80000:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
        raise CellError(_("unreadable date"))
    match = DATE_TEXT.match(str(value).strip())
    if not match:
        raise CellError(_("unreadable date"))
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("unreadable date")) from None


def parse_happened(value):
    """A date something happened on (signing, filing, start): between 2000 and today, as when typed."""
    return _bounded(parse_date(value), validate_happened)


def parse_planned(value):
    """A planned date: between 2000 and 2100, as when typed."""
    return _bounded(parse_date(value), validate_planned)


def _bounded(date, validate):
    try:
        validate(date)
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from None
    return date


LEVELS = {"省重点": ListingLevel.PROVINCE, "市重点": ListingLevel.CITY, "区重点": ListingLevel.DISTRICT}
KINDS = {"新建": ListingKind.NEW, "续建": ListingKind.CONTINUING}
STAGES = {
    "在谈": Stage.NEGOTIATING,
    "签约": Stage.SIGNED,
    "前期": Stage.PREPARATION,
    "在建": Stage.CONSTRUCTION,
    "竣工": Stage.COMPLETED,
    "投产": Stage.PRODUCTION,
}
LEVEL_LABELS = {value: label for label, value in LEVELS.items()}
KIND_LABELS = {value: label for label, value in KINDS.items()}
STAGE_LABELS = {value: label for label, value in STAGES.items()}
# The project type (whose node-plan template the project gets): the template's words first, then
# the words zones write for the same thing.
PROJECT_TYPES = {
    "工业新建": ProjectType.NEW_BUILD,
    "扩建/技术改造": ProjectType.EXPANSION,
    "基础设施": ProjectType.INFRASTRUCTURE,
}
PROJECT_TYPE_WORDS = {
    "新建工业": ProjectType.NEW_BUILD,
    "工业": ProjectType.NEW_BUILD,
    "扩建": ProjectType.EXPANSION,
    "改扩建": ProjectType.EXPANSION,
    "技术改造": ProjectType.EXPANSION,
    "技改": ProjectType.EXPANSION,
    "扩建技改": ProjectType.EXPANSION,
    "扩建/技改": ProjectType.EXPANSION,
    "基础设施建设": ProjectType.INFRASTRUCTURE,
    "基建": ProjectType.INFRASTRUCTURE,
}
PROJECT_TYPE_LABELS = {value: label for label, value in PROJECT_TYPES.items()}
# What zones write in a cell instead of the template's words.
LEVEL_WORDS = {"省": ListingLevel.PROVINCE, "市": ListingLevel.CITY, "区": ListingLevel.DISTRICT}


def parse_level(value):
    text = re.sub(r"\s+", "", str(value))
    if text in LEVELS or text in ListingLevel.values:
        return LEVELS.get(text, text)
    for word, level in LEVEL_WORDS.items():
        if text in (word, f"{word}级", f"{word}重点项目"):
            return level
    raise CellError(_("unknown level (expected 省重点, 市重点 or 区重点)"))


def parse_kind(value):
    text = re.sub(r"\s+", "", str(value)).removesuffix("项目")
    if text in KINDS or text in ListingKind.values:
        return KINDS.get(text, text)
    raise CellError(_("unknown kind (expected 新建 or 续建)"))


def parse_stage(value):
    text = re.sub(r"\s+", "", str(value))
    if text in STAGES or text in Stage.values:
        return STAGES.get(text, text)
    raise CellError(_("unknown stage (expected 在谈, 签约, 前期, 在建, 竣工 or 投产)"))


def parse_project_type(value):
    text = re.sub(r"\s+", "", str(value)).replace("／", "/").replace("、", "/").removesuffix("项目")
    found = PROJECT_TYPES.get(text) or PROJECT_TYPE_WORDS.get(text)
    if found or text in ProjectType.values:
        return found or text
    raise CellError(_("unknown project type (expected 工业新建, 扩建/技术改造 or 基础设施)"))


# --- the table of columns ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str  # the template's header, also the key of a row's values
    synonyms: tuple[str, ...]  # regular expressions over the normalized header, unit removed
    parse: object  # cell value → Python value; money parsers also take the unit's factor
    required: bool = False
    own: bool = False  # a project's own field: the same in every year's row of the project
    money: bool = False
    blank: object = None  # the value of an empty optional cell


def _text(limit=None):
    return lambda value: parse_text(value, limit)


CODE = "项目编号"
NAME = "项目名称"
ENTERPRISE = "建设单位"
PARK = "所属板块"
YEAR = "年度"
LEVEL = "项目级别"
KIND = "项目类型"
INDUSTRY = "产业类别"
TOTAL = "总投资（万元）"
PLANNED = "年度计划投资（万元）"
PLANNED_START = "计划开工日期"
ACTUAL_START = "实际开工日期"
STAGE = "项目阶段"
LEADER = "挂钩委领导"
GRID_WORKER = "网格员"
DEPARTMENT = "牵头部门"
CONTENT = "建设内容"
# The pipeline's dates (签约, 立项备案): optional; empty, a recorded date is kept.
SIGNED_ON = "签约日期"
FILED_ON = "立项备案日期"
# Optional: empty keeps a project's type (a new project: 工业新建); it chooses the node-plan template.
PROJECT_TYPE = "项目类别"
# The project's place on the zone's map: optional; empty, a recorded place is kept.
LONGITUDE = "经度"
LATITUDE = "纬度"
MONTH = "月份"
AMOUNT = "当月完成投资（万元）"
# Not a template column: a zone's year-to-date figure (1-5月累计完成), turned into month M's amount.
CUMULATIVE = "累计完成投资（万元）"
SERIAL = "序号"

LISTING_COLUMNS = [
    Column(CODE, (r"项目编号", r"编号", r"项目代码"), _text(30), required=True),
    Column(NAME, (r"项目名称", r"项目"), _text(200), required=True, own=True),
    Column(
        ENTERPRISE, (r"建设单位", r"项目单位", r"业主单位", r"建设主体"), _text(200), required=True, own=True
    ),
    Column(
        PARK,
        (r"所属板块", r"所在板块", r"属地", r"所在园区", r"所属园区", r"板块"),
        _text(100),
        required=True,
        own=True,
    ),
    Column(YEAR, (r"年度", r"年份"), parse_year, required=True),
    Column(LEVEL, (r"项目级别", r"级别"), parse_level, required=True),
    Column(KIND, (r"项目类型", r"建设性质", r"项目性质"), parse_kind, required=True),
    Column(INDUSTRY, (r"产业类别", r"产业类型", r"所属行业", r"行业"), _text(50), own=True, blank=""),
    Column(
        TOTAL, (r"总投资", r"计划总投资", r"项目总投资"), parse_money, required=True, own=True, money=True
    ),
    Column(
        PLANNED,
        (r"年度计划投资", r"(\d{4})年(度)?计划投资", r"年度计划", r"年计划投资", r"(\d{4})年(度)?计划"),
        parse_money,
        required=True,
        money=True,
    ),
    Column(PLANNED_START, (r"计划开工(日期|时间)", r"开工(日期|时间)计划"), parse_planned, own=True),
    Column(
        ACTUAL_START,
        (r"实际开工(日期|时间)", r"开工(日期|时间)实际", r"开工(日期|时间)"),
        parse_happened,
        own=True,
    ),
    Column(STAGE, (r"项目阶段", r"建设阶段", r"阶段"), parse_stage, own=True),
    Column(
        LEADER,
        (r"挂钩委领导", r"挂钩领导", r"责任领导", r"包挂领导", r"挂钩市领导"),
        _text(50),
        own=True,
        blank="",
    ),
    Column(GRID_WORKER, (r"网格员", r"项目网格员"), _text(50), own=True, blank=""),
    Column(DEPARTMENT, (r"牵头部门", r"责任单位", r"牵头单位", r"责任部门"), _text(100), own=True, blank=""),
    Column(CONTENT, (r"建设内容", r"建设内容及规模", r"建设规模及内容"), _text(), own=True, blank=""),
    Column(SIGNED_ON, (r"签约(日期|时间)",), parse_happened, own=True),
    Column(FILED_ON, (r"立项备案(日期|时间)", r"备案(日期|时间)"), parse_happened, own=True),
    Column(PROJECT_TYPE, (r"项目类别", r"项目分类", r"工程类别"), parse_project_type, own=True),
    Column(LONGITUDE, (r"经度(（°）|°)?", r"东经"), parse_longitude, own=True),
    Column(LATITUDE, (r"纬度(（°）|°)?", r"北纬"), parse_latitude, own=True),
]
REPORT_COLUMNS = [
    Column(CODE, (r"项目编号", r"编号"), _text(30), required=True),
    Column(YEAR, (r"年度",), parse_year, required=True),
    Column(MONTH, (r"月份",), parse_month, required=True),
    Column(AMOUNT, (r"当月完成投资",), parse_money, required=True, money=True),
]
# Year-to-date columns: 1-5月累计完成, 1-5月完成投资, 累计完成投资 (the months then from the title).
CUMULATIVE_HEADER = re.compile(
    r"^(?:(\d{1,2})-(\d{1,2})月)?(?:累计)?完成(?:投资)?$|^(?:本年)?累计完成(?:投资)?$"
)

COLUMNS = {column.header: column for column in LISTING_COLUMNS}
LISTING_HEADERS = [column.header for column in LISTING_COLUMNS]
REPORT_HEADERS = [column.header for column in REPORT_COLUMNS]
PROJECT_HEADERS = [column.header for column in LISTING_COLUMNS if column.own]
REQUIRED = {column.header for column in LISTING_COLUMNS if column.required}
TEXT_DEFAULT = {column.header: column.blank for column in LISTING_COLUMNS if column.blank is not None}
# The fields a mapping step may assign an unrecognised column to (the template's listings headers).
MAPPABLE = LISTING_HEADERS + [CUMULATIVE]
IGNORED_HEADERS = {SERIAL, "备注", "说明"}


# --- headers -----------------------------------------------------------------------------------

UNIT_IN_HEADER = re.compile(r"[（(]?\s*(亿元|万元|元)\s*[）)]?")


def normalize_header(value):
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", "", text)
    text = text.replace("(", "（").replace(")", "）").replace("～", "-").replace("~", "-")
    return text.replace("—", "-").replace("－", "-").replace("至", "-")


def split_unit(header):
    """(header without its unit, unit or None): 总投资（亿元） → (总投资, 亿元)."""
    match = UNIT_IN_HEADER.search(header)
    if not match:
        return header, None
    return (header[: match.start()] + header[match.end() :]).strip("（）:："), match.group(1)


@dataclass
class HeaderMatch:
    header: str  # the column's key (a template header, or CUMULATIVE)
    unit: str | None = None
    year: int | None = None  # a year written in the header (2023年计划投资)
    months: tuple[int, int] | None = None  # a cumulative column's months (1-5月)


def match_header(text, columns, aliases=None):
    """The column a normalized header text names, or None. `aliases`: saved mappings (text → key)."""
    if not text:
        return None
    bare, unit = split_unit(text)
    if aliases and (text in aliases or bare in aliases):
        return HeaderMatch(aliases.get(text) or aliases[bare], unit)
    for column in columns:
        if text == column.header:
            return HeaderMatch(column.header, unit)
    for column in columns:
        for pattern in column.synonyms:
            match = re.fullmatch(pattern, bare)
            if match:
                year = next((int(g) for g in match.groups() if g and g.isdigit() and len(g) == 4), None)
                return HeaderMatch(column.header, unit, year=year)
    if columns is LISTING_COLUMNS:
        match = CUMULATIVE_HEADER.fullmatch(bare)
        if match:
            months = (int(match.group(1)), int(match.group(2))) if match.group(1) else None
            return HeaderMatch(CUMULATIVE, unit, months=months)
    return None
