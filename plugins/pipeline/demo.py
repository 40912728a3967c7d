"""A believable team's pipeline: 60 customers, 150 deals with six months of history, activities."""
from __future__ import annotations

import datetime
import decimal

from core.api import AuditEntry, StageMove, close_stays, ensure_defaults, get_entity, processes_of, records, stages_of, utcnow

from .entities import ACTIVITY, CONTACT, CUSTOMER, DEAL, PRODUCT
from .models import Activity, Customer, Deal, DealLine, LostReason, ensure_lost_reasons

CHINESE = ["华辰科技有限公司", "瑞丰贸易有限公司", "东方恒信集团", "蓝海物流股份有限公司", "金石建材有限责任公司", "博远医疗器械公司",
           "鼎盛食品有限公司", "天宇电子有限公司", "嘉禾农业科技", "新锐教育集团", "远航汽车零部件有限公司", "明德律师事务所",
           "宏图地产股份有限公司", "清源环保科技有限公司", "盛世传媒有限公司", "安泰保险经纪有限公司", "恒通物流集团", "星河软件有限公司",
           "中科精密仪器有限公司", "福满楼餐饮管理有限公司", "万通家居有限公司", "绿源生物制药股份有限公司", "海川船舶设备有限公司",
           "长城纺织有限公司", "融信金融服务公司", "润泽水务集团", "锦程旅游有限公司", "卓越人力资源有限公司", "凯达机械制造有限公司",
           "华辰科技"]  # the last one is a duplicate, for the duplicates page
ENGLISH = ["Northwind Traders", "Contoso Ltd", "Fabrikam Inc", "Adventure Works", "Tailspin Toys", "Wide World Importers",
           "Litware Inc", "Proseware Co.", "Lucerne Publishing", "Margie's Travel", "Blue Yonder Airlines", "Coho Winery",
           "Alpine Ski House", "Woodgrove Bank", "Graphic Design Institute", "Humongous Insurance", "Trey Research",
           "Fourth Coffee", "Southridge Video", "Wingtip Toys", "Relecloud", "Munson's Pickles", "Consolidated Messenger",
           "School of Fine Art", "City Power & Light", "Best For You Organics", "Nod Publishers", "VanArsdel Ltd",
           "Datum Corporation", "CONTOSO, Inc."]  # so is the last one
INDUSTRIES = ["Manufacturing", "Retail", "Logistics", "Healthcare", "Education", "Finance", "Software", "Food"]
REGIONS = ["上海", "杭州", "南京", "苏州", "宁波", "合肥", "Shanghai", "Hangzhou"]
PRODUCTS = [("CRM 基础版 Basic", "Software", 12000), ("CRM 专业版 Pro", "Software", 36000), ("Implementation", "Service", 20000),
            ("Training day", "Service", 5000), ("Support, one year", "Service", 8000), ("Data migration", "Service", 15000),
            ("Hardware kit", "Hardware", 4500), ("API add-on", "Software", 9000)]
TOPICS = ["CRM rollout", "Renewal {year}", "Expansion to sales team", "二期项目", "{year}年度采购", "Pilot for one region",
          "系统升级", "Support contract {year}", "新门店上线", "Training programme"]
SUBJECTS = {"call": ["Intro call", "Follow-up call", "Check budget", "电话沟通需求"], "visit": ["On-site visit", "拜访客户"],
            "meeting": ["Demo meeting", "Kick-off", "方案评审会"], "email": ["Sent brochure", "发送资料"],
            "quote": ["Sent the quote", "报价"], "note": ["Note from the call", "备注"]}


def create(team, rng) -> None:
    """Called by the `demo_data` hook inside one transaction."""
    now = utcnow()
    people = [team.manager] + list(team.reps)
    reps = list(team.reps) or people
    ensure_defaults()
    ensure_lost_reasons()
    views = {key: get_entity(key) for key in (CUSTOMER, CONTACT, PRODUCT, DEAL, ACTIVITY)}
    products = [records.save(views[PRODUCT], team.admin, {"name": n, "category": c, "list_price": decimal.Decimal(p)})[0]
                for n, c, p in PRODUCTS]

    customers = []
    names = CHINESE + ENGLISH
    rng.shuffle(names)
    for number, name in enumerate(names):
        owner = None if number % 6 == 5 else reps[number % len(reps)]  # one in six waits in the pool
        customer, _changes = records.save(views[CUSTOMER], owner or team.admin, {
            "name": name, "industry": rng.choice(INDUSTRIES), "region": rng.choice(REGIONS), "level": rng.choice("AABBBCC"),
            "source": rng.choice(["referral", "website", "event", "cold_call", "partner"]),
            "size": rng.choice(["11-50", "51-200", "201-1000",
                                "1000+"]), "phone": f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
        })
        if owner is None:
            Customer.update(owner=None).where(Customer.id == customer.id).execute()
            customer.owner = None
        else:
            Customer.update(claimed_at=now - datetime.timedelta(days=rng.randint(20, 200))).where(Customer.id == customer.id).execute()
        for _contact in range(rng.randint(1, 2)):
            records.save(views[CONTACT], owner or team.admin, {
                "customer": customer.id,
                "name": rng.choice(["王", "李", "张", "刘", "陈", "Smith ", "Lee "])
                + rng.choice(["伟", "芳", "强", "Anna", "Ben", "Chen"]),
                "role": rng.choice(["采购经理", "总经理", "IT Director", "Purchasing"]),
                "phone": f"13{rng.randint(100000000, 999999999)}"})
        customers.append(customer)

    process = processes_of(views[DEAL])[0]
    stages = stages_of(process)
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    reasons = [r.label for r in LostReason.select()]
    owned = [c for c in customers if c.owner_id]
    for number in range(150):
        customer = owned[number % len(owned)]
        owner = next(p for p in people if p.id == customer.owner_id)
        created = now - datetime.timedelta(days=rng.randint(10, 180), hours=rng.randint(0, 8))
        deal, _changes = records.save(views[DEAL], owner, {
            "name": rng.choice(TOPICS).format(year=now.year + rng.randint(0, 1)),
            "customer": customer.id, "currency": "CNY", "next_step": rng.choice(["Send proposal", "安排演示", "Call the buyer", ""]),
            "expected_close": (now + datetime.timedelta(days=rng.randint(-30, 120))).date(),
        }, stage=stages[0])
        for _line in range(rng.randint(1, 3)):
            product = rng.choice(products)
            DealLine.create(deal=deal, product=product, quantity=rng.randint(1, 5), unit_price=product.list_price)
        total = sum((line.quantity * line.unit_price for line in DealLine.select().where(DealLine.deal == deal)), decimal.Decimal(0))

        # The deal's path: some way along the open stages, then perhaps won or lost.
        outcome = rng.random()
        depth = rng.randint(0, len(open_stages) - 1)
        path = open_stages[1: depth + 1]
        if outcome < .22:
            path = open_stages[1:] + [won]
        elif outcome < .38:
            path = path + [lost]
        moments = sorted(created + (now - created) * rng.random() * .95 for _move in path)
        StageMove.update(at=created).where(StageMove.entity == DEAL, StageMove.record_id == deal.id).execute()
        AuditEntry.update(at=created).where(AuditEntry.entity == DEAL, AuditEntry.record_id == deal.id).execute()
        previous = stages[0]
        for stage, moment in zip(path, moments):
            StageMove.create(entity=DEAL, record_id=deal.id, from_stage=previous, to_stage=stage, user=owner.id, at=moment)
            previous = stage
        close_stays(DEAL, [deal.id])  # the moves were written with their own times
        entered = moments[-1] if moments else created
        Deal.update(stage=previous.id, amount=total, created_at=created, stage_entered_at=entered,
                    closed_at=entered if previous.kind in ("won", "lost") else None,
                    lost_reason=rng.choice(reasons) if previous.kind == "lost" else "",
                    rank=float(number)).where(Deal.id == deal.id).execute()

        # What the rep did: some activities done along the way, and the next one planned.
        done_count = rng.randint(0, 5) if previous.kind == "open" else rng.randint(2, 5)
        last = None
        for _activity in range(done_count):
            kind = rng.choice(["call", "call", "visit", "meeting", "email", "quote"])
            at = created + (now - created) * rng.random()
            Activity.create(kind=kind, subject=rng.choice(SUBJECTS[kind]), deal=deal, customer=customer, owner=owner.id,
                            done_at=at, created_at=at, updated_at=at, search_text="")
            last = max(filter(None, [last, at]))
        if previous.kind == "open" and rng.random() < .75:  # most reps keep up with their deals
            kind = rng.choice(["call", "call", "email", "visit"])
            at = now - datetime.timedelta(days=rng.uniform(0, (previous.followup_days or 7) * .9))
            Activity.create(kind=kind, subject=rng.choice(SUBJECTS[kind]), deal=deal, customer=customer, owner=owner.id,
                            done_at=at, created_at=at, updated_at=at, search_text="")
            last = max(filter(None, [last, at]))
        if previous.kind == "open" and rng.random() < .8:
            kind = rng.choice(["call", "visit", "meeting", "quote"])
            Activity.create(kind=kind, subject=rng.choice(SUBJECTS[kind]), deal=deal, customer=customer, owner=owner.id,
                            due_at=now + datetime.timedelta(days=rng.randint(-4, 8), hours=rng.randint(-3, 3)), search_text="")
        if last:
            Deal.update(last_activity_at=last).where(Deal.id == deal.id).execute()
            Customer.update(last_activity_at=last).where(Customer.id == customer.id,
                                                         Customer.last_activity_at.is_null() | (Customer.last_activity_at < last)).execute()
    _split_credit(team, won)


def _split_credit(team, won) -> None:
    """The latest deal won by a rep this month shares 30 % of its credit with a colleague who helped."""
    from .models import DealCredit

    reps = list(team.reps)
    if len(reps) < 2:
        return
    deal = (Deal.select().where(Deal.stage == won.id, Deal.owner == reps[0].id, Deal.deleted_at.is_null())
            .order_by(Deal.closed_at.desc()).first())
    if deal is not None:
        DealCredit.create(deal=deal.id, user=reps[1].id, share=decimal.Decimal(30))
