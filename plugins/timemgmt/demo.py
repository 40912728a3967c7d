"""The demo manager's week: time blocks Monday to Friday, tasks in every quadrant, two delegations
(one late), finished focus sessions and last week's reflection; a few tasks for each rep."""
from __future__ import annotations

import datetime

from core.api import team_today, utc_time, utcnow

from .models import BoardColumn, FocusSession, Reflection, Task, TimeBlock

BLOCKS = (("customers", "客户跟进", 9, 11), ("team", "团队辅导", 14, 16), ("strategy", "战略思考", 19, 20))
CHECKLIST = [{"text": "收集各区域数据", "done": True}, {"text": "写结论", "done": False}]
TASKS = (  # title, important, urgent, minutes
    ("回复华东大客户的投诉", True, True, 30), ("审批本周报价", True, True, 20), ("准备季度业务回顾", True, False, 120),
    ("规划新人培训", True, False, 90), ("整理展会名片", False, True, 45), ("更新客户通讯录", False, True, 30),
    ("阅读行业周报", False, False, 20),
)


def create(team, rng) -> None:
    today = team_today()
    monday = today - datetime.timedelta(days=today.weekday())
    manager = team.manager
    blocks = {}
    for offset in range(5):
        day = monday + datetime.timedelta(days=offset)
        for category, title, start, end in BLOCKS:
            block = TimeBlock.create(owner=manager.id, title=title, category=category,
                                     starts_at=utc_time(datetime.datetime.combine(day, datetime.time(start))),
                                     ends_at=utc_time(datetime.datetime.combine(day, datetime.time(end))))
            blocks[(offset, category)] = block
    tasks = []
    for index, (title, important, urgent, minutes) in enumerate(TASKS):
        due = today - datetime.timedelta(days=1) if index == 0 else today if index < 4 else None
        tasks.append(Task.create(title=title, owner=manager.id, created_by=manager.id, important=important, urgent=urgent,
                                 minutes=minutes, due_day=due, due_time=datetime.time(10, 30) if index == 1 else None,
                                 checklist=CHECKLIST if index == 2 else [],
                                 block=blocks[(today.weekday() % 5, "strategy")].id if index == 2 else None))
    reps = list(team.reps)
    if reps:
        Task.create(title="跟进招标文件", owner=reps[0].id, created_by=manager.id, delegated_by=manager.id, urgent=True, minutes=60,
                    outcome="拿到盖章的招标文件", check_back=today + datetime.timedelta(days=1), due_day=today)
        Task.create(title="整理上月丢单原因", owner=reps[-1].id, created_by=manager.id, delegated_by=manager.id, important=True,
                    minutes=90, outcome="一页总结和三条改进建议", check_back=today - datetime.timedelta(days=1), due_day=today)
    for rep in reps:
        Task.create(title="给三位老客户打回访电话", owner=rep.id, created_by=rep.id, important=True, urgent=True, minutes=45, due_day=today)
        Task.create(title="更新本周拜访计划", owner=rep.id, created_by=rep.id, important=True, minutes=30)
    for note in ("问问李娜展会的预算", "下周一对一前看一下张伟的漏斗"):
        Task.create(title=note, owner=manager.id, created_by=manager.id, in_inbox=True)
    waiting = BoardColumn.create(team=team.team.id, label="等待客户", position=0)
    first, last = (reps[0], reps[-1]) if reps else (manager, manager)
    cards = (("准备展会物料", "doing", manager), ("更新产品报价单", "todo", first), ("客户满意度调查", "done", manager),
             ("确认大客户的合同条款", f"col-{waiting.id}", last))
    for position, (title, stage, person) in enumerate(cards):
        Task.create(title=title, owner=person.id, created_by=manager.id, team=team.team.id, stage=stage, position=position,
                    labels=["展会"] if position == 0 else [], done_at=utcnow() if stage == "done" else None)
    now = utcnow()
    for days_ago in range(1, 5):
        started = now - datetime.timedelta(days=days_ago, hours=rng.randint(1, 5))
        FocusSession.create(owner=manager.id, task=tasks[2].id, minutes=25, started_at=started,
                            finished_at=started + datetime.timedelta(minutes=25), completed=True,
                            interruptions=[{"at": started.isoformat(timespec="seconds"), "note": "客户来电"}] if days_ago == 2 else [])
    Reflection.create(owner=manager.id, week=monday - datetime.timedelta(days=7),
                      summary={"planned": 14, "done": 11, "focus_minutes": 150, "interruptions": 3},
                      went_well="上午的客户跟进时间块守住了，三个大客户都有进展。",
                      to_change="下午的团队时间常被临时会议占用：把一对一固定在周二和周四。")
