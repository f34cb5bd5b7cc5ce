"""A synthetic zone for benchmarks and load tests (`manage.py generate_data --scale N`).

At scale 1 it is one zone of eight parks with about 1,000 projects, 2,000 listings over ten years,
20,000 monthly reports, 5,000 visits and 10,000 issues with their timelines; scale N is N times that
(N zones of eight parks on one installation, as a city running several zones would have).

Contract: the database is empty (only what the migrations create), everything is written in one
transaction with `bulk_create`, and the same seed and `today` give the same rows. Every row respects
the model's constraints (stage vs dates, one listing per project and year, one report per project and
month, resolved issues have a resolution, closed ones feedback). Bulk inserts write no
simple-history rows: the synthetic zone has no edit history, only its issue timelines (IssueEvent).
"""

import datetime
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .models import (
    Category,
    CategoryRoute,
    Contact,
    Department,
    Enterprise,
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    Meeting,
    MeetingItem,
    MonthlyReport,
    Park,
    Permit,
    PermitStatus,
    PermitType,
    PlanNode,
    ProgressNote,
    Project,
    Role,
    RoleCode,
    Staff,
    Stage,
    Visit,
    VisitKind,
)

PASSWORD = "demo-pass-2026"
YEARS = 10
PROJECTS_PER_SCALE = 1000
VISITS_PER_SCALE = 5000
ISSUES_PER_SCALE = 10000

PARKS = [
    "航空航天产业园",
    "高校园区",
    "新材料产业园",
    "智能制造产业园",
    "生物医药产业园",
    "港口物流园",
    "化工园区",
    "大港片区",
]
DEPARTMENTS = [
    "经济发展局",
    "行政审批局",
    "自然资源和规划局",
    "人力资源和社会保障局",
    "财政金融局",
    "住房和城乡建设局",
    "生态环境局",
    "应急管理局",
    "供电公司",
    "水务集团",
]
ROUTES = {
    Category.PERMITS: "行政审批局",
    Category.LAND: "自然资源和规划局",
    Category.HIRING: "人力资源和社会保障局",
    Category.UTILITIES: "供电公司",
    Category.FINANCE: "财政金融局",
    Category.POLICY: "经济发展局",
    Category.OTHER: "经济发展局",
}
INDUSTRIES = ["航空航天", "新能源汽车", "新材料", "高端装备", "生物医药", "电子信息", "现代物流", "数字经济"]
PRODUCTS = ["驱动电机", "复合材料", "精密部件", "锂电池", "智能装备", "医疗器械", "芯片封装", "冷链仓储"]
WORKS = ["生产基地", "扩建项目", "研发中心", "智能工厂", "二期项目", "技改项目", "产业园项目", "总部项目"]
ENTERPRISE_PREFIXES = [
    "联博",
    "江大",
    "华瑞",
    "中科",
    "恒顺",
    "金港",
    "瑞丰",
    "天成",
    "新和",
    "远航",
    "东方",
    "润达",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌红玉兰"
ISSUE_TEXTS = {
    Category.PERMITS: [
        "施工许可办理进度慢，需协调",
        "规划许可材料需补正，请求指导",
        "环评批复时间紧，请求加快",
    ],
    Category.UTILITIES: ["厂区临时用电容量不足", "天然气管线尚未接入", "供水管网压力不足影响调试"],
    Category.HIRING: ["急需招聘一线操作工50名", "技术工人缺口较大", "需对接职业院校订单培养"],
    Category.LAND: ["二期用地指标尚未落实", "地块边界与规划不一致", "土地出让手续待完善"],
    Category.FINANCE: ["流动资金紧张，请求对接银行", "设备贷款审批进度慢", "申请贴息政策支持"],
    Category.POLICY: ["咨询人才公寓政策", "申报技改补贴流程不清", "请求解读产业扶持政策"],
    Category.OTHER: ["厂区周边道路施工影响物流", "员工通勤班车线路需调整", "周边配套设施不足"],
}
VISIT_TEXTS = ["了解项目建设进度", "协调解决企业诉求", "督促手续办理", "现场查看设备安装", "走访了解用工需求"]
MILESTONES = ["主体结构封顶", "设备进场安装", "生产线调试", "试生产", "PPAP批准", "批量生产"]
# Calendar days per working-day time limit of each level (5 working days ≈ 7 calendar days).
LEVEL_DAYS = {Level.GRID_HELP: 7, Level.COORDINATION: 28, Level.LEADER: 14, Level.SUPERVISION: 14}


class NotEmptyError(Exception):
    """The database already holds a zone; the generator only fills an empty one."""


@dataclass
class Counts:
    values: dict = field(default_factory=dict)

    def add(self, name, number):
        self.values[name] = self.values.get(name, 0) + number


def is_empty():
    """True when only what the migrations create is there (roles, rules, permit types, the default
    departments and category routes)."""
    return not (
        Project.objects.exists()
        or Park.objects.exists()
        or Enterprise.objects.exists()
        or Staff.objects.exists()
        or Issue.objects.exists()
        or get_user_model().objects.exists()
    )


def money(value):
    return Decimal(f"{max(value, 0):.2f}")


class _Writer:
    """Buffers rows per model and writes them with bulk_create in batches."""

    def __init__(self, batch_size, counts):
        self.batch_size = batch_size
        self.counts = counts

    def write(self, model, rows):
        if rows:
            model.objects.bulk_create(rows, batch_size=self.batch_size)
            self.counts.add(model.__name__, len(rows))
        return rows


class Generator:
    def __init__(self, *, scale, seed, today, batch_size):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        self.tz = timezone.get_default_timezone()
        self.counts = Counts()
        self.out = _Writer(batch_size, self.counts)
        self.batch_size = batch_size
        self.zones = max(1, math.ceil(scale))
        self.first_year = today.year - YEARS + 1
        self.slip_numbers = {}

    # -- helpers -------------------------------------------------------------------------------------

    def at(self, day, hour=None):
        """An aware datetime on a date, at a working hour."""
        hour = self.rng.randint(8, 17) if hour is None else hour
        return datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)), tzinfo=self.tz)

    def person_name(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.randint(1, 2)))

    def day_between(self, start, end):
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def slip(self, prefix, year):
        number = self.slip_numbers[(prefix, year)] = self.slip_numbers.get((prefix, year), 0) + 1
        return f"{prefix}〔{year}〕{number}号"

    # -- the zone ------------------------------------------------------------------------------------

    def run(self):
        self.organisation()
        self.enterprises()
        self.projects()
        self.listings_and_reports()
        self.permits_and_progress()
        self.visits()
        self.issues()
        return self.counts.values

    def organisation(self):
        self.parks = []  # per zone: list of parks
        park_rows = []
        for zone in range(self.zones):
            for order, name in enumerate(PARKS, start=1):
                label = name if zone == 0 else f"{name}（{zone + 1}区）"
                park_rows.append(Park(name=label, order=zone * 100 + order))
        self.out.write(Park, park_rows)
        self.parks = [park_rows[z * len(PARKS) : (z + 1) * len(PARKS)] for z in range(self.zones)]
        # The migrations create PRODUCT.md's departments and default routes: keep those rows (and the
        # routes' departments) and write only what is missing, in DEPARTMENTS order for the seed.
        existing = {d.name: d for d in Department.objects.filter(name__in=DEPARTMENTS)}
        self.out.write(
            Department,
            [Department(name=name, order=i) for i, name in enumerate(DEPARTMENTS) if name not in existing],
        )
        by_name = {d.name: d for d in Department.objects.filter(name__in=DEPARTMENTS)}
        self.departments = [by_name[name] for name in DEPARTMENTS]
        self.route = {category: by_name[name] for category, name in ROUTES.items()}
        routed = set(CategoryRoute.objects.values_list("category", flat=True))
        self.out.write(
            CategoryRoute,
            [CategoryRoute(category=c, department=d) for c, d in self.route.items() if c not in routed],
        )
        self.permit_types = list(PermitType.objects.order_by("order", "pk"))
        roles = {role.code: role for role in Role.objects.all()}
        for code in RoleCode.values:
            if code not in roles:
                roles[code] = Role.objects.create(code=code)

        # One password hash for everybody: hashing is deliberately slow.
        password = make_password(PASSWORD)
        people = []  # (username, role codes, department, parks, zone)
        for zone in range(self.zones):
            for park in self.parks[zone]:
                people += [("grid", [RoleCode.GRID_WORKER], None, [park], zone) for _ in range(3)]
            for department in self.departments:
                people += [("dept", [RoleCode.DEPARTMENT], department, [], zone) for _ in range(2)]
            edb = by_name["经济发展局"]
            people += [("coordinator", [RoleCode.COORDINATOR], edb, [], zone) for _ in range(2)]
            people += [("leader", [RoleCode.LEADER], None, [], zone) for _ in range(6)]
            people += [("supervisor", [RoleCode.SUPERVISOR], None, [], zone) for _ in range(2)]
            people += [("admin", [RoleCode.ADMINISTRATOR], None, [], zone)]
        used = {}
        users = []
        for base, *_rest in people:
            used[base] = used.get(base, 0) + 1
            # The first of each role has the short name of the test personas: grid, coordinator, …
            username = base if used[base] == 1 else f"{base}{used[base]:04d}"
            users.append(get_user_model()(username=username, password=password, is_active=True))
        users.append(
            get_user_model()(username="superuser", password=password, is_superuser=True, is_staff=True)
        )
        self.out.write(get_user_model(), users)
        staff_rows = [
            Staff(user=user, name=self.person_name(), department=department)
            for user, (_base, _codes, department, _parks, _zone) in zip(users, people, strict=False)
        ]
        self.out.write(Staff, staff_rows)
        role_links, park_links = [], []
        self.grid_by_park, self.dept_staff, self.leaders, self.coordinators = {}, {}, {}, {}
        for staff, (_base, codes, department, parks, zone) in zip(staff_rows, people, strict=True):
            role_links += [Staff.roles.through(staff=staff, role=roles[code]) for code in codes]
            park_links += [Staff.parks.through(staff=staff, park=park) for park in parks]
            if RoleCode.GRID_WORKER in codes:
                self.grid_by_park.setdefault(parks[0].pk, []).append(staff)
            if RoleCode.DEPARTMENT in codes:
                self.dept_staff.setdefault((zone, department.pk), []).append(staff)
            if RoleCode.LEADER in codes:
                self.leaders.setdefault(zone, []).append(staff)
            if RoleCode.COORDINATOR in codes:
                self.coordinators.setdefault(zone, []).append(staff)
        self.out.write(Staff.roles.through, role_links)
        self.out.write(Staff.parks.through, park_links)

    def enterprises(self):
        rng = self.rng
        count = max(1, round(PROJECTS_PER_SCALE * self.scale * 0.8))
        names, rows = set(), []
        while len(rows) < count:
            name = (
                rng.choice(ENTERPRISE_PREFIXES) + rng.choice(PRODUCTS) + rng.choice(["科技", "实业", "制造"])
            )
            name += "有限公司"
            if name in names:
                name = name.replace("有限公司", f"（{len(rows) + 1}）有限公司")
            names.add(name)
            rows.append(Enterprise(name=name, credit_code=f"91321191MA{len(rows):08d}"))
        self.enterprise_rows = self.out.write(Enterprise, rows)
        contacts = []
        for enterprise in self.enterprise_rows:
            for primary in [True] + [False] * rng.randint(0, 1):
                contacts.append(
                    Contact(
                        enterprise=enterprise,
                        name=self.person_name(),
                        title=rng.choice(["总经理", "项目经理", "行政主管"]),
                        phone=f"139{rng.randint(0, 99999999):08d}",
                        is_primary=primary,
                    )
                )
        self.out.write(Contact, contacts)

    def projects(self):
        rng, today = self.rng, self.today
        count = max(1, round(PROJECTS_PER_SCALE * self.scale))
        rows, self.plans = [], []
        for i in range(count):
            zone = i * self.zones // count
            park = rng.choice(self.parks[zone])
            industry_index = rng.randrange(len(INDUSTRIES))
            enterprise = (
                self.enterprise_rows[i] if i < len(self.enterprise_rows) else rng.choice(self.enterprise_rows)
            )
            first_year = rng.randint(self.first_year, today.year)
            years = min(rng.choices([1, 2, 3, 4], weights=[20, 40, 25, 15])[0], today.year - first_year + 1)
            total = min(max(rng.lognormvariate(math.log(8000), 1.1), 500), 900000)
            planned_start = datetime.date(first_year, rng.randint(1, 9), rng.randint(1, 28))
            actual_start = actual_completion = production = None
            stage = Stage.PREPARATION
            if planned_start <= today and rng.random() < 0.88:
                start = planned_start + datetime.timedelta(days=rng.randint(-20, 100))
                if start <= today:
                    actual_start, stage = start, Stage.CONSTRUCTION
            last_year = first_year + years - 1
            if actual_start and last_year < today.year and rng.random() < 0.65:
                done = actual_start + datetime.timedelta(days=rng.randint(300, 900))
                if done <= today:
                    actual_completion, stage = done, Stage.COMPLETED
                    made = done + datetime.timedelta(days=rng.randint(20, 150))
                    if made <= today and rng.random() < 0.7:
                        production, stage = made, Stage.PRODUCTION
            leader = rng.choice(self.leaders[zone])
            grid = rng.choice(self.grid_by_park[park.pk])
            rows.append(
                Project(
                    code=f"XQ{first_year}{i + 1:06d}",
                    name=f"{enterprise.name[:4]}{PRODUCTS[industry_index]}{rng.choice(WORKS)}",
                    enterprise=enterprise,
                    park=park,
                    industry=INDUSTRIES[industry_index],
                    total_investment=money(total),
                    content=f"新建厂房{rng.randint(2, 20)}万平方米，购置设备{rng.randint(20, 400)}台（套）",
                    planned_start=planned_start,
                    actual_start=actual_start,
                    planned_completion=planned_start + datetime.timedelta(days=rng.randint(365, 900)),
                    actual_completion=actual_completion,
                    production_date=production,
                    stage=stage,
                    leader=leader,
                    grid_worker=grid,
                    lead_department=rng.choice(self.departments),
                )
            )
            self.plans.append(
                {
                    "zone": zone,
                    "years": list(range(first_year, last_year + 1)),
                    # How well the project keeps to its plan: some lag behind (yellow and red lights).
                    "pace": rng.uniform(0.45, 1.2),
                }
            )
        self.project_rows = self.out.write(Project, rows)

    def listings_and_reports(self):
        rng, today = self.rng, self.today
        listings, reports = [], []
        for project, plan in zip(self.project_rows, self.plans, strict=True):
            level = rng.choices(ListingLevel.values, weights=[10, 30, 60])[0]
            total = float(project.total_investment)
            for index, year in enumerate(plan["years"]):
                planned = total / len(plan["years"]) * rng.uniform(0.6, 1.1)
                listings.append(
                    Listing(
                        project=project,
                        year=year,
                        level=level if rng.random() < 0.9 else rng.choice(ListingLevel.values),
                        kind=ListingKind.NEW if index == 0 else ListingKind.CONTINUING,
                        planned_investment=money(planned),
                    )
                )
                start = project.actual_start
                if start is None or start.year > year:
                    continue
                first_month = start.month if start.year == year else 1
                last_month = 12 if year < today.year else today.month - 1
                months = range(first_month, last_month + 1)
                for month in months:
                    amount = planned / 12 * plan["pace"] * rng.uniform(0.5, 1.5)
                    reports.append(
                        MonthlyReport(
                            project=project,
                            year=year,
                            month=month,
                            amount=money(amount),
                            reported_by=project.grid_worker,
                        )
                    )
                if len(reports) >= 20 * self.batch_size:
                    self.out.write(MonthlyReport, reports)
                    reports = []
        self.out.write(Listing, listings)
        self.out.write(MonthlyReport, reports)

    def permits_and_progress(self):
        rng, today = self.rng, self.today
        permits, milestones, notes = [], [], []
        for project in self.project_rows:
            rank = Stage.rank(project.stage)
            for permit_type in self.permit_types:
                needed = permit_type.required_from and rank >= Stage.rank(permit_type.required_from)
                applied = approved = None
                if needed:
                    status = PermitStatus.APPROVED
                    anchor = project.actual_completion or project.actual_start or today
                    approved = anchor - datetime.timedelta(days=rng.randint(5, 60))
                    applied = approved - datetime.timedelta(days=rng.randint(5, 90))
                elif not permit_type.required_from:
                    status = rng.choice([PermitStatus.APPROVED, PermitStatus.NOT_NEEDED])
                else:
                    status = rng.choice([PermitStatus.NOT_STARTED, PermitStatus.IN_PROGRESS])
                    if status == PermitStatus.IN_PROGRESS:
                        applied = today - datetime.timedelta(days=rng.randint(1, 120))
                permits.append(
                    Permit(
                        project=project,
                        permit_type=permit_type,
                        status=status,
                        applied_on=applied,
                        approved_on=approved,
                        handler=project.grid_worker,
                    )
                )
            if project.actual_start:
                for n, name in enumerate(MILESTONES[: rng.randint(1, 4)]):
                    planned = project.actual_start + datetime.timedelta(days=90 * (n + 1))
                    done = planned + datetime.timedelta(days=rng.randint(-15, 45))
                    milestones.append(
                        PlanNode(
                            project=project,
                            name=name,
                            order=n + 1,
                            planned_date=planned,
                            actual_date=done if done <= today else None,
                        )
                    )
                notes.append(
                    ProgressNote(
                        project=project,
                        date=project.actual_start,
                        text="项目开工建设",
                        stage_from=Stage.PREPARATION,
                        stage_to=Stage.CONSTRUCTION,
                        author=project.grid_worker,
                    )
                )
                notes.append(
                    ProgressNote(
                        project=project,
                        date=self.day_between(project.actual_start, today),
                        text=rng.choice(["主体施工中", "设备安装调试中", "厂房装修中"]),
                        author=project.grid_worker,
                    )
                )
            if project.actual_completion:
                notes.append(
                    ProgressNote(
                        project=project,
                        date=project.actual_completion,
                        text="项目竣工验收",
                        stage_from=Stage.CONSTRUCTION,
                        stage_to=Stage.COMPLETED,
                        author=project.grid_worker,
                    )
                )
        self.out.write(Permit, permits)
        self.out.write(PlanNode, milestones)
        self.out.write(ProgressNote, notes)

    def _active_period(self, plan):
        start = datetime.date(plan["years"][0], 1, 1)
        end = min(self.today, datetime.date(plan["years"][-1], 12, 31))
        return start, end

    def _spread(self, total):
        """How many of `total` items each project gets, in proportion to its listed years."""
        weights = [len(plan["years"]) for plan in self.plans]
        whole = sum(weights)
        shares = []
        for weight in weights:
            exact = total * weight / whole
            shares.append(int(exact) + (1 if self.rng.random() < exact - int(exact) else 0))
        return shares

    def visits(self):
        rng, today = self.rng, self.today
        total = round(VISITS_PER_SCALE * self.scale)
        self.visits_by_project = {}
        chunk, participants, departments = [], [], []

        def flush():
            self.out.write(Visit, chunk)
            for visit in chunk:
                participants.extend(
                    Visit.participants.through(visit_id=visit.pk, staff_id=s.pk) for s in visit._people
                )
                departments.extend(
                    Visit.departments.through(visit_id=visit.pk, department_id=d.pk) for d in visit._depts
                )
            self.out.write(Visit.participants.through, participants)
            self.out.write(Visit.departments.through, departments)
            chunk.clear(), participants.clear(), departments.clear()

        for project, plan, share in zip(self.project_rows, self.plans, self._spread(total), strict=True):
            start, end = self._active_period(plan)
            dates = sorted(self.day_between(start, end) for _ in range(share))
            # Projects on this year's list are mostly visited within the last month.
            if dates and plan["years"][-1] == today.year and rng.random() < 0.7:
                dates[-1] = today - datetime.timedelta(days=rng.randint(0, 35))
            for day in dates:
                kind = rng.choices(VisitKind.values, weights=[70, 20, 10])[0]
                visit = Visit(
                    project=project,
                    date=day,
                    kind=kind,
                    people_met=self.person_name(),
                    summary=rng.choice(VISIT_TEXTS),
                    recorded_by=project.grid_worker,
                    latitude=Decimal(f"{32.15 + rng.random() * 0.1:.6f}"),
                    longitude=Decimal(f"{119.55 + rng.random() * 0.2:.6f}"),
                    location_accuracy=rng.randint(5, 60),
                )
                visit._people = [project.grid_worker] + ([project.leader] if kind == VisitKind.LEADER else [])
                visit._depts = rng.sample(self.departments, 2) if kind == VisitKind.JOINT else []
                chunk.append(visit)
                self.visits_by_project.setdefault(project.pk, []).append(visit)
            if len(chunk) >= self.batch_size:
                flush()
        flush()

    def issues(self):
        total = round(ISSUES_PER_SCALE * self.scale)
        chunk = []
        self.meeting_items = {}
        for project, plan, share in zip(self.project_rows, self.plans, self._spread(total), strict=True):
            for _ in range(share):
                chunk.append(self.issue(project, plan))
            if len(chunk) >= self.batch_size:
                self._flush_issues(chunk)
                chunk = []
        self._flush_issues(chunk)
        self.meetings()

    def issue(self, project, plan):
        """An issue and its timeline (events kept on the instance until the issue has a pk)."""
        rng, today = self.rng, self.today
        now = self.at(today, 18)
        start, end = self._active_period(plan)
        visits = self.visits_by_project.get(project.pk, [])
        visit = rng.choice(visits) if visits and rng.random() < 0.4 else None
        raised = self.at(visit.date if visit else self.day_between(start, end))
        category = rng.choice(Category.values)
        department = self.route[category]
        zone = plan["zone"]
        assignee = rng.choice(self.dept_staff[(zone, department.pk)])
        final_level = rng.choices([1, 2, 3, 4], weights=[70, 18, 8, 4])[0]
        age = (today - raised.date()).days
        unresolved_odds = 0.6 if age < 30 else 0.15 if age < 180 else 0.03
        unresolved = rng.random() < unresolved_odds
        on_site = bool(visit) and final_level == 1 and not unresolved and rng.random() < 0.4

        events = [
            IssueEvent(
                kind=IssueEventKind.RAISED, at=raised, by=project.grid_worker, to_level=Level.GRID_HELP
            )
        ]
        first_response = None if unresolved and rng.random() < 0.3 else raised + datetime.timedelta(hours=2)
        moment = raised
        deadline = None
        level_entered = raised
        for level in range(1, final_level + 1):
            if level > 1:
                moment += datetime.timedelta(days=LEVEL_DAYS[Level(level - 1)] + rng.randint(0, 3))
                if moment > now:
                    final_level = level - 1
                    break
                level_entered = moment
                events.append(
                    IssueEvent(
                        kind=rng.choice([IssueEventKind.ESCALATED, IssueEventKind.AUTO_ESCALATED]),
                        at=moment,
                        by=project.leader if level == 4 else None,
                        from_level=level - 1,
                        to_level=level,
                        text="逾期未解决，升级处理",
                    )
                )
            deadline = moment.date() + datetime.timedelta(days=LEVEL_DAYS[Level(level)])
            events.append(
                IssueEvent(
                    kind=IssueEventKind.ASSIGNED if level == 1 else IssueEventKind.DEADLINE_SET,
                    at=moment + datetime.timedelta(minutes=30),
                    by=project.leader if level == 3 else None,
                    department=department,
                    assignee=assignee,
                    deadline=deadline,
                )
            )
        for _ in range(rng.choice([0, 0, 1, 2])):
            at = moment + datetime.timedelta(hours=rng.randint(3, 120))
            if at < now:
                events.append(
                    IssueEvent(kind=IssueEventKind.FOLLOW_UP, at=at, by=assignee, text="已对接企业，跟进办理")
                )

        status, resolved_at, closed_at, resolution, feedback, satisfaction = (
            IssueStatus.OPEN,
            None,
            None,
            "",
            "",
            "",
        )
        if first_response:
            status = IssueStatus.IN_PROGRESS
        if not unresolved:
            spent = 0 if on_site else rng.randint(1, LEVEL_DAYS[Level(final_level)] + 5)
            resolved_at = min(moment + datetime.timedelta(days=spent, hours=1), now)
            resolution = "现场协调解决" if on_site else "经协调已办结"
            status = IssueStatus.RESOLVED
            events.append(
                IssueEvent(kind=IssueEventKind.RESOLVED, at=resolved_at, by=assignee, text=resolution)
            )
            closes = resolved_at + datetime.timedelta(days=rng.randint(1, 10))
            if closes < now and rng.random() < 0.75:
                closed_at, status = closes, IssueStatus.CLOSED
                feedback = "已向企业反馈办理结果"
                satisfaction = rng.choices(["satisfied", "partly", "not_satisfied"], weights=[85, 12, 3])[0]
                events.append(
                    IssueEvent(kind=IssueEventKind.FEEDBACK, at=closes, by=project.grid_worker, text=feedback)
                )
                events.append(IssueEvent(kind=IssueEventKind.CLOSED, at=closes, by=project.grid_worker))
        withdrawn = unresolved and rng.random() < 0.03
        issue = Issue(
            project=project,
            visit=visit,
            category=category,
            description=rng.choice(ISSUE_TEXTS[category]),
            level=final_level,
            status=status,
            department=department,
            assignee=assignee,
            assigned_by_leader=project.leader if final_level >= 3 else None,
            deadline=deadline,
            level_entered_at=level_entered,
            raised_by=project.grid_worker,
            raised_at=raised,
            first_response_at=first_response,
            resolution=resolution,
            resolved_at=resolved_at,
            solved_on_site=on_site,
            feedback=feedback,
            satisfaction=satisfaction,
            closed_at=closed_at,
            suspended=unresolved and not withdrawn and rng.random() < 0.03,
            assignment_slip_no=self.slip("交", raised.year) if final_level >= 3 else "",
            supervision_slip_no=self.slip("督", raised.year) if final_level >= 4 else "",
            withdrawn_reason="企业已自行解决" if withdrawn else "",
            withdrawn_at=now if withdrawn else None,
        )
        issue._events = events
        issue._zone = zone
        issue._coordination_month = next(
            ((e.at.year, e.at.month) for e in events if e.to_level == Level.COORDINATION), None
        )
        return issue

    def _flush_issues(self, chunk):
        self.out.write(Issue, chunk)
        events = []
        for issue in chunk:
            for event in issue._events:
                event.issue = issue
                events.append(event)
            if issue._coordination_month:
                key = (issue._zone, *issue._coordination_month)
                self.meeting_items.setdefault(key, []).append(issue)
        self.out.write(IssueEvent, events)

    def meetings(self):
        """One coordination meeting a month per zone, tabling the issues that reached level 2."""
        meetings, items = [], []
        for (zone, year, month), issues in sorted(self.meeting_items.items(), key=lambda item: item[0]):
            day = datetime.date(year, month, 28)
            chair = self.coordinators[zone][0]
            meeting = Meeting(
                number=f"{year}-{month:02d}-{zone + 1}",
                date=min(day, self.today),
                title=f"{year}年{month}月项目调度会",
                chair=chair,
                held=day <= self.today,
            )
            meeting._issues = issues
            meetings.append(meeting)
        self.out.write(Meeting, meetings)
        for meeting in meetings:
            for order, issue in enumerate(meeting._issues):
                items.append(
                    MeetingItem(
                        meeting=meeting,
                        issue=issue,
                        decision=MeetingItem.Decision.ASSIGN,
                        department=issue.department,
                        deadline=issue.deadline,
                        note="请责任部门限期办结",
                        order=order,
                    )
                )
        self.out.write(MeetingItem, items)


def generate(*, scale, seed=1, today=None, batch_size=2000):
    """Fill the empty database with a synthetic zone; returns the number of rows per model."""
    today = today or timezone.localdate()
    with transaction.atomic():
        if not is_empty():
            raise NotEmptyError
        return Generator(scale=scale, seed=seed, today=today, batch_size=batch_size).run()
