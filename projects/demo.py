"""The demo zone: a believable development zone built from the source article (see PRODUCT.md).

`load_demo()` first draws a complete *plan* (plain Python data, from a fixed random seed and today's
date), then writes only what is missing, keyed by natural keys: usernames, park and department
names, enterprise names, project codes, meeting numbers. A project that exists keeps its listings,
reports, permits, visits and issues untouched, so a second run changes nothing. Years are derived
from today (`timezone.localdate()`), so a demo loaded in a later year is just as live.

Echoes of the article: 58 provincial and municipal key projects this year, 36 of them new-build, of
which 22 started by the end of May (all provincial ones) and invested about 26亿 in January–May; the
number of projects of 1亿 or more up 58% on last year; the stator plant of 联博 in the Aerospace park
with its lines, PPAP and mass production; its hiring request answered by the HR bureau the next day.
"""

import datetime
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import (
    ApprovalRequest,
    Category,
    CategoryRoute,
    Contact,
    Department,
    Document,
    Enterprise,
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    MapSettings,
    Meeting,
    MeetingItem,
    MonthLock,
    MonthlyReport,
    Notification,
    Park,
    Permit,
    PermitStatus,
    PermitType,
    PlanNode,
    ProgressNote,
    Project,
    Role,
    RoleCode,
    Rules,
    Satisfaction,
    Staff,
    Stage,
    Visit,
    VisitKind,
)
from .models.plans import STAGE_PLANNED_FIELD
from .services.issues.ladder import number_slip
from .services.plans import plans_create_bulk
from .workdays import add_working_days, workday_on_or_before

PASSWORD = "demo-pass-2026"
SEED = 2026

PARKS = [
    "航空航天产业园",
    "新材料产业园",
    "生命健康产业园",
    "高新技术产业园",
    "港口物流园",
    "综合保税区",
    "高校园区",
]
# Where the parks lie in 镇江新区 (around 119.6°E 32.2°N): centre and half extents in degrees. The
# demo draws each park's outline from these and places its projects inside.
PARK_PLACES = {
    "航空航天产业园": (119.655, 32.205, 0.015, 0.010),
    "新材料产业园": (119.700, 32.225, 0.015, 0.010),
    "生命健康产业园": (119.610, 32.185, 0.015, 0.010),
    "高新技术产业园": (119.580, 32.160, 0.015, 0.010),
    "港口物流园": (119.735, 32.245, 0.015, 0.010),
    "综合保税区": (119.690, 32.185, 0.015, 0.010),
    "高校园区": (119.560, 32.130, 0.015, 0.010),
}
# One visit in this many was "recorded" kilometres away: the evidence list has something to show.
FAR_VISIT_EVERY = 25
EDB = "经济发展局"
APPROVAL = "行政审批局"
LAND = "自然资源和规划局"
HR = "人力资源和社会保障局"
FINANCE = "财政金融局"
BUILD = "住房和城乡建设局"
ENV = "生态环境局"
SAFETY = "应急管理局"
HEALTH = "生命健康产业局"
SUPERVISION = "党政办公室（督查室）"
POWER = "供电公司"
WATER = "水务集团"
GAS = "燃气公司"
DEPARTMENTS = [EDB, APPROVAL, LAND, HR, FINANCE, BUILD, ENV, SAFETY, HEALTH, SUPERVISION, POWER, WATER, GAS]
# PRODUCT.md "Routing": the department a new issue of each category goes to.
ROUTES = {
    Category.PERMITS: APPROVAL,
    Category.LAND: LAND,
    Category.HIRING: HR,
    Category.UTILITIES: EDB,
    Category.FINANCE: FINANCE,
    Category.POLICY: EDB,
    Category.OTHER: EDB,
}

# (username, name, title, roles, department, parks, superuser); the first six are the demo logins.
USERS = [
    ("grid", "王磊", "项目服务网格员", [RoleCode.GRID_WORKER], None, ["航空航天产业园"], False),
    ("dept", "赵敏", "审批服务科科长", [RoleCode.DEPARTMENT], APPROVAL, [], False),
    ("coordinator", "钱立新", "经济发展局项目服务科科长", [RoleCode.COORDINATOR], EDB, [], False),
    ("leader", "陈建国", "党工委委员、管委会副主任", [RoleCode.LEADER], None, [], False),
    ("supervisor", "周清", "督查室主任", [RoleCode.SUPERVISOR], SUPERVISION, [], False),
    ("admin", "吴晓峰", "系统管理员", [RoleCode.ADMINISTRATOR], EDB, [], True),
    ("grid2", "李娜", "项目服务网格员", [RoleCode.GRID_WORKER], None, ["新材料产业园"], False),
    ("grid3", "张伟", "项目服务网格员", [RoleCode.GRID_WORKER], None, ["生命健康产业园"], False),
    ("grid4", "刘洋", "项目服务网格员", [RoleCode.GRID_WORKER], None, ["高新技术产业园"], False),
    ("grid5", "孙涛", "项目服务网格员", [RoleCode.GRID_WORKER], None, ["港口物流园", "综合保税区"], False),
    ("grid6", "马丽", "项目服务网格员", [RoleCode.GRID_WORKER], None, ["高校园区"], False),
    ("leader2", "刘志强", "管委会副主任", [RoleCode.LEADER], None, [], False),
    ("leader3", "杨晓东", "党工委委员", [RoleCode.LEADER], None, [], False),
    ("leader4", "黄海峰", "管委会副主任", [RoleCode.LEADER], None, [], False),
    ("edb2", "施文", "经济发展局副局长", [RoleCode.COORDINATOR], EDB, [], False),
    ("hr", "郑红", "人力资源服务中心主任", [RoleCode.DEPARTMENT], HR, [], False),
    ("land", "冯刚", "用地保障科科长", [RoleCode.DEPARTMENT], LAND, [], False),
    ("finance", "何静", "金融服务科科长", [RoleCode.DEPARTMENT], FINANCE, [], False),
    ("build", "许斌", "建管科科长", [RoleCode.DEPARTMENT], BUILD, [], False),
    ("env", "沈洁", "环评科科长", [RoleCode.DEPARTMENT], ENV, [], False),
    ("power", "韩磊", "客户经理", [RoleCode.DEPARTMENT], POWER, [], False),
    ("water", "曹勇", "客户经理", [RoleCode.DEPARTMENT], WATER, [], False),
    ("gas", "彭飞", "客户经理", [RoleCode.DEPARTMENT], GAS, [], False),
]
DEMO_LOGINS = ["grid", "dept", "coordinator", "leader", "supervisor", "admin"]

# The pipeline before listing (PRODUCT.md "Pipeline"): even ones in talks, odd ones signed, not filed.
PIPELINE = [
    ("航空航天产业园", "航宇精密航空结构件"),
    ("新材料产业园", "科瑞高性能碳纤维复材"),
    ("生命健康产业园", "康泽生物创新药中试基地"),
    ("高新技术产业园", "芯源车规级功率半导体封测"),
    ("港口物流园", "港联冷链物流枢纽"),
]

STATOR_CODE_SUFFIX = "01"
STATOR = (
    "联博新能源汽车驱动电机定子项目",
    "联博汽车电机（镇江）有限公司",
    "航空航天产业园",
    "新能源汽车零部件",
)

# (project name stem, industry) per park; enterprises are named after the stem.
CATALOGUE = {
    "航空航天产业园": [
        ("航空复合材料构件", "航空航天"),
        ("通用飞机总装", "航空航天"),
        ("航空发动机叶片精密加工", "航空航天"),
        ("机载电子设备", "航空航天"),
        ("工业级无人机研发制造", "航空航天"),
        ("航空座椅及内饰", "航空航天"),
        ("航空紧固件", "航空航天"),
        ("飞机起落架维修", "航空航天"),
        ("航空线缆组件", "航空航天"),
        ("新能源汽车电驱壳体", "新能源汽车零部件"),
        ("航空轴承", "航空航天"),
        ("卫星通信终端", "航空航天"),
    ],
    "新材料产业园": [
        ("高性能碳纤维", "新材料"),
        ("锂电池隔膜", "新材料"),
        ("电子级多晶硅", "新材料"),
        ("特种工程塑料", "新材料"),
        ("高纯氢气及储运", "新能源"),
        ("光伏封装胶膜", "新能源"),
        ("可降解生物基材料", "新材料"),
        ("高端铝合金板带", "新材料"),
        ("电子化学品", "新材料"),
        ("有机硅新材料", "新材料"),
        ("钠离子电池正极材料", "新能源"),
        ("绿色甲醇", "新能源"),
        ("高性能涂料", "新材料"),
    ],
    "生命健康产业园": [
        ("高端医疗器械", "生命健康"),
        ("生物制剂", "生命健康"),
        ("体外诊断试剂", "生命健康"),
        ("创新药制剂", "生命健康"),
        ("医用高分子耗材", "生命健康"),
        ("康复辅具", "生命健康"),
        ("医药中间体", "生命健康"),
        ("细胞治疗研发中心", "生命健康"),
        ("医用敷料", "生命健康"),
        ("智慧养老装备", "生命健康"),
        ("中药配方颗粒", "生命健康"),
        ("动物疫苗", "生命健康"),
        ("医疗影像设备", "生命健康"),
    ],
    "高新技术产业园": [
        ("智能电气成套设备", "高端装备"),
        ("工业机器人", "高端装备"),
        ("半导体封装测试", "电子信息"),
        ("储能变流器", "新能源"),
        ("数控机床", "高端装备"),
        ("汽车电子", "电子信息"),
        ("智能传感器", "电子信息"),
        ("船舶动力系统", "高端装备"),
        ("光电显示模组", "电子信息"),
        ("液压元件", "高端装备"),
        ("算力中心", "数字经济"),
        ("工业软件研发中心", "数字经济"),
        ("电力电子器件", "电子信息"),
    ],
    "港口物流园": [
        ("港口粮油加工", "港口物流"),
        ("冷链物流中心", "港口物流"),
        ("化工品仓储", "港口物流"),
        ("集装箱码头扩建", "港口物流"),
        ("大宗商品交易中心", "港口物流"),
        ("智慧物流园", "港口物流"),
        ("木材加工", "港口物流"),
        ("LNG 接收站配套", "新能源"),
        ("散货码头改造", "港口物流"),
        ("粮食储备库", "港口物流"),
        ("再生资源分拣中心", "港口物流"),
        ("港口装卸设备", "高端装备"),
    ],
    "综合保税区": [
        ("跨境电商产业园", "外贸"),
        ("保税维修", "外贸"),
        ("进口商品分拨中心", "外贸"),
        ("保税仓储", "外贸"),
        ("电子元器件保税加工", "电子信息"),
        ("保税研发中心", "外贸"),
        ("跨境冷链", "外贸"),
        ("融资租赁产业园", "现代服务"),
        ("保税航材分拨中心", "外贸"),
        ("跨境数据服务中心", "数字经济"),
    ],
    "高校园区": [
        ("校企联合实验楼", "科技服务"),
        ("科技成果转化中心", "科技服务"),
        ("大学科技园二期", "科技服务"),
        ("人才公寓", "社会事业"),
        ("智能制造实训基地", "科技服务"),
        ("中试基地", "科技服务"),
        ("创新创业孵化器", "科技服务"),
        ("产教融合实训中心", "社会事业"),
        ("数字经济产业园", "数字经济"),
        ("检验检测公共服务平台", "科技服务"),
        ("研究生公寓", "社会事业"),
        ("新型研发机构", "科技服务"),
    ],
}
STEMS = [
    "恒瑞",
    "华晟",
    "中科",
    "天翼",
    "苏瑞",
    "宏远",
    "金陵",
    "江海",
    "润扬",
    "瑞泰",
    "博远",
    "新澜",
    "长江",
    "宁远",
    "鼎盛",
    "远航",
    "协鑫",
    "东方",
    "汇川",
    "明阳",
]
NAME_SUFFIX = ["项目", "项目", "生产基地项目", "扩建项目", "产业化项目"]

# Issue texts: (category, description, resolution, feedback to the enterprise).
ISSUE_TEXTS = [
    (
        Category.PERMITS,
        "施工许可证办理需补充图审合格书，企业对流程不熟悉，请求帮办。",
        "网格员代办图审，行政审批局开通绿色通道，施工许可证已核发。",
        "已向企业项目经理反馈：施工许可证已核发，可按计划开工。",
    ),
    (
        Category.UTILITIES,
        "厂区双回路供电接入工程进度滞后，影响设备调试。",
        "供电公司调整施工计划，双回路已送电。",
        "已电话告知企业：双回路已送电，设备可正常调试。",
    ),
    (
        Category.UTILITIES,
        "工业用水管网尚未接通，临时用水压力不足。",
        "水务集团完成管网接驳，水压达标。",
        "已现场告知企业负责人：管网接通，水压测试合格。",
    ),
    (
        Category.UTILITIES,
        "天然气管道接入需穿越园区道路，开挖审批未落实。",
        "燃气公司与住建局协调，道路开挖许可已办理，管道已通气。",
        "已反馈企业：管道已通气，可安排点火调试。",
    ),
    (
        Category.LAND,
        "二期用地指标未落实，需申请新增建设用地计划。",
        "自然资源和规划局争取到省级用地指标，完成挂牌出让。",
        "已向企业反馈用地指标落实情况及出让时间安排。",
    ),
    (
        Category.LAND,
        "项目红线范围内有一处杆线未迁移，影响场地平整。",
        "协调供电公司完成杆线迁移。",
        "已告知企业：杆线迁移完成，可进行场地平整。",
    ),
    (
        Category.HIRING,
        "投产在即，急需招聘一线操作工约 200 名、技术员 30 名。",
        "人社局上门对接，组织专场招聘会并联系职业院校定向输送。",
        "已向企业反馈招聘会安排及职业院校对接名单。",
    ),
    (
        Category.HIRING,
        "高层次研发人才落户及子女入学政策咨询。",
        "人社局送政策上门，办理人才认定。",
        "已向企业人事负责人解读人才政策并协助提交材料。",
    ),
    (
        Category.FINANCE,
        "设备采购资金缺口约 8000 万元，希望对接银行项目贷款。",
        "财政金融局组织政银企对接会，两家银行完成授信。",
        "已向企业财务总监反馈授信进展。",
    ),
    (
        Category.FINANCE,
        "申请技改设备投资补助，材料不齐。",
        "指导企业补齐材料，补助资金已拨付。",
        "已告知企业补助到账情况。",
    ),
    (
        Category.POLICY,
        "咨询省级重点项目奖补政策的申报条件。",
        "经济发展局解读政策并协助申报。",
        "已向企业反馈申报结果。",
    ),
    (
        Category.PERMITS,
        "环评批复前置条件之一的排污总量指标尚未落实。",
        "生态环境局调剂区域总量指标，环评已批复。",
        "已告知企业环评批复文号。",
    ),
    (
        Category.PERMITS,
        "消防验收前需整改两处防火分隔，企业希望提前预审。",
        "住建局组织消防验收预审，整改完成后通过验收。",
        "已反馈企业：消防验收已通过。",
    ),
    (
        Category.OTHER,
        "厂区门前道路尚未建成，重型车辆进出困难。",
        "住建局将道路纳入年度市政计划并先行铺设临时便道。",
        "已向企业反馈道路建设计划及临时便道开放时间。",
    ),
    (
        Category.PERMITS,
        "规划许可变更：企业调整了厂房层高，需重新审查。",
        "自然资源和规划局加快审查，变更许可已核发。",
        "已向企业反馈规划许可变更结果。",
    ),
    (
        Category.UTILITIES,
        "110 千伏专用变电站接入方案需省电力公司审批。",
        "经党工委调度，供电公司与省公司协调，接入方案已批复。",
        "已向企业反馈接入方案批复情况。",
    ),
]
# The ladder paths a demo issue climbs, level by level.
AT_GRID = (Level.GRID_HELP,)
TO_MEETING = (*AT_GRID, Level.COORDINATION)
TO_LEADER = (*TO_MEETING, Level.LEADER)
TO_SUPERVISION = (*TO_LEADER, Level.SUPERVISION)

ESCALATE_REASONS = {
    Level.COORDINATION: "网格帮办期限内无法解决，涉及多个部门，提交调度会会办。",
    Level.LEADER: "调度会明确的期限内仍未解决，提请委领导交办。",
    Level.SUPERVISION: "交办期限已到仍未办结，转督查督办。",
}


def number_slips(issue_plans):
    """Give each planned slip its number from the services' counter (ladder.number_slip), in the
    order of the days the slips were issued, so the next escalation continues the sequence."""
    slips = sorted(
        (day, level, n, plan) for n, plan in enumerate(issue_plans) for level, day in plan.slip_days.items()
    )
    for day, level, _n, plan in slips:
        field_name, number = number_slip(level, on=day)
        setattr(plan, field_name, number)


def at(day, hour=9, minute=0):
    """An aware datetime on a day, in the zone's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def money(value):
    return Decimal(int(round(value)))


def _degrees(value):
    return Decimal(f"{value:.6f}")


def park_outline(park):
    """The park's outline: its rectangle with the north-east corner cut (a ring of [lng, lat])."""
    lng, lat, dx, dy = PARK_PLACES[park]
    ring = [
        [lng - dx, lat - dy],
        [lng + dx, lat - dy],
        [lng + dx, lat + dy * 0.4],
        [lng + dx * 0.4, lat + dy],
        [lng - dx, lat + dy],
        [lng - dx, lat - dy],
    ]
    return [[round(x, 6), round(y, 6)] for x, y in ring]


def park_outlines():
    """The parks' outlines as the map settings hold them (a GeoJSON FeatureCollection)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": park},
                "geometry": {"type": "Polygon", "coordinates": [park_outline(park)]},
            }
            for park in PARKS
        ],
    }


def project_place(code, park):
    """(longitude, latitude) of a project inside the south-west part of its park's rectangle (below the
    cut corner), the same for a code whatever else the demo draws (its own random stream)."""
    rng = random.Random(f"{SEED}-place-{code}")
    lng, lat, dx, dy = PARK_PLACES[park]
    return _degrees(lng + dx * rng.uniform(-0.8, 0.8)), _degrees(lat + dy * rng.uniform(-0.8, 0.3))


def visit_place(code, park, date, index):
    """(longitude, latitude, accuracy m) of a visit's phone: on site (within ~160 m of the project), or
    for one visit in FAR_VISIT_EVERY some 3 km east of it."""
    rng = random.Random(f"{SEED}-visit-{code}-{date.isoformat()}-{index}")
    lng, lat = (float(degrees) for degrees in project_place(code, park))
    if rng.randrange(FAR_VISIT_EVERY) == 0:
        return _degrees(lng + 0.03), _degrees(lat + rng.uniform(-0.005, 0.005)), rng.randint(5, 40)
    return (
        _degrees(lng + rng.uniform(-0.0012, 0.0012)),
        _degrees(lat + rng.uniform(-0.001, 0.001)),
        rng.randint(5, 40),
    )


@dataclass
class ProjectPlan:
    code: str
    name: str
    enterprise: str
    park: str
    industry: str
    group: str  # new / continuing / district / previous
    total: Decimal
    stage: str
    leader: str
    grid: str
    lead_department: str
    content: str = ""
    planned_start: datetime.date | None = None
    actual_start: datetime.date | None = None
    planned_completion: datetime.date | None = None
    actual_completion: datetime.date | None = None
    production_date: datetime.date | None = None
    listings: list = field(default_factory=list)  # (year, level, kind, planned)
    reports: list = field(default_factory=list)  # (year, month, amount)
    permits: list = field(default_factory=list)  # (type name, status, applied, approved)
    signed_on: datetime.date | None = None
    filed_on: datetime.date | None = None
    # The grid worker's adjustments of the template plan, and nodes added by hand:
    # (name, planned, actual, note); a stage node's actual date is the project's stage date.
    nodes: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # (date, text, stage_from, stage_to, author)
    visits: list = field(default_factory=list)  # VisitPlan
    issues: list = field(default_factory=list)  # IssuePlan
    contact: tuple = ("", "", "")


@dataclass
class VisitPlan:
    date: datetime.date
    kind: str
    participants: list
    departments: list
    people_met: str
    summary: str
    recorded_by: str


@dataclass
class IssuePlan:
    key: str  # the description, unique within the project
    category: str
    level: Level
    status: IssueStatus
    department: str
    assignee: str
    raised_by: str
    raised_at: datetime.datetime
    deadline: datetime.date | None
    level_entered_at: datetime.datetime
    first_response_at: datetime.datetime | None = None
    resolution: str = ""
    resolved_at: datetime.datetime | None = None
    solved_on_site: bool = False
    feedback: str = ""
    satisfaction: str = ""
    closed_at: datetime.datetime | None = None
    suspended: bool = False
    flagged: bool = False
    assigned_by_leader: str = ""
    assignment_slip_no: str = ""
    supervision_slip_no: str = ""
    # The day the issue entered each level that issues a slip; the Writer numbers them as the
    # services do (ladder.number_slip), in the order they were issued.
    slip_days: dict = field(default_factory=dict)
    visit_date: datetime.date | None = None
    events: list = field(default_factory=list)  # dicts of IssueEvent fields with usernames
    approvals: list = field(default_factory=list)  # dicts of ApprovalRequest fields


class Planner:
    """Draws the whole demo zone as plain data; the same `today` always gives the same plan."""

    def __init__(self, today):
        self.today = today
        self.year = today.year
        self.prev = today.year - 1
        self.month = today.month
        self.rng = random.Random(SEED)
        self.grid_of_park = {}
        for username, _name, _title, roles, _dept, parks, _su in USERS:
            if RoleCode.GRID_WORKER in roles:
                for park in parks:
                    self.grid_of_park[park] = username
        self.leaders = [u[0] for u in USERS if RoleCode.LEADER in u[3]]
        self.dept_user = {}
        for username, _name, _title, roles, dept, _parks, _su in USERS:
            if RoleCode.DEPARTMENT in roles and dept:
                self.dept_user.setdefault(dept, username)
        self.dept_user[EDB] = "coordinator"
        self.projects = []
        self.meetings = []
        # The ladder's time limits, as the services read them (an administrator's Rules).
        self.rules = Rules.current()
        # The last monthly coordination meeting: around the 20th of last month.
        self.last_meeting = workday_on_or_before(
            (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=20)
        )

    # Dates -------------------------------------------------------------------------------
    def day_of_year(self, year, offset):
        return datetime.date(year, 1, 1) + datetime.timedelta(days=offset)

    def clamp_past(self, day):
        """A date that must have happened: never after yesterday."""
        return min(day, self.today - datetime.timedelta(days=1))

    # The plan ----------------------------------------------------------------------------
    def plan(self):
        rng = self.rng
        pool = [(stem, industry, park) for park in PARKS for stem, industry in CATALOGUE[park]]
        rng.shuffle(pool)
        # Groups (article): 36 new-build this year, 22 continuing (with the stator plant),
        # 4 district-level, 24 listed only last year.
        groups = ["new"] * 36 + ["continuing"] * 21 + ["district"] * 4 + ["previous"] * 24
        counters = {}
        for index, ((stem, industry, park), group) in enumerate(zip(pool, groups, strict=True)):
            enterprise_stem = STEMS[index % len(STEMS)]
            name = f"{enterprise_stem}{stem}{NAME_SUFFIX[index % len(NAME_SUFFIX)]}"
            enterprise = f"镇江{enterprise_stem}{stem.split(' ')[0]}有限公司"  # the whole stem: no word cut
            first_year = {
                "new": self.year,
                "district": self.year,
                "continuing": self.prev,
                "previous": self.prev,
            }[group]
            counters[first_year] = counters.get(first_year, 1) + 1
            code = f"XQ{first_year}-{counters[first_year]:03d}"
            self.projects.append(self.new_project(code, name, enterprise, park, industry, group))
        self.projects.append(self.stator())
        self.assign_sizes_and_levels()
        for project in self.projects:
            self.fill_dates(project)
        for project in self.projects:
            self.fill_reports(project)
        self.echo_article_investment()
        for project in self.projects:
            self.fill_listings(project)
            self.fill_permits(project)
            self.fill_notes(project)
            self.fill_visits(project)
            self.fill_pipeline(project)
        self.fill_issues()
        self.pipeline_projects()
        return self

    def new_project(self, code, name, enterprise, park, industry, group):
        rng = self.rng
        return ProjectPlan(
            code=code,
            name=name,
            enterprise=enterprise,
            park=park,
            industry=industry,
            group=group,
            total=Decimal(0),
            stage=Stage.PREPARATION,
            leader=rng.choice(self.leaders),
            grid=self.grid_of_park[park],
            lead_department=rng.choice([EDB, EDB, EDB, HEALTH if park == "生命健康产业园" else APPROVAL]),
            content=f"新建厂房及配套用房约 {rng.randint(2, 12)} 万平方米，购置生产及检测设备 "
            f"{rng.randint(50, 600)} 台（套），建设{name.removesuffix('项目')}。",
            contact=(
                rng.choice("张李王刘陈杨赵黄周吴")
                + rng.choice(["建华", "立军", "海燕", "志刚", "晓明", "文静"]),
                rng.choice(["项目经理", "总经理", "常务副总经理", "基建部部长"]),
                f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
            ),
        )

    def stator(self):
        project = ProjectPlan(
            code=f"XQ{self.prev}-{STATOR_CODE_SUFFIX.zfill(3)}",
            name=STATOR[0],
            enterprise=STATOR[1],
            park=STATOR[2],
            industry=STATOR[3],
            group="continuing",
            total=Decimal(62000),
            stage=Stage.CONSTRUCTION,
            leader="leader",
            grid="grid",
            lead_department=EDB,
            content="新建 1 号、2 号标准化厂房及配套用房约 6.8 万平方米，引进进口定制冲压线 10 条、"
            "自动线 6 条，建成新能源汽车驱动电机定子生产基地。",
            contact=("张荣毛", "常务副总经理", "13952900001"),
        )
        project.is_stator = True
        return project

    def assign_sizes_and_levels(self):
        """≥1亿 projects: 38 listed this year against 24 last year (+58%, as in the article)."""
        rng = self.rng
        by_group = {}
        for project in self.projects:
            by_group.setdefault(project.group, []).append(project)
        big_counts = {"new": 22, "continuing": 14, "district": 2, "previous": 10}
        province_counts = {"new": 8, "continuing": 6, "district": 0, "previous": 5}
        for group, projects in by_group.items():
            # The stator plant is big and provincial; keep it first in its group.
            projects.sort(key=lambda p: not getattr(p, "is_stator", False))
            for index, project in enumerate(projects):
                big = index < big_counts[group]
                if not getattr(project, "is_stator", False):
                    if big:
                        project.total = money(rng.choice([1, 1, 2, 3]) * rng.randint(10, 60) * 500)
                        project.total = max(project.total, Decimal(10000))
                    else:
                        project.total = money(rng.randint(20, 95) * 100)
                if group == "district":
                    project.level = ListingLevel.DISTRICT
                else:
                    project.level = (
                        ListingLevel.PROVINCE if index < province_counts[group] else ListingLevel.CITY
                    )

    def fill_dates(self, p):
        rng = self.rng
        y, prev = self.year, self.prev
        if getattr(p, "is_stator", False):
            p.planned_start = datetime.date(prev, 9, 20)
            p.actual_start = datetime.date(prev, 10, 8)
            p.planned_completion = datetime.date(y, 12, 31)
            p.stage = Stage.CONSTRUCTION
            return
        if p.group in ("new", "district"):
            index = [q for q in self.projects if q.group == p.group].index(p)
            if p.group == "new":
                # 22 by the end of May (the provincial ones first), 9 later, 5 not yet.
                if index < 22:
                    start = self.day_of_year(y, rng.randint(8, 148))
                elif index < 31:
                    start = self.day_of_year(y, rng.randint(155, 300))
                elif index < 33:
                    start = None
                    p.planned_start = self.today - datetime.timedelta(days=rng.randint(20, 45))
                else:
                    start = None
                    p.planned_start = self.today + datetime.timedelta(days=rng.randint(10, 40))
            else:  # district projects continue from last year
                start = self.day_of_year(prev, rng.randint(150, 330))
            if start is not None and start >= self.today - datetime.timedelta(days=3):
                # Early in a year the later starters have not started yet.
                p.planned_start, start = start, None
            if start is not None:
                p.actual_start = start
                p.planned_start = start + datetime.timedelta(days=rng.randint(-20, 10))
                p.stage = Stage.CONSTRUCTION
            p.planned_completion = (p.actual_start or p.planned_start) + datetime.timedelta(
                days=rng.randint(300, 700)
            )
            return
        if p.group == "continuing":
            index = [q for q in self.projects if q.group == "continuing"].index(p)
            started_prev = index < 15  # new-build last year, the others since the year before
            p.actual_start = (
                self.day_of_year(prev, rng.randint(20, 300))
                if started_prev
                else self.day_of_year(prev - 1, rng.randint(60, 330))
            )
            p.planned_start = p.actual_start + datetime.timedelta(days=rng.randint(-15, 5))
            p.planned_completion = p.actual_start + datetime.timedelta(days=rng.randint(500, 800))
            p.stage = Stage.CONSTRUCTION
            if index in (3, 7, 11, 16):
                p.stage = Stage.COMPLETED
                p.actual_completion = self.clamp_past(self.day_of_year(y, rng.randint(60, 250)))
            if index in (5, 13):
                p.stage = Stage.PRODUCTION
                p.actual_completion = self.clamp_past(self.day_of_year(y, rng.randint(20, 120)))
                p.production_date = self.clamp_past(p.actual_completion + datetime.timedelta(days=45))
            return
        # previous: listed only last year, finished by the end of it.
        index = [q for q in self.projects if q.group == "previous"].index(p)
        p.actual_start = (
            self.day_of_year(prev, rng.randint(10, 90))
            if index % 2
            else self.day_of_year(prev - 1, rng.randint(60, 300))
        )
        p.planned_start = p.actual_start + datetime.timedelta(days=rng.randint(-10, 10))
        p.actual_completion = self.day_of_year(prev, rng.randint(200, 350))
        p.planned_completion = p.actual_completion + datetime.timedelta(days=rng.randint(-30, 30))
        if index % 3:
            p.stage = Stage.PRODUCTION
            p.production_date = p.actual_completion + datetime.timedelta(days=rng.randint(20, 60))
            p.production_date = self.clamp_past(p.production_date)
        else:
            p.stage = Stage.COMPLETED

    def active_months(self, p, year):
        """The months of a year in which the project was being built (and so invested)."""
        if p.actual_start is None or p.actual_start.year > year:
            return []
        first = p.actual_start.month if p.actual_start.year == year else 1
        last = 12
        if year == self.year:
            last = self.month
        if p.actual_completion and p.actual_completion.year == year:
            last = min(last, p.actual_completion.month)
        elif p.actual_completion and p.actual_completion.year < year:
            return []
        return list(range(first, last + 1))

    def fill_reports(self, p):
        rng = self.rng
        # Most projects keep pace; a few lag (the warning lights have something to show).
        p.pace = rng.choice([1.0] * 8 + [0.95, 1.05, 1.1, 0.8, 0.75, 0.6, 0.5])
        for year in (self.prev, self.year):
            months = self.active_months(p, year)
            if not months:
                continue
            share = Decimal("0.45") if p.total >= 10000 else Decimal("0.6")
            planned_year = p.total * share * Decimal(rng.randint(80, 120)) / 100
            span = 12 - months[0] + 1 if year == self.year else len(months)
            if year == self.year and p.actual_completion:
                span = len(months)
            base = float(planned_year) / max(span, 1)
            pace = p.pace if year == self.year else 1.0
            for month in months:
                amount = money(base * pace * rng.uniform(0.7, 1.3))
                p.reports.append([year, month, amount])
            p.__dict__.setdefault("planned", {})[year] = planned_year

    def echo_article_investment(self):
        """Scale the new-build projects so that January–May this year comes to about 26亿."""
        if self.month < 5:
            return
        new = [p for p in self.projects if p.group == "new"]

        def jan_may(projects):
            return sum(a for p in projects for y, m, a in p.reports if y == self.year and m <= 5)

        # Only the projects of 1亿 or more are scaled, so no project changes size class.
        big = [p for p in new if p.total >= 10000]
        small_sum, big_sum = jan_may([p for p in new if p.total < 10000]), jan_may(big)
        if not big_sum:
            return
        factor = (Decimal(260000) - small_sum) / big_sum
        for p in big:
            for report in p.reports:
                report[2] = money(report[2] * factor)
            for year in p.__dict__.get("planned", {}):
                p.planned[year] = p.planned[year] * factor
            # The plan of a year never exceeds the whole project.
            if p.__dict__.get("planned", {}).get(self.year, 0) > p.total * Decimal("0.8"):
                p.total = money(p.planned[self.year] / Decimal("0.6") / 100) * 100

    def fill_listings(self, p):
        rng = self.rng
        planned = p.__dict__.get("planned", {})
        level = p.level
        if p.group in ("new", "district"):
            plan = planned.get(self.year) or p.total * Decimal(rng.randint(25, 45)) / 100
            kind = ListingKind.NEW if p.group == "new" else ListingKind.CONTINUING
            p.listings.append((self.year, level, kind, money(plan)))
        elif p.group == "continuing":
            prev_kind = ListingKind.NEW if p.actual_start.year == self.prev else ListingKind.CONTINUING
            prev_plan = planned.get(self.prev) or p.total * Decimal("0.3")
            p.listings.append((self.prev, level, prev_kind, money(prev_plan * Decimal("1.02"))))
            plan = planned.get(self.year) or p.total * Decimal("0.3")
            p.listings.append((self.year, level, ListingKind.CONTINUING, money(plan)))
        else:
            kind = ListingKind.NEW if p.actual_start.year == self.prev else ListingKind.CONTINUING
            plan = planned.get(self.prev) or p.total * Decimal("0.3")
            p.listings.append((self.prev, level, kind, money(plan * Decimal("0.98"))))

    def fill_permits(self, p):
        rng = self.rng
        rank = Stage.rank(p.stage)
        anchor = p.actual_start or p.planned_start
        for name, required_from in PERMIT_ORDER:
            needed_rank = Stage.rank(required_from) if required_from else None
            if needed_rank is not None and rank >= needed_rank:
                approved = (
                    anchor - datetime.timedelta(days=rng.randint(5, 60))
                    if required_from == Stage.CONSTRUCTION
                    else (p.actual_completion or anchor) - datetime.timedelta(days=rng.randint(1, 20))
                )
                approved = self.clamp_past(approved)
                applied = approved - datetime.timedelta(days=rng.randint(3, 25))
                p.permits.append((name, PermitStatus.APPROVED, applied, approved))
            elif name == "能评":
                if p.total >= 10000:
                    approved = self.clamp_past(anchor - datetime.timedelta(days=rng.randint(10, 40)))
                    p.permits.append(
                        (name, PermitStatus.APPROVED, approved - datetime.timedelta(days=15), approved)
                    )
                else:
                    p.permits.append((name, PermitStatus.NOT_NEEDED, None, None))
            elif required_from == Stage.CONSTRUCTION:  # a project still in preparation
                if name in ("立项备案", "用地"):
                    approved = self.clamp_past(self.today - datetime.timedelta(days=rng.randint(30, 120)))
                    applied = approved - datetime.timedelta(days=rng.randint(5, 20))
                    p.permits.append((name, PermitStatus.APPROVED, applied, approved))
                else:
                    applied = self.clamp_past(self.today - datetime.timedelta(days=rng.randint(3, 40)))
                    status = rng.choice([PermitStatus.IN_PROGRESS, PermitStatus.IN_PROGRESS])
                    p.permits.append((name, status, applied if status else None, None))
            else:  # completion permits of a project under construction
                if p.actual_start and (self.today - p.actual_start).days > 300:
                    applied = self.clamp_past(self.today - datetime.timedelta(days=rng.randint(3, 30)))
                    p.permits.append((name, PermitStatus.IN_PROGRESS, applied, None))
                else:
                    p.permits.append((name, PermitStatus.NOT_STARTED, None, None))

    def fill_notes(self, p):
        if p.actual_start:
            p.notes.append(
                (
                    p.actual_start,
                    "项目正式开工，桩基施工进场。",
                    Stage.PREPARATION,
                    Stage.CONSTRUCTION,
                    p.grid,
                )
            )
        if p.actual_start and p.stage == Stage.CONSTRUCTION:
            # Before the topping-out milestone (start + 150 days), which this note must not contradict.
            day = self.clamp_past(p.actual_start + datetime.timedelta(days=120))
            if day > p.actual_start:
                p.notes.append((day, "主体结构施工中，钢结构吊装完成约七成。", "", "", p.grid))
        if p.actual_completion:
            p.notes.append(
                (p.actual_completion, "通过竣工验收。", Stage.CONSTRUCTION, Stage.COMPLETED, p.grid)
            )
        if p.production_date:
            p.notes.append(
                (p.production_date, "首条产线投产，进入产能爬坡。", Stage.COMPLETED, Stage.PRODUCTION, p.grid)
            )
        if getattr(p, "is_stator", False):
            self.stator_story(p)
        elif p.stage != Stage.PREPARATION and p.actual_start:
            start = p.actual_start
            end = p.actual_completion or self.today
            p.nodes = [
                ("主体封顶", min(start + datetime.timedelta(days=150), end), None, ""),
                ("设备进场", min(start + datetime.timedelta(days=240), end), None, ""),
            ]
            p.nodes = [
                (
                    name,
                    planned,
                    actual or (planned if planned <= self.today - datetime.timedelta(days=10) else None),
                    note,
                )
                for name, planned, actual, note in p.nodes
            ]
            if p.pace < 0.7 and p.stage == Stage.CONSTRUCTION:
                name, planned, _actual, _note = p.nodes[1]
                p.nodes[1] = (name, planned, None, "设备到货延迟")
        if p.planned_completion and not getattr(p, "is_stator", False):
            # Production follows the completion: the grid worker moves the template's date there.
            # Commissioning after the acceptance takes a few months.
            after = datetime.timedelta(days=150 if p.actual_completion else 90)
            p.nodes.append(("投产", (p.actual_completion or p.planned_completion) + after, None, ""))

    def fill_pipeline(self, p):
        """The filing is the 立项备案 permit's approval; the signing came some weeks before."""
        filing = next((approved for name, _s, _a, approved in p.permits if name == "立项备案"), None)
        if filing is None:
            return
        p.filed_on = filing
        # Signed about six months before the start, as the template plans it (and before the filing).
        start = p.actual_start or p.planned_start or filing
        p.signed_on = min(start - datetime.timedelta(days=190), filing - datetime.timedelta(days=20))

    def pipeline_projects(self):
        """Projects not listed yet (PRODUCT.md "Pipeline"): in talks, and signed but not yet filed."""
        for index, (park, stem) in enumerate(PIPELINE):
            signed = index % 2 == 1
            project = ProjectPlan(
                code=f"QY{self.year}-{index + 1:03d}",
                name=f"{stem}项目",
                enterprise=f"{stem[:6]}科技有限公司",
                park=park,
                industry="先进制造",
                group="pipeline",
                total=Decimal(15000 + 5000 * index),
                stage=Stage.SIGNED if signed else Stage.NEGOTIATING,
                leader=self.leaders[index % len(self.leaders)],
                grid=self.grid_of_park[park],
                lead_department=EDB,
                content=f"拟建设{stem}，一期用地约 {80 + 20 * index} 亩。",
                contact=("周" + "明亮华"[index % 3], "投资总监", f"1390000{index:04d}"),
            )
            if signed:
                project.signed_on = self.clamp_past(self.today - datetime.timedelta(days=30 + 25 * index))
            self.projects.append(project)

    def stator_story(self, p):
        """The article's stator plant: building 1 running trials, building 2 being fitted out."""
        y, prev = self.year, self.prev
        b1 = self.clamp_past(datetime.date(y, 5, 20))
        p.nodes = [
            (
                "主体封顶",
                datetime.date(prev, 12, 31),
                datetime.date(prev, 12, 26),
                "1号、2号厂房主体结构封顶",
            ),
            (
                "设备进场",
                datetime.date(y, 3, 15),
                self.clamp_past(datetime.date(y, 3, 10)),
                "进口定制冲压线到厂",
            ),
            (
                "1号厂房 5 条冲压线和 6 条自动线完成调试和试生产",
                datetime.date(y, 5, 31),
                b1,
                "进口定制设备",
            ),
            (
                "2号厂房 5 条冲压线安装调试",
                max(datetime.date(y, 12, 20), self.today + datetime.timedelta(days=20)),
                None,
                "正在安装调试",
            ),
            (
                "通过客户 PPAP（生产件批准程序）认定",
                max(datetime.date(y, 12, 31), self.today + datetime.timedelta(days=35)),
                None,
                "",
            ),
            (
                "投产",
                max(datetime.date(y + 1, 3, 31), self.today + datetime.timedelta(days=120)),
                None,
                "大规模量产：PPAP 认定通过后进入量产",
            ),
        ]
        p.notes.append(
            (
                b1,
                "1号厂房的 5 条冲压线和 6 条自动线已完成调试和试生产，2号厂房的 5 条冲压线正在安装调试。",
                "",
                "",
                "grid",
            )
        )

    def fill_visits(self, p):
        """Routine visits every few weeks; a handful of projects not visited for 30+ days."""
        rng = self.rng
        if p.group == "previous":
            return
        start = max(
            p.actual_start or self.today - datetime.timedelta(days=120),
            self.today - datetime.timedelta(days=150),
        )
        start = max(start, datetime.date(self.year, 1, 5)) if p.group != "continuing" else start
        neglected = rng.random() < 0.12 and not getattr(p, "is_stator", False)
        end = self.today - datetime.timedelta(days=rng.randint(35, 60) if neglected else rng.randint(0, 12))
        day = start + datetime.timedelta(days=rng.randint(3, 15))
        while day <= end:
            kind = VisitKind.ROUTINE
            participants = [p.grid]
            departments = []
            summary = rng.choice(
                [
                    "了解施工进度和手续办理情况，企业暂无新的诉求。",
                    "核对本月完成投资，现场查看厂房施工。",
                    "督促施工许可后续手续，提醒安全生产。",
                    "了解设备采购和安装计划。",
                    "走访企业负责人，征集近期意见诉求。",
                ]
            )
            if day.day <= 10 and rng.random() < 0.5:
                kind = VisitKind.JOINT
                participants = ["coordinator", p.grid, "dept"]
                departments = [EDB, APPROVAL, LAND]
                summary = "经发局会同规划、审批等部门月度联合走访，掌握手续办理、建设进展和投资进度。"
            p.visits.append(VisitPlan(day, kind, participants, departments, p.contact[0], summary, p.grid))
            day += datetime.timedelta(days=rng.randint(18, 32))
        if p.level == ListingLevel.PROVINCE and p.actual_start:
            day = self.clamp_past(self.today - datetime.timedelta(days=rng.randint(8, 60)))
            if day >= p.actual_start:
                p.visits.append(
                    VisitPlan(
                        day,
                        VisitKind.LEADER,
                        [p.leader, p.grid, "coordinator"],
                        [EDB],
                        p.contact[0],
                        "委领导现场调研，听取项目进展汇报，现场交办推进事项。",
                        "coordinator",
                    )
                )
        p.visits.sort(key=lambda v: v.date)

    # Issues ------------------------------------------------------------------------------
    def fill_issues(self):
        rng = self.rng
        today = self.today
        live = [
            p
            for p in self.projects
            if p.group != "previous" and p.visits and not getattr(p, "is_stator", False)
        ]
        rng.shuffle(live)
        stator = next(p for p in self.projects if getattr(p, "is_stator", False))
        self.stator_issues(stator)
        last_meeting = self.last_meeting
        meeting_items = []
        # (level path, final status, raised days ago, extra) — every mechanism, with overdue ones.
        scenarios = [
            (AT_GRID, IssueStatus.OPEN, 1, {}),
            (AT_GRID, IssueStatus.OPEN, 2, {"no_response": True}),
            (AT_GRID, IssueStatus.IN_PROGRESS, 4, {}),
            (AT_GRID, IssueStatus.IN_PROGRESS, 12, {}),  # overdue at level 1
            (AT_GRID, IssueStatus.IN_PROGRESS, 16, {}),  # overdue at level 1
            (AT_GRID, IssueStatus.IN_PROGRESS, 6, {"extension": "pending"}),
            (AT_GRID, IssueStatus.RESOLVED, 20, {}),
            (AT_GRID, IssueStatus.CLOSED, 40, {"satisfaction": Satisfaction.SATISFIED}),
            (AT_GRID, IssueStatus.CLOSED, 70, {"satisfaction": Satisfaction.SATISFIED}),
            (AT_GRID, IssueStatus.CLOSED, 95, {"satisfaction": Satisfaction.PARTLY}),
            (AT_GRID, IssueStatus.CLOSED, 30, {"on_site": True, "satisfaction": Satisfaction.SATISFIED}),
            (AT_GRID, IssueStatus.CLOSED, 55, {"on_site": True, "satisfaction": Satisfaction.SATISFIED}),
            (AT_GRID, IssueStatus.CLOSED, 120, {"on_site": True, "satisfaction": Satisfaction.SATISFIED}),
            (AT_GRID, IssueStatus.RESOLVED, 9, {"on_site": True}),
            (AT_GRID, IssueStatus.CLOSED, 160, {"on_site": True, "satisfaction": Satisfaction.SATISFIED}),
            (TO_MEETING, IssueStatus.IN_PROGRESS, 45, {"meeting": "assign"}),
            (TO_MEETING, IssueStatus.IN_PROGRESS, 50, {"meeting": "assign", "overdue": True}),
            (TO_MEETING, IssueStatus.IN_PROGRESS, 60, {"meeting": "assign", "suspend": True}),
            (TO_MEETING, IssueStatus.IN_PROGRESS, 14, {}),
            (
                TO_MEETING,
                IssueStatus.CLOSED,
                80,
                {"meeting": "resolved", "satisfaction": Satisfaction.SATISFIED},
            ),
            (TO_LEADER, IssueStatus.IN_PROGRESS, 75, {"meeting": "escalate"}),
            (TO_LEADER, IssueStatus.IN_PROGRESS, 90, {"auto": True}),  # overdue at level 3
            (TO_LEADER, IssueStatus.IN_PROGRESS, 70, {"on_visit": True}),
            (
                TO_LEADER,
                IssueStatus.CLOSED,
                110,
                {"satisfaction": Satisfaction.SATISFIED, "extension": "approved"},
            ),
            (TO_SUPERVISION, IssueStatus.IN_PROGRESS, 130, {"flag": True}),  # overdue at level 4
            (TO_SUPERVISION, IssueStatus.IN_PROGRESS, 100, {}),
            (TO_SUPERVISION, IssueStatus.RESOLVED, 150, {}),
        ]
        for index, (path, status, days_ago, extra) in enumerate(scenarios):
            project = live[index % len(live)]
            text = ISSUE_TEXTS[index % len(ISSUE_TEXTS)]
            raised = today - datetime.timedelta(days=days_ago)
            if extra.get("meeting"):
                # Tabled at last month's meeting: escalated to it a week or more before.
                raised = min(raised, self.last_meeting - datetime.timedelta(days=days_ago - 25))
            issue = self.issue(project, path, status, raised, text, extra)
            if extra.get("meeting"):
                meeting_items.append((issue, project, extra["meeting"]))
        self.meetings.append(self.meeting(last_meeting, meeting_items))
        upcoming = [
            (issue, project, "")
            for project in self.projects
            for issue in project.issues
            if issue.level == Level.COORDINATION
            and issue.status in IssueStatus.unresolved()
            and not any(item[0] is issue for item in meeting_items)
        ]
        next_day = add_working_days(today, 5)
        self.meetings.append(self.meeting(next_day, upcoming, held=False))

    def stator_issues(self, p):
        """The hiring request: raised at a joint visit, the HR bureau at the door the next day."""
        raised = workday_on_or_before(self.clamp_past(datetime.date(self.year, 6, 10)))
        visit = VisitPlan(
            raised,
            VisitKind.JOINT,
            ["coordinator", "grid", "dept"],
            [EDB, APPROVAL, LAND],
            "张荣毛（常务副总经理）",
            "月度联合走访：1号厂房试生产顺利，随着批量生产用工需求增加，企业提出招聘需求。",
            "grid",
        )
        p.visits.append(visit)
        p.visits.sort(key=lambda v: v.date)
        self.issue(
            p,
            AT_GRID,
            IssueStatus.CLOSED,
            raised,
            (
                Category.HIRING,
                "随着批量生产，用工需求增加：需招聘冲压、装配操作工约 150 名，设备调试技术员 20 名。",
                "人社局第二天上门，根据具体需求提供用工建议，组织专场招聘会并对接职业院校定向输送。",
                "已向张荣毛反馈：专场招聘会已举办，首批 120 名操作工到岗，技术员由职业院校定向输送。",
            ),
            {"satisfaction": Satisfaction.SATISFIED, "visit": visit, "hr_next_day": True},
        )
        self.issue(
            p,
            AT_GRID,
            IssueStatus.IN_PROGRESS,
            self.clamp_past(self.today - datetime.timedelta(days=3)),
            (
                Category.PERMITS,
                "2号厂房冲压线安装后需办理特种设备使用登记，请求帮办。",
                "",
                "",
            ),
            {},
        )

    def issue(self, project, path, status, raised_day, text, extra):
        rng = self.rng
        category, description, resolution, feedback = text
        department = ROUTES[category]
        if category == Category.UTILITIES and "供电" in description + resolution:
            department = POWER
        elif category == Category.UTILITIES and "水" in description:
            department = WATER
        elif category == Category.UTILITIES and "天然气" in description:
            department = GAS
        dept_user = self.dept_user.get(department, "coordinator")
        raised_day = workday_on_or_before(raised_day)
        raised_at = at(raised_day, 10, rng.randint(0, 59))
        grid = project.grid
        visit = extra.get("visit")
        if visit is None and (extra.get("on_site") or rng.random() < 0.5):
            visit = next((v for v in reversed(project.visits) if v.date <= raised_day), None)
            if visit:
                raised_day = visit.date
                raised_at = at(raised_day, 15, rng.randint(0, 59))
        rules = {level: self.rules.time_limit(level) for level in Level}
        events = [
            {
                "kind": IssueEventKind.RAISED,
                "at": raised_at,
                "by": grid,
                "text": description,
                "to_level": Level.GRID_HELP,
                "department": department,
                "deadline": add_working_days(raised_day, rules[Level.GRID_HELP]),
            }
        ]
        plan = IssuePlan(
            key=description,
            category=category,
            level=Level.GRID_HELP,
            status=IssueStatus.OPEN,
            department=department,
            assignee=dept_user,
            raised_by=grid,
            raised_at=raised_at,
            deadline=add_working_days(raised_day, rules[Level.GRID_HELP]),
            level_entered_at=raised_at,
            visit_date=visit.date if visit else None,
        )
        if extra.get("on_site"):
            plan.solved_on_site = True
            plan.resolution = resolution or "现场协调解决。"
            plan.resolved_at = raised_at + datetime.timedelta(minutes=40)
            plan.status = IssueStatus.RESOLVED
            plan.first_response_at = raised_at + datetime.timedelta(minutes=20)
            events.append(
                {
                    "kind": IssueEventKind.RESOLVED,
                    "at": plan.resolved_at,
                    "by": grid,
                    "text": "现场解决：" + plan.resolution,
                }
            )
        else:
            response_day = add_working_days(raised_day, 1)
            if not extra.get("no_response") and at(response_day, 9, 30) < at(self.today, 8):
                plan.first_response_at = at(response_day, 9, 30)
                plan.status = IssueStatus.IN_PROGRESS
                events.append(
                    {
                        "kind": IssueEventKind.FOLLOW_UP,
                        "at": plan.first_response_at,
                        "by": dept_user,
                        "text": "人社局上门走访，了解岗位、人数和到岗时间，提出用工建议。"
                        if extra.get("hr_next_day")
                        else "已电话联系企业，了解具体情况，正在对接办理。",
                    }
                )
            entered = raised_day
            meeting = extra.get("meeting")
            for level in path[1:]:
                gap = {Level.COORDINATION: 7, Level.LEADER: 22, Level.SUPERVISION: 12}[level]
                entered = workday_on_or_before(entered + datetime.timedelta(days=gap))
                if level == Level.LEADER and meeting == "escalate":
                    entered = self.last_meeting
                entered = min(entered, workday_on_or_before(self.today - datetime.timedelta(days=1)))
                by = {
                    Level.COORDINATION: grid,
                    Level.LEADER: "coordinator",
                    Level.SUPERVISION: project.leader,
                }[level]
                kind = IssueEventKind.ESCALATED
                if level == Level.LEADER and extra.get("auto"):
                    by, kind = None, IssueEventKind.AUTO_ESCALATED
                deadline = add_working_days(entered, rules[level])
                plan.level = level
                plan.level_entered_at = at(entered, 16, 0)
                plan.deadline = deadline
                events.append(
                    {
                        "kind": kind,
                        "at": plan.level_entered_at,
                        "by": by,
                        "text": ESCALATE_REASONS[level]
                        if kind == IssueEventKind.ESCALATED
                        else "已超期未办结，系统自动升级为领导交办。",
                        "from_level": Level(level - 1),
                        "to_level": level,
                        "department": department,
                        "deadline": deadline,
                    }
                )
                if level == Level.COORDINATION and meeting:
                    # The meeting may set its own deadline (PRODUCT.md "Deadline rules").
                    decided = at(self.last_meeting, 11, 30)
                    meeting_deadline = add_working_days(self.last_meeting, 30)
                    if extra.get("overdue"):
                        meeting_deadline = min(
                            add_working_days(self.last_meeting, 10),
                            workday_on_or_before(self.today - datetime.timedelta(days=3)),
                        )
                    if meeting == "assign":
                        plan.deadline = meeting_deadline
                    events.append(
                        {
                            "kind": IssueEventKind.MEETING_DECISION,
                            "at": decided,
                            "by": "coordinator",
                            "text": {
                                "assign": "调度会明确责任部门限期办结，并向企业反馈。",
                                "resolved": "调度会上协调解决。",
                                "escalate": "涉及跨层级协调，调度会决定提请委领导交办。",
                            }[meeting],
                            "department": department,
                            "deadline": meeting_deadline if meeting == "assign" else None,
                        }
                    )
                if level == Level.LEADER:
                    plan.assigned_by_leader = project.leader
                    plan.slip_days[Level.LEADER] = entered
                    leader_deadline = add_working_days(entered, 12)
                    if extra.get("auto"):
                        leader_deadline = add_working_days(entered, 6)
                    elif path[-1] == Level.LEADER and status == IssueStatus.IN_PROGRESS:
                        leader_deadline = max(leader_deadline, add_working_days(self.today, 6))
                    plan.deadline = leader_deadline
                    events.append(
                        {
                            "kind": IssueEventKind.ASSIGNED,
                            "at": at(entered, 17, 0),
                            "by": project.leader,
                            "text": "委领导交办：请责任部门倒排工期，限期办结。"
                            if not extra.get("on_visit")
                            else "委领导现场调研时当场交办，明确责任部门和期限。",
                            "department": department,
                            "assignee": dept_user,
                            "deadline": leader_deadline,
                        }
                    )
                if level == Level.SUPERVISION:
                    plan.slip_days[Level.SUPERVISION] = entered
            if extra.get("extension"):
                requested = workday_on_or_before(
                    min(plan.deadline - datetime.timedelta(days=2), self.today - datetime.timedelta(days=1))
                )
                new_deadline = add_working_days(plan.deadline, 10)
                approval = {
                    "kind": ApprovalRequest.Kind.EXTENSION,
                    "new_deadline": new_deadline,
                    "reason": "需等待省级部门批复，申请延期 10 个工作日。",
                    "requested_by": dept_user,
                    "requested_at": at(requested, 11),
                    "status": ApprovalRequest.Status.PENDING,
                }
                events.append(
                    {
                        "kind": IssueEventKind.EXTENSION_REQUESTED,
                        "at": at(requested, 11),
                        "by": dept_user,
                        "text": approval["reason"],
                        "deadline": new_deadline,
                    }
                )
                if extra["extension"] == "approved":
                    approval.update(
                        status=ApprovalRequest.Status.APPROVED,
                        decided_by="coordinator",
                        decided_at=at(requested, 16),
                        decision_note="同意延期。",
                    )
                    events.append(
                        {
                            "kind": IssueEventKind.EXTENDED,
                            "at": at(requested, 16),
                            "by": "coordinator",
                            "text": "同意延期。",
                            "deadline": new_deadline,
                        }
                    )
                    plan.deadline = new_deadline
                plan.approvals.append(approval)
            if extra.get("suspend"):
                day = workday_on_or_before(self.today - datetime.timedelta(days=10))
                reason = "等待省级用地指标下达，申请挂起。"
                plan.approvals.append(
                    {
                        "kind": ApprovalRequest.Kind.SUSPENSION,
                        "new_deadline": None,
                        "reason": reason,
                        "requested_by": dept_user,
                        "requested_at": at(day, 10),
                        "status": ApprovalRequest.Status.APPROVED,
                        "decided_by": "coordinator",
                        "decided_at": at(day, 15),
                        "decision_note": "同意挂起，指标下达后恢复办理。",
                    }
                )
                events.append(
                    {
                        "kind": IssueEventKind.SUSPENSION_REQUESTED,
                        "at": at(day, 10),
                        "by": dept_user,
                        "text": reason,
                    }
                )
                events.append(
                    {
                        "kind": IssueEventKind.SUSPENDED,
                        "at": at(day, 15),
                        "by": "coordinator",
                        "text": "同意挂起。",
                    }
                )
                plan.suspended = True
            if extra.get("flag"):
                day = workday_on_or_before(self.today - datetime.timedelta(days=3))
                plan.flagged = True
                events.append(
                    {
                        "kind": IssueEventKind.FLAGGED,
                        "at": at(day, 17),
                        "by": "supervisor",
                        "text": "督办期限已过，提请党工委、管委会调度推进。",
                    }
                )
            if status in (IssueStatus.RESOLVED, IssueStatus.CLOSED):
                last = max(e["at"] for e in events)
                done = last + datetime.timedelta(days=rng.randint(2, 8))
                if extra.get("hr_next_day"):
                    done = at(add_working_days(raised_day, 10), 15)
                if extra.get("meeting") == "resolved":
                    done = at(self.last_meeting, 16)
                done = min(done, at(self.today - datetime.timedelta(days=1), 17))
                plan.status = IssueStatus.RESOLVED
                plan.resolution = resolution or "已办结。"
                plan.resolved_at = done
                plan.first_response_at = plan.first_response_at or done
                events.append(
                    {"kind": IssueEventKind.RESOLVED, "at": done, "by": dept_user, "text": plan.resolution}
                )
        if status == IssueStatus.CLOSED:
            close_at = min(plan.resolved_at + datetime.timedelta(days=1), at(self.today, 8))
            plan.feedback = feedback or "已向企业反馈办理结果。"
            plan.satisfaction = extra.get("satisfaction", Satisfaction.SATISFIED)
            plan.closed_at = close_at
            plan.status = IssueStatus.CLOSED
            events.append(
                {"kind": IssueEventKind.FEEDBACK, "at": close_at, "by": grid, "text": plan.feedback}
            )
            events.append(
                {
                    "kind": IssueEventKind.CLOSED,
                    "at": close_at + datetime.timedelta(minutes=5),
                    "by": grid,
                    "text": str(Satisfaction(plan.satisfaction).label),
                }
            )
        elif plan.status in IssueStatus.unresolved() and plan.level >= Level.COORDINATION:
            # Coordination progress goes back to the enterprise (及时向企业反馈).
            events.append(
                {
                    "kind": IssueEventKind.FEEDBACK,
                    "at": plan.level_entered_at + datetime.timedelta(hours=20),
                    "by": grid,
                    "text": "已向企业反馈：问题已提交上一级协调，正在推进。",
                }
            )
        if plan.status == IssueStatus.OPEN and plan.first_response_at:
            plan.status = IssueStatus.IN_PROGRESS
        plan.department = department
        plan.events = sorted(events, key=lambda e: e["at"])
        project.issues.append(plan)
        return plan

    def meeting(self, day, items, held=True):
        number = f"调〔{day.year}〕{day.month}号"
        return {
            "number": number,
            "date": day,
            "title": f"{day.year}年{day.month}月重点项目调度会",
            "location": "管委会 3 楼会议室",
            "chair": "edb2",
            "attendees": ["coordinator", "edb2", "dept", "land", "hr", "power", "finance"],
            "departments": [EDB, APPROVAL, LAND, HR, POWER, FINANCE],
            "held": held,
            "notes": "逐项会办各板块提交的问题诉求，明确责任部门和办结期限。" if held else "",
            "items": [
                {
                    "issue": issue,
                    "project": project,
                    "decision": decision,
                    "department": issue.department,
                    "deadline": issue.deadline if decision == "assign" else None,
                    "note": {
                        "assign": "明确责任部门，限期办结并向企业反馈。",
                        "resolved": "会上协调解决。",
                        "escalate": "涉及跨层级协调，提请委领导交办。",
                        "": "",
                    }[decision],
                }
                for issue, project, decision in items
            ],
        }


PERMIT_ORDER = [
    ("立项备案", Stage.CONSTRUCTION),
    ("用地", Stage.CONSTRUCTION),
    ("规划许可", Stage.CONSTRUCTION),
    ("施工许可", Stage.CONSTRUCTION),
    ("环评", Stage.CONSTRUCTION),
    ("能评", ""),
    ("消防验收", Stage.COMPLETED),
    ("竣工验收", Stage.COMPLETED),
]


# Writing ---------------------------------------------------------------------------------


class Writer:
    """Writes the plan, creating only rows whose natural key is missing."""

    def __init__(self, planner):
        self.plan = planner
        self.created = {}

    def count(self, model, number=1):
        """Tally created rows by model (its translated plural name is what the command prints)."""
        self.created[model] = self.created.get(model, 0) + int(number)

    def write(self):
        self.parks = {}
        for order, name in enumerate(PARKS, start=1):
            self.parks[name], made = Park.objects.get_or_create(name=name, defaults={"order": order})
            self.count(Park, made)
        settings = MapSettings.current()
        if not settings.park_outlines:
            settings.park_outlines = json.dumps(park_outlines(), ensure_ascii=False)
            settings.save(update_fields=["park_outlines"])
            self.count(MapSettings)
        self.departments = {}
        for order, name in enumerate(DEPARTMENTS, start=1):
            self.departments[name], made = Department.objects.get_or_create(
                name=name, defaults={"order": order}
            )
            self.count(Department, made)
        for category, department in ROUTES.items():
            _route, made = CategoryRoute.objects.get_or_create(
                category=category, defaults={"department": self.departments[department]}
            )
            self.count(CategoryRoute, made)
        Rules.current()
        self.write_users()
        self.permit_types = {t.name: t for t in PermitType.objects.all()}
        for name, required_from in PERMIT_ORDER:
            if name not in self.permit_types:
                self.permit_types[name] = PermitType.objects.create(
                    name=name, order=len(self.permit_types) + 1, required_from=required_from
                )
        # Meetings and month locks belong to the zone's story of the day it was first loaded: a later
        # run (another day, another month) must not add next month's meeting to a loaded zone.
        if self.write_projects():
            self.write_meetings()
            self.write_month_locks()
        return self.created

    def write_month_locks(self):
        """Months whose reporting deadline has passed are locked, as the coordinator does each month."""
        today, due_day = self.plan.today, Rules.current().report_deadline_day
        months = [(self.plan.prev, month) for month in range(1, 13)]
        months += [(self.plan.year, month) for month in range(1, today.month)]
        for year, month in months:
            due = datetime.date(year + month // 12, month % 12 + 1, due_day)
            if due < today:
                _lock, made = MonthLock.objects.get_or_create(
                    year=year, month=month, defaults={"locked_by": self.staff["coordinator"]}
                )
                self.count(MonthLock, made)

    def write_users(self):
        User = get_user_model()
        roles = {role.code: role for role in Role.objects.all()}
        for code in RoleCode.values:
            if code not in roles:
                roles[code] = Role.objects.create(code=code)
        existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS])}
        password = None
        self.staff = {}
        for username, name, title, role_codes, department, parks, superuser in USERS:
            user = existing.get(username)
            if user is None:
                # Hash once: every demo user shares the password, and hashing is slow on purpose.
                password = password or make_password(PASSWORD)
                user = User.objects.create(
                    username=username, password=password, is_superuser=superuser, is_staff=superuser
                )
                self.count(get_user_model())
            staff = Staff.objects.filter(user=user).first()
            if staff is None:
                staff = Staff.objects.create(
                    user=user,
                    name=name,
                    title=title,
                    department=self.departments[department] if department else None,
                )
                staff.roles.set([roles[code] for code in role_codes])
                staff.parks.set([self.parks[park] for park in parks])
            self.staff[username] = staff

    def write_projects(self):
        plan = self.plan
        existing = set(
            Project.objects.filter(code__in=[p.code for p in plan.projects]).values_list("code", flat=True)
        )
        todo = [p for p in plan.projects if p.code not in existing]
        self.projects = {p.code: p for p in Project.objects.filter(code__in=existing)}
        if not todo:
            return False
        enterprises = {e.name: e for e in Enterprise.objects.filter(name__in=[p.enterprise for p in todo])}
        for p in todo:
            if p.enterprise not in enterprises:
                enterprises[p.enterprise] = Enterprise.objects.create(
                    name=p.enterprise, address=f"镇江新区{p.park}"
                )
                Contact.objects.create(
                    enterprise=enterprises[p.enterprise],
                    name=p.contact[0],
                    title=p.contact[1],
                    phone=p.contact[2],
                    is_primary=True,
                )
        new_projects = Project.objects.bulk_create(
            [
                Project(
                    code=p.code,
                    name=p.name,
                    enterprise=enterprises[p.enterprise],
                    park=self.parks[p.park],
                    industry=p.industry,
                    total_investment=p.total,
                    content=p.content,
                    planned_start=p.planned_start,
                    actual_start=p.actual_start,
                    planned_completion=p.planned_completion,
                    actual_completion=p.actual_completion,
                    production_date=p.production_date,
                    signed_on=p.signed_on,
                    filed_on=p.filed_on,
                    stage=p.stage,
                    longitude=project_place(p.code, p.park)[0],
                    latitude=project_place(p.code, p.park)[1],
                    leader=self.staff[p.leader],
                    grid_worker=self.staff[p.grid],
                    lead_department=self.departments[p.lead_department],
                )
                for p in todo
            ]
        )
        self.count(Project, len(new_projects))
        rows = dict(zip([p.code for p in todo], new_projects, strict=True))
        self.projects.update(rows)
        S, D = self.staff, self.departments
        Listing.objects.bulk_create(
            [
                Listing(project=rows[p.code], year=y, level=lv, kind=k, planned_investment=amount)
                for p in todo
                for y, lv, k, amount in p.listings
            ]
        )
        MonthlyReport.objects.bulk_create(
            [
                MonthlyReport(project=rows[p.code], year=y, month=m, amount=amount, reported_by=S[p.grid])
                for p in todo
                for y, m, amount in p.reports
            ]
        )
        Permit.objects.bulk_create(
            [
                Permit(
                    project=rows[p.code],
                    permit_type=self.permit_types[name],
                    status=status,
                    applied_on=applied,
                    approved_on=approved,
                    handler=S[p.grid] if status != PermitStatus.NOT_NEEDED else None,
                )
                for p in todo
                for name, status, applied, approved in p.permits
            ]
        )
        self.write_plans(todo, rows)
        ProgressNote.objects.bulk_create(
            [
                ProgressNote(
                    project=rows[p.code], date=day, text=text, stage_from=a, stage_to=b, author=S[author]
                )
                for p in todo
                for day, text, a, b, author in p.notes
            ]
        )
        visit_plans = [(p, v) for p in todo for v in p.visits]
        visits = Visit.objects.bulk_create(
            [
                Visit(
                    project=rows[p.code],
                    date=v.date,
                    kind=v.kind,
                    people_met=v.people_met,
                    summary=v.summary,
                    recorded_by=S[v.recorded_by],
                    **dict(
                        zip(
                            ("longitude", "latitude", "location_accuracy"),
                            visit_place(p.code, p.park, v.date, index),
                            strict=True,
                        )
                    ),
                )
                for index, (p, v) in enumerate(visit_plans)
            ]
        )
        Visit.participants.through.objects.bulk_create(
            [
                Visit.participants.through(visit=visit, staff=S[username])
                for (_p, v), visit in zip(visit_plans, visits, strict=True)
                for username in dict.fromkeys(v.participants)
            ]
        )
        Visit.departments.through.objects.bulk_create(
            [
                Visit.departments.through(visit=visit, department=D[name])
                for (_p, v), visit in zip(visit_plans, visits, strict=True)
                for name in v.departments
            ]
        )
        self.count(Visit, len(visits))
        visit_of = {(p.code, v.date): visit for (p, v), visit in zip(visit_plans, visits, strict=True)}
        issue_plans = [(p, i) for p in todo for i in p.issues]
        number_slips(i for _p, i in issue_plans)
        issues = Issue.objects.bulk_create(
            [
                Issue(
                    project=rows[p.code],
                    visit=visit_of.get((p.code, i.visit_date)),
                    category=i.category,
                    description=i.key,
                    level=i.level,
                    status=i.status,
                    department=D[i.department],
                    assignee=S[i.assignee],
                    assigned_by_leader=S.get(i.assigned_by_leader),
                    deadline=i.deadline,
                    level_entered_at=i.level_entered_at,
                    raised_by=S[i.raised_by],
                    raised_at=i.raised_at,
                    first_response_at=i.first_response_at,
                    resolution=i.resolution,
                    resolved_at=i.resolved_at,
                    solved_on_site=i.solved_on_site,
                    feedback=i.feedback,
                    satisfaction=i.satisfaction,
                    closed_at=i.closed_at,
                    suspended=i.suspended,
                    flagged_for_committee=i.flagged,
                    assignment_slip_no=i.assignment_slip_no,
                    supervision_slip_no=i.supervision_slip_no,
                )
                for p, i in issue_plans
            ]
        )
        self.count(Issue, len(issues))
        IssueEvent.objects.bulk_create(
            [
                IssueEvent(
                    issue=issue,
                    kind=e["kind"],
                    at=e["at"],
                    by=S.get(e.get("by")),
                    text=e.get("text", ""),
                    from_level=e.get("from_level"),
                    to_level=e.get("to_level"),
                    department=D.get(e.get("department")),
                    assignee=S.get(e.get("assignee")),
                    deadline=e.get("deadline"),
                )
                for (_p, i), issue in zip(issue_plans, issues, strict=True)
                for e in i.events
            ]
        )
        approvals = ApprovalRequest.objects.bulk_create(
            [
                ApprovalRequest(
                    issue=issue,
                    kind=a["kind"],
                    new_deadline=a["new_deadline"],
                    reason=a["reason"],
                    requested_by=S[a["requested_by"]],
                    status=a["status"],
                    decided_by=S.get(a.get("decided_by")),
                    decided_at=a.get("decided_at"),
                    decision_note=a.get("decision_note", ""),
                )
                for (_p, i), issue in zip(issue_plans, issues, strict=True)
                for a in i.approvals
            ]
        )
        # requested_at is auto_now_add: set the planned moment afterwards.
        planned_at = [a["requested_at"] for _p, i in issue_plans for a in i.approvals]
        for approval, when in zip(approvals, planned_at, strict=True):
            approval.requested_at = when
        ApprovalRequest.objects.bulk_update(approvals, ["requested_at"])
        self.issue_rows = {id(i): issue for (_p, i), issue in zip(issue_plans, issues, strict=True)}
        self.write_notifications(issue_plans, issues)
        return True

    def write_plans(self, todo, rows):
        """Each project's plan from its template (services.plans), then the grid worker's adjustments:
        the dates the demo knows for the free and production nodes, and the nodes added by hand."""
        plans_create_bulk([rows[p.code] for p in todo])
        nodes = {}
        for node in PlanNode.objects.filter(project__in=[rows[p.code] for p in todo]):
            nodes[(node.project_id, node.name)] = node
        changed, extra = [], []
        for p in todo:
            project = rows[p.code]
            for name, planned, actual, note in p.nodes:
                node = nodes.get((project.pk, name))
                if node is None:
                    extra.append(
                        PlanNode(
                            project=project,
                            name=name,
                            order=100 + len(extra),
                            planned_date=planned,
                            actual_date=actual,
                            note=note,
                            is_key="PPAP" in name,
                            responsible=self.staff[p.grid],
                        )
                    )
                    continue
                if not node.stage:
                    node.actual_date = actual
                if node.stage not in STAGE_PLANNED_FIELD:
                    node.planned_date = planned
                node.note = note
                changed.append(node)
        PlanNode.objects.bulk_update(changed, ["planned_date", "actual_date", "note"], batch_size=500)
        PlanNode.objects.bulk_create(extra)
        self.count(PlanNode, len(nodes) + len(extra))
        for p in todo:
            if getattr(p, "is_stator", False):
                self.write_documents(rows[p.code], self.staff[p.grid])

    def write_documents(self, project, grid):
        """A few documents of the stator plant: its construction permit, its contract, its plan."""
        from django.core.files.base import ContentFile

        from .services.documents import document_attach

        permit_node = project.nodes.filter(permit_type__name="施工许可").first()
        permit = project.permits.filter(permit_type__name="施工许可").first()
        files = [
            ("施工许可证（扫描件）.pdf", demo_pdf("Construction permit"), permit_node, permit, "施工许可证"),
            (
                "投资合作协议.xlsx",
                demo_xlsx(["投资合作协议要点", "总投资 6.2 亿元", "两栋厂房"]),
                None,
                None,
                "签约材料",
            ),
            ("2号厂房设备安装计划.xlsx", demo_xlsx(["设备", "冲压线 5 条", "安装调试中"]), None, None, ""),
        ]
        for name, content, node, permit_row, description in files:
            document_attach(
                project=project,
                by=grid,
                file=ContentFile(content, name=name),
                description=description,
                node=node,
                permit=permit_row,
            )
        self.count(Document, len(files))

    def write_notifications(self, issue_plans, issues):
        notifications = []
        for (p, i), issue in zip(issue_plans, issues, strict=True):
            if i.status not in IssueStatus.unresolved():
                continue
            try:
                url = reverse("issue_detail", args=[issue.pk])
            except NoReverseMatch:  # the issue pages are not routed in this build
                url = reverse("project_detail", args=[issue.project_id])
            assignee = self.staff[i.assignee].user
            notifications.append(
                Notification(recipient=assignee, text=f"待办：{p.name}——{i.key[:40]}", url=url, issue=issue)
            )
            if i.deadline and i.deadline < self.plan.today and not i.suspended:
                notifications.append(
                    Notification(
                        recipient=self.staff[i.raised_by].user,
                        text=f"已超期：{p.name}——{i.key[:40]}",
                        url=url,
                        issue=issue,
                    )
                )
            if i.level >= Level.LEADER:
                for username in ("leader", "supervisor"):
                    notifications.append(
                        Notification(
                            recipient=self.staff[username].user,
                            text=f"{Level(i.level).label}：{p.name}——{i.key[:40]}",
                            url=url,
                            issue=issue,
                        )
                    )
        Notification.objects.bulk_create(notifications)
        self.count(Notification, len(notifications))

    def write_meetings(self):
        S, D = self.staff, self.departments
        for spec in self.plan.meetings:
            if Meeting.objects.filter(number=spec["number"]).exists():
                continue
            meeting = Meeting.objects.create(
                number=spec["number"],
                date=spec["date"],
                title=spec["title"],
                location=spec["location"],
                chair=S[spec["chair"]],
                notes=spec["notes"],
                held=spec["held"],
            )
            meeting.attendees.set([S[u] for u in spec["attendees"]])
            meeting.departments.set([D[d] for d in spec["departments"]])
            items = []
            for order, item in enumerate(spec["items"], start=1):
                issue = Issue.objects.filter(
                    project=self.projects[item["project"].code], description=item["issue"].key
                ).first()
                if issue is None:
                    continue
                items.append(
                    MeetingItem(
                        meeting=meeting,
                        issue=issue,
                        decision=item["decision"],
                        department=D[item["department"]] if item["decision"] else None,
                        deadline=item["deadline"],
                        note=item["note"],
                        order=order,
                    )
                )
            MeetingItem.objects.bulk_create(items)
            self.count(Meeting)


def demo_pdf(title):
    """A one-page PDF (a real file, so the document check by content accepts it)."""
    body = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_xlsx(lines):
    import io

    from openpyxl import Workbook

    book = Workbook()
    for line in lines:
        book.active.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load_demo(today=None):
    """Create the demo zone where it is missing; returns what was created, by kind."""
    today = today or timezone.localdate()
    planner = Planner(today).plan()
    with transaction.atomic():
        return Writer(planner).write()


def demo_logins():
    """(username, role label, password) of the one-per-role demo users."""
    by_name = {u[0]: u for u in USERS}
    return [
        (username, [RoleCode(code).label for code in by_name[username][3]], PASSWORD)
        for username in DEMO_LOGINS
    ]
