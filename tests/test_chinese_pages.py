"""Every page in Chinese speaks Chinese (issue 9).

A team whose data is all Chinese or digits is made through the pages themselves (so the audit log
holds what real actions write); then every GET page of the app, found in `app.url_map`, is read
by the admin, a manager and a rep who chose Chinese, filters and htmx fragments included. Any
Latin word left in what a person reads (text, option labels, title/placeholder/aria-label/alt,
confirmations) is interface text nobody translated, unless ALLOWED or PAGE_ALLOWED says why it
stays. SQLite only: the words do not depend on the database.
"""
from __future__ import annotations

import datetime
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from core import registry
from core.lowcode.entities import all_entities
from core.lowcode.models import Approval, FieldDefinition, Process, Stage
from core.lowcode.processes import ensure_defaults
from core.models import Team, User
from plugins.pipeline.models import Activity, Contact, Customer, Product

from .conftest import create_people

CHINESE = "zh_Hans_CN"

# Latin words a Chinese page may show, each for a reason.
ALLOWED = {
    "salesdeck",  # the product's name
    "CSV", "csv", "Excel", "xlsx",  # file formats and their extensions (“Excel（.xlsx）”, 客户.csv)
    "UTF", "GB", "GBK", "Big", "Shift", "JIS", "EUC", "KR", "Windows", "ISO",  # encodings' names (Big5, Shift JIS...)
    "MB",  # a unit (文件最大 16 MB)
    "JPEG", "PNG", "WebP", "png",  # image formats and an uploaded photo's extension (its alt text: 合影.png)
    "English",  # the language switch names each language in its own language
    "CNY", "USD", "EUR", "HKD", "JPY", "GBP",  # ISO currency codes (the currency picker: "CNY ¥")
    "SMART",  # the goal-setting method, known in Chinese by its English acronym (SMART 原则)
    "ABC", "RFM",  # customer segmentation methods, named so in Chinese too (ABC 分类, RFM 模型)
}
# Words allowed on one page only (by the end of its URL).
PAGE_ALLOWED = {
    # The plugins' ids, beside their names: what pip and the command line call them.
    "/admin/plugins": {"core", "pipeline", "goals", "incentives", "timemgmt", "team", "analytics"},
    # The forms' keys, beside their names: what URLs, plugins and imports call them.
    "/admin/entities/": {"pipeline", "customer", "contact", "deal", "product", "activity", "custom"},
    # "Company suffixes such as 有限公司 or Ltd": the suffix of Latin-script names that is ignored.
    "/pipeline/duplicates": {"Ltd"},
    # Formula syntax: its functions and the example's field keys are typed as they are.
    "/fields/editor?type=computed": {"round", "min", "max", "abs", "default", "discount", "amount", "probability"},
    # The mail protocols' names, as mail providers' help pages spell them.
    "/timemgmt/mail": {"SMTP", "SSL", "STARTTLS", "TLS"},
}
# Data, not interface: addresses the seeded team typed.
EMAIL_OR_URL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+")
PLACEHOLDER = re.compile(r"\{\w+\}")  # filled in by app.js: "请求失败（错误 {status}）"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# Attributes a person reads (a tooltip, an empty field's hint, a screen reader's name, the
# messages app.js shows: confirmations and failed requests).
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-confirm", "hx-confirm", "data-request-failed",
                   "data-server-unreachable", "data-too-large")


class VisibleText(HTMLParser):
    """The text of a page a person reads: text outside <script>/<style>, the attributes above,
    and the value of buttons made with <input>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden_depth += 1
        values = dict(attrs)
        self.parts.extend(values[name] for name in READ_ATTRIBUTES if values.get(name))
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def latin_words(html: str) -> set[str]:
    reader = VisibleText()
    reader.feed(html)
    reader.close()
    text = PLACEHOLDER.sub(" ", EMAIL_OR_URL.sub(" ", "\n".join(reader.parts)))
    return {word for word in LATIN_WORD.findall(text) if word not in ALLOWED}


def test_the_reader_sees_visible_text_only():
    html = ('<html><head><title>Title 标题</title><style>p {color: red}</style></head><body>'
            '<script>var hidden = 1;</script><p title="Tip">正文 <b>Bold</b> a@b.example https://x.example/y</p>'
            '<input type="submit" value="Send"><input placeholder="Hint" value="typed">'
            '<select><option value="key">Option</option></select><img alt="Picture" src="p.png">salesdeck'
            '<form data-confirm="Sure?"></form><body data-request-failed="失败（{status}）"></body></body></html>')
    assert latin_words(html) == {"Title", "Tip", "Bold", "Send", "Hint", "Option", "Picture", "Sure"}


# -- a team that writes only Chinese --------------------------------------------------------------


class Seeder:
    """Acts through the pages as a Chinese-speaking user, and keeps what each answer showed (the
    page after a redirect carries the flash message)."""

    def __init__(self, client, pages: dict):
        self.client, self.pages, self.followed = client, pages, set()

    def post(self, url, data=None, expect=(200, 302), **kwargs):
        response = self.client.post(url, data=data or {}, csrf=False, **kwargs)
        if response.status_code not in expect:  # what the page says, not its HTML
            reader = VisibleText()
            reader.feed(response.text)
            shown = " ".join(" ".join(reader.parts).split())
            raise AssertionError(f"POST {url}: {response.status_code} {shown[-1500:]}")
        if response.status_code == 302:
            location = response.headers["Location"]
            if location.split("?")[0] not in self.followed:  # else its flash message shows on a later page
                self.followed.add(location.split("?")[0])
                self.pages[f"after POST {url} -> {location}"] = self.client.get(location).text
        else:
            self.pages[f"POST {url}"] = response.text
        return response


def speak_chinese(client):
    """The user chooses Chinese (remembered on their account); the browser asks for it too. One
    CSRF token serves the whole session, as a page's forms share it."""
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.csrf_token()
    client.post("/language", data={"locale": CHINESE}, csrf=False)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    return client


def made_id(response) -> int:
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1].split("?")[0])


def last(model, *where) -> int:
    query = model.select(model.id)
    for condition in where:
        query = query.where(condition)
    return query.order_by(model.id.desc()).get().id


def field_key(entity: str, label: str) -> str:
    return FieldDefinition.get(FieldDefinition.entity == entity, FieldDefinition.label == label).key


def seed(app, login) -> tuple[dict, dict]:
    """Make the team through the pages; returns the ids to fill URLs with, and the pages the
    actions answered with (forms with errors, pages with flash messages), {name: html}."""
    with app.app_context():
        people = create_people()  # named in English: renamed before anything records a name
        for user, name in ((people.admin, "管理员"), (people.manager, "王经理"), (people.rep, "小李"),
                           (people.colleague, "小张"), (people.outsider, "小刘")):
            User.update(name=name).where(User.id == user.id).execute()
        for team, name in ((people.team, "华东"), (people.west, "华西")):
            Team.update(name=name).where(Team.id == team.id).execute()
    pages: dict[str, str] = {}
    admin = Seeder(speak_chinese(login(people.admin)), pages)

    # People and teams, renamed in Chinese by the admin (audit: admin user changes).
    chinese_names = {people.admin: "赵管理", people.manager: "王磊", people.rep: "李娜", people.colleague: "张伟",
                     people.outsider: "刘洋"}
    for user, name in chinese_names.items():
        admin.post(f"/admin/users/{user.id}", {"name": name, "email": user.email, "role": user.role,
                                                "team": user.team_id or "", "password": ""})
    admin.post(f"/admin/teams/{people.team.id}", {"name": "华东销售部", "manager": people.manager.id,
                                                   "members": [people.rep.id, people.colleague.id]})
    admin.post(f"/admin/teams/{people.west.id}", {"name": "华西销售部", "manager": "", "members": [people.outsider.id]})
    admin.post("/admin/users/new", {"name": "陈晨", "email": "chen@example.com", "role": "rep", "team": people.west.id,
                                    "password": "2026202620262026"})
    with app.app_context():
        newcomer = User.get(User.email == "chen@example.com").id
    admin.post(f"/admin/users/{newcomer}/active")
    admin.post("/admin/teams/new", {"name": "大客户部", "manager": ""})

    # Form design: custom fields with Chinese labels and options, one of them renamed and archived.
    admin.post("/admin/entities/pipeline.customer/fields/new", {
        "type": "select", "label": "客户类型", "choice-0-label": "战略客户", "choice-0-color": "green",
        "choice-1-label": "普通客户", "choice-1-color": "blue"})
    admin.post("/admin/entities/pipeline.deal/fields/new", {"type": "text", "label": "合同编号"})
    admin.post("/admin/entities/pipeline.deal/fields/new", {
        "type": "multiselect", "label": "渠道", "choice-0-label": "线上", "choice-1-label": "线下"})
    admin.post("/admin/entities/pipeline.deal/fields/new", {"type": "integer", "label": "席位数", "min": "0"})
    admin.post("/admin/entities/pipeline.deal/fields/new", {"type": "date", "label": "签约日期"})
    admin.post("/admin/entities/pipeline.deal/fields/new", {"type": "user", "label": "售前顾问"})
    admin.post("/admin/entities/pipeline.activity/fields/new", {"type": "checkbox", "label": "已确认"})
    admin.post("/admin/entities/pipeline.deal/fields/new", {"type": "text", "label": "旧备注"})
    with app.app_context():
        contract, channel, seats = (field_key("pipeline.deal", label) for label in ("合同编号", "渠道", "席位数"))
        old_note = field_key("pipeline.deal", "旧备注")
        kind_key = field_key("pipeline.customer", "客户类型")
    admin.post(f"/admin/entities/pipeline.deal/fields/{contract}", {"type": "text", "label": "合同号", "key": contract,
                                                                     "help": "合同上的编号"})
    admin.post(f"/admin/entities/pipeline.deal/fields/{old_note}/archive")
    admin.post("/admin/entities/new", {"label": "竞争对手", "icon": "chart"})
    with app.app_context():
        rival = [key for key, schema in all_entities().items() if str(schema.label) == "竞争对手"][0]
    admin.post(f"/admin/entities/{rival}/fields/new", {"type": "select", "label": "威胁程度", "choice-0-label": "高",
                                                        "choice-1-label": "低"})
    admin.post(f"/admin/entities/{rival}/fields/new", {"type": "currency", "label": "年营收", "currency": "CNY"})

    # Stages: one renamed in Chinese, the rest built-in.
    with app.test_request_context():
        ensure_defaults()
        process = Process.get(Process.key == "pipeline.sales")
        stages = {stage.key: stage for stage in Stage.select().where(Stage.process == process)}
    discovery = stages["discovery"]
    admin.post(f"/admin/processes/{process.id}/stages/{discovery.id}", {
        "label": "需求调研", "color": discovery.color, "probability": "25", "kind": "open", "followup_days": "7"})
    admin.post(f"/admin/processes/{process.id}/stages", {"label": "商务谈判", "color": "orange", "probability": "70",
                                                         "kind": "open", "followup_days": "3"})

    # Records, through the record pages.
    rep = Seeder(speak_chinese(login(people.rep)), pages)
    manager = Seeder(speak_chinese(login(people.manager)), pages)
    customer = made_id(rep.post("/records/pipeline.customer/new", {
        "name": "华辰科技有限公司", "industry": "制造业", "region": "上海", "size": "51-200", "source": "referral",
        "level": "A", "tags": "重点,华东", "phone": "13800001111", "email": "hc@example.com", kind_key: "战略客户"}))
    other = made_id(rep.post("/records/pipeline.customer/new", {"name": "瑞丰贸易", "industry": "零售", "region": "杭州"}))
    twin = made_id(admin.post("/records/pipeline.customer/new", {"name": "华辰科技有限公司", "region": "苏州",
                                                                 "confirm_duplicates": "1"}))
    pool = made_id(admin.post("/records/pipeline.customer/new", {"name": "蓝海物流", "region": "宁波"}))
    with app.app_context():
        Customer.update(owner=None).where(Customer.id == pool).execute()
    admin.post("/pipeline/duplicates/merge", {"keep": customer, "other": twin})
    rep.post("/records/pipeline.contact/new", {"customer": customer, "name": "王芳", "role": "采购经理",
                                               "phone": "13900002222", "wechat": "88886666"})
    admin.post("/records/pipeline.product/new", {"name": "客户管理软件专业版", "category": "软件", "list_price": "36000",
                                                 "active": "y"})
    with app.app_context():
        product = last(Product)
        contact = last(Contact)
    deal = made_id(rep.post("/records/pipeline.deal/new", {
        "name": "二期项目", "customer": customer, "contact": contact, "amount": "120000", "currency": "CNY",
        "expected_close": (datetime.date.today() + datetime.timedelta(days=20)).isoformat(), "next_step": "发送报价",
        contract: "2026001", channel: "线上", seats: "50"}))
    second = made_id(rep.post("/records/pipeline.deal/new", {"name": "年度采购", "customer": other, "amount": "80000",
                                                              "currency": "CNY", "expected_close": "2030-06-30"}))
    lost = made_id(rep.post("/records/pipeline.deal/new", {"name": "门店上线", "customer": other, "amount": "30000",
                                                           "currency": "CNY"}))
    rep.post(f"/records/pipeline.deal/{deal}/edit", {
        "name": "二期项目", "customer": customer, "contact": contact, "amount": "150000", "currency": "CNY",
        "next_step": "安排演示", contract: "2026001", channel: "线下", seats: "60"})
    rep.post(f"/pipeline/deals/{deal}/lines", {"line-product": product, "line-quantity": "2"})
    rep.post(f"/pipeline/deals/{deal}", {"log-kind": "call", "log-subject": "电话沟通需求", "log-outcome": "客户有意向"})
    tomorrow, days_ago = (f"{datetime.datetime.now() + datetime.timedelta(days=days):%Y-%m-%dT%H:%M}" for days in (1, -2))
    rep.post("/records/pipeline.activity/new", {"kind": "visit", "subject": "拜访客户", "customer": customer, "deal": deal,
                                                "due_at": tomorrow})
    rep.post("/records/pipeline.activity/new", {"kind": "meeting", "subject": "方案评审会", "customer": customer,
                                                "due_at": days_ago})
    with app.app_context():
        activity = last(Activity)
    rep.post(f"/pipeline/activities/{activity}/done", {"outcome": "已完成评审"})
    # Stage moves: on the board, into a stage that asks for approval, and into Lost.
    rep.post("/pipeline/board/move", {"deal": deal, "stage": stages["first_contact"].id})
    rep.post("/pipeline/board/move", {"deal": deal, "stage": discovery.id})
    rep.post(f"/records/pipeline.deal/{second}/move", {"stage": stages["approval"].id}, expect=(302,))
    with app.app_context():
        approvals = list(Approval.select().order_by(Approval.id))
    assert approvals, "no stage move asked for an approval"
    for approval in approvals:
        manager.post(f"/approvals/{approval.id}", {"verdict": "approve", "reason": "同意"})
    rep.post(f"/records/pipeline.deal/{lost}/move", {"stage": stages["lost"].id, "lost_reason": "Price too high"},
             expect=(302,))
    # Delete and restore.
    throwaway = made_id(rep.post("/records/pipeline.activity/new", {"kind": "note", "subject": "临时备注"}))
    rep.post(f"/records/pipeline.activity/{throwaway}/delete")
    admin.post(f"/records/pipeline.activity/{throwaway}/restore")
    gone = made_id(rep.post("/records/pipeline.activity/new", {"kind": "note", "subject": "作废备注"}))
    rep.post(f"/records/pipeline.activity/{gone}/delete")
    with app.app_context():
        threat = field_key(rival, "威胁程度")
    admin.post(f"/records/{rival}/new", {"name": "星河软件", threat: "高"})
    # An import of a small CSV in Chinese.
    uploaded = rep.post("/records/pipeline.customer/import", content_type="multipart/form-data",
                        data={"file": (io.BytesIO("名称,地区\n导入公司甲,合肥\n导入公司乙,南京\n".encode()), "客户.csv")})
    upload = re.search(r"/import/([0-9a-f]+)$", uploaded.headers["Location"]).group(1)
    rep.post(f"/records/pipeline.customer/import/{upload}", {"map-0": "name", "map-1": "region"})
    rep.post(f"/records/pipeline.customer/import/{upload}/run", expect=(200, 302, 400))
    pending = rep.post("/records/pipeline.customer/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO("名称,电话\n待导入公司,无效号码\n".encode()), "待导入.csv")})
    waiting = re.search(r"/import/([0-9a-f]+)$", pending.headers["Location"]).group(1)

    # Goals, a review and the holidays.
    from tests.goals.conftest import MONTH, QUARTER, key

    team_goal = made_id(manager.post("/goals/new", {
        "owner": f"team:{people.team.id}", "metric": "pipeline.won_revenue", "mode": "number", "target": "500000",
        "growth": "", "period": key(QUARTER), "start": "", "end": "", "parent": "", "description": "季度回款目标",
        "reason": "公司战略"}))
    manager.post(f"/goals/{team_goal}/split", {"kind": "month", "method": "even"})
    rep_goal = made_id(manager.post("/goals/new", {
        "owner": f"user:{people.rep.id}", "metric": "pipeline.won_revenue", "mode": "number", "target": "100000",
        "growth": "", "period": key(MONTH), "start": "", "end": "", "parent": "", "description": "本月目标", "reason": "冲刺"}))
    manager.post(f"/goals/{rep_goal}/target", {"target": "120000", "reason": "客户增加"})
    manager.post(f"/goals/{team_goal}/share", {"action": "save", f"share-user:{people.rep.id}": "300000",
                                               f"share-user:{people.colleague.id}": "200000"}, expect=(200, 302, 400))
    review = made_id(manager.post("/goals/reviews/write", {
        "owner": f"user:{people.rep.id}", "period": key(MONTH), f"cause-{rep_goal}": "客户预算推迟", "summary": "下月加强跟进"}))
    admin.post("/goals/holidays", {"days": f"{datetime.date.today().year}-10-01 国庆节"})
    admin.post("/pipeline/settings/lost-reasons", {"action": "add", "label": "预算不足"})
    # A commission plan (named in Chinese only), a locked statement of last month, the leaderboard's privacy.
    from plugins.incentives import services as incentives

    admin.post("/incentives/plans/new", {"name-zh_Hans_CN": "月度提成", "name-en": "", "metric": "pipeline.won_revenue",
                                         "period": "month", "currency": "CNY", "starts": "2020-01-01", "roles": "rep",
                                         "mode": "marginal", "priority": "0", "tier-0-start": "0", "tier-0-rate": "0",
                                         "tier-1-start": "1000", "tier-1-rate": "3", "bonus-0-at": "2000", "bonus-0-amount": "500"})
    with app.app_context():
        from plugins.incentives.models import Plan
        plan = Plan.select().order_by(Plan.id.desc()).first().id
        last_month = incentives.period_key("month", incentives.recent_periods("month", 2)[1][0])
    manager.post(f"/incentives/plans/{plan}/{last_month}/{people.rep.id}/approve", {})
    manager.post("/incentives/leaderboard/privacy", {"team": str(people.team.id), "private": "y"})
    admin.post("/incentives/plans/new", {"name-zh_Hans_CN": "", "metric": "", "tier-0-start": "十"}, expect=(400,))
    admin.post("/incentives/awards/new", {"name-zh_Hans_CN": "销售之星", "kind": "top", "metric": "pipeline.won_revenue",
                                          "period": "month", "top": "2", "prize": "500", "currency": "CNY"})
    admin.post("/incentives/awards/new", {"name-zh_Hans_CN": "最佳协作", "kind": "nominated", "period": "month", "top": "1"})
    with app.app_context():
        from plugins.incentives.models import Award
        award = Award.select().order_by(Award.id).first().id
        teamwork = Award.select().order_by(Award.id.desc()).first().id
    manager.post(f"/incentives/awards/{teamwork}/{last_month}/give", {"user": str(people.colleague.id), "note": "帮助同事签单"})
    manager.post(f"/incentives/awards/{award}/{last_month}/give", {"user": str(people.rep.id), "note": ""})
    admin.post("/incentives/awards/new", {"name-zh_Hans_CN": "", "kind": "top", "top": "零"}, expect=(400,))
    with app.app_context():
        month = incentives.recent_periods("month", 1)[0]
    manager.post("/incentives/challenges/new", {"name-zh_Hans_CN": "月末冲刺", "metric": "pipeline.won_revenue",
                                                "team": str(people.team.id), "starts": month[0].isoformat(),
                                                "ends": month[1].isoformat(), "target": "300000", "currency": "CNY", "reward": "团队聚餐"})
    manager.post("/incentives/challenges/new", {"name-zh_Hans_CN": "", "target": "很多"}, expect=(400,))
    admin.post("/incentives/bonuses/new", {"name-zh_Hans_CN": "新客户奖", "metric": "pipeline.deals_won", "starts": month[0].isoformat(),
                                           "ends": month[1].isoformat(), "pays": "per_unit", "amount": "500", "currency": "CNY"})
    admin.post("/incentives/bonuses/new", {"name-zh_Hans_CN": "", "pays": "rate", "amount": "二百"}, expect=(400,))
    with app.app_context():
        from plugins.incentives.models import Challenge
        challenge = Challenge.select().order_by(Challenge.id.desc()).first().id
        from plugins.incentives.models import Spiff
        spiff = Spiff.select().order_by(Spiff.id.desc()).first().id
    manager.post("/analytics/reports", {"entity": "pipeline.deal", "g1": "owner", "g2": "stage", "agg": "sum", "measure": "amount",
                                         "chart": "stacked", "name-zh_Hans_CN": "各销售赢单金额", "shared": "team"})
    manager.post("/analytics/reports", {"entity": "pipeline.deal", "g1": "created_at", "b1": "quarter", "chart": "line",
                                         "name-zh_Hans_CN": "按季度新增商机", "shared": "everyone"})
    manager.post("/analytics/reports", {"entity": "pipeline.deal", "name-zh_Hans_CN": "", "shared": "world"}, expect=(400,))
    with app.app_context():
        from plugins.analytics.models import Report
        report = Report.select().order_by(Report.id).first().id
    manager.post(f"/analytics/reports/{report}/pin", {})
    # Alerts on it: a win rate and a pace (one fires at the check), and one refused.
    manager.post(f"/analytics/reports/{report}/alerts", {"name": "赢单率偏低", "number": "share", "over": "any", "comparison": "lt",
                                                          "threshold": "101", "share_field": "stage", "share_operator": "won"})
    manager.post(f"/analytics/reports/{report}/alerts", {"name": "落后进度", "number": "pace", "over": "total", "target": "100000",
                                                          "period": "quarter", "date_field": "expected_close"})
    manager.post(f"/analytics/reports/{report}/alerts", {"name": "", "number": "pace", "target": "一万"}, expect=(400,))
    with app.test_request_context():
        from plugins.analytics.alerts import check_all
        from plugins.analytics.models import Alert
        check_all()
        alert = Alert.select().order_by(Alert.id).first().id
    with app.test_request_context():
        from plugins.analytics import process as process_numbers
        quarter = process_numbers.current_quarter()
    manager.post("/analytics/process/reviews", {"process": str(process.id), "quarter": quarter.previous().key, "decisions": "合并初次接触"})
    manager.post("/analytics/process/reviews", {"process": str(process.id), "quarter": "下季度"}, expect=(400,))
    with app.app_context():
        from plugins.analytics.models import ProcessReview
        process_review = ProcessReview.select().order_by(ProcessReview.id).first().id
    # A team meeting with its agenda from the data, a topic, a decision and an action of the rep's.
    meeting = made_id(manager.post(f"/team/teams/{people.team.id}/meetings", {"day": datetime.date.today().isoformat()}))
    manager.post(f"/team/meetings/{meeting}/topics", {"title": "展会准备"})
    manager.post(f"/team/meetings/{meeting}/decisions", {"text": "每周拜访两次客户"})
    manager.post(f"/team/meetings/{meeting}/actions", {"title": "整理客户案例", "owner": str(people.rep.id),
                                                       "due": datetime.date.today().isoformat()})
    manager.post(f"/team/meetings/{meeting}/actions", {"title": "", "owner": "", "due": ""}, expect=(400,))
    one_to_one = made_id(manager.post(f"/team/people/{people.rep.id}/one-to-ones", {}))
    rep.post(f"/team/one-to-ones/{one_to_one}/topics", {"text": "报价审批太慢"})
    rep.post(f"/team/one-to-ones/{one_to_one}/mine", {"pulse": "4", "rep_concerns": "报表太多"})
    manager.post(f"/team/one-to-ones/{one_to_one}", {"went_well": "签了两单", "private_notes": "注意压力", "held": "y"})
    manager.post(f"/team/one-to-ones/{one_to_one}/actions", {"title": "陪访两次", "owner": str(people.rep.id),
                                                              "due": datetime.date.today().isoformat()})
    rep.post(f"/team/one-to-ones/{one_to_one}/mine", {"pulse": "九"}, expect=(400,))
    # Training: a skill of the funnel, a course building it, assigned, assessed and completed.
    admin.post("/team/training/skills", {"name-zh_Hans_CN": "促成成交", "name-en": "", "metric": "pipeline.quotes"})
    with app.app_context():
        from plugins.team.models import Skill
        skill = Skill.select().order_by(Skill.id.desc()).first().id
    admin.post("/team/training/courses/new", {"name-zh_Hans_CN": "谈判技巧", "name-en": "", "kind": "talk", "hours": "3",
                                              "cost": "800", "currency": "CNY", "skills": str(skill)})
    admin.post("/team/training/courses/new", {"name-zh_Hans_CN": "", "kind": "fair", "hours": "三"}, expect=(400,))
    with app.app_context():
        from plugins.team.models import Assignment, Course
        course = Course.select().order_by(Course.id.desc()).first().id
    manager.post("/team/training/assign", {"user": str(people.rep.id), "course": str(course), "due": "2030-01-01", "reason": "报价转化低"})
    manager.post(f"/team/people/{people.rep.id}/skills", {"skill": str(skill), "level": "3", "note": "进步明显"})
    with app.app_context():
        assignment = Assignment.select().order_by(Assignment.id.desc()).first().id
    rep.post(f"/team/training/assignments/{assignment}/complete", {"feedback": "很有用"})
    # Team-building: an activity with a photo, a refused upload, and a thank-you.
    outing = made_id(rep.post("/team/together/new", {"name": "团建徒步", "kind": "activity", "day": "2026-05-01",
                                                     "team": str(people.team.id), "members": str(people.colleague.id), "notes": "带水"}))
    rep.post(f"/team/together/{outing}/photos", {"photo": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(32)), "合影.png")},
             content_type="multipart/form-data")
    rep.post(f"/team/together/{outing}/photos", {"photo": (io.BytesIO(b"not an image"), "合影.png")},
             content_type="multipart/form-data", expect=(400,))
    with app.app_context():
        from plugins.team.models import Photo
        photo = Photo.select().order_by(Photo.id.desc()).first().id
    rep.post("/team/thanks", {"to": str(people.colleague.id), "note": "谢谢你帮我跟进客户"})
    with app.app_context():
        from plugins.team.models import ActionItem
        team_action = ActionItem.select().where(ActionItem.meeting.is_null(False)).order_by(ActionItem.id.desc()).first().id

    # My day: a task with a checklist, delegated to the rep; a time block with the task in it; a
    # captured note; a focus session with an interruption; a refused task.
    manager.post("/timemgmt/tasks/new", {"title": "准备季度计划", "quadrant": "delegate", "minutes": "30", "checklist": "收集数据",
                                         "due_day": datetime.date.today().isoformat(), "due_time": "10:00"})
    with app.app_context():
        from plugins.timemgmt.models import Task, TimeBlock
        time_task = Task.select().order_by(Task.id.desc()).first().id
    manager.post(f"/timemgmt/tasks/{time_task}/delegate", {"to": str(people.rep.id), "outcome": "一份计划",
                                                          "check_back": datetime.date.today().isoformat()})
    manager.post("/timemgmt/blocks/new", {"day": datetime.date.today().isoformat(), "start": "09:00", "end": "11:00",
                                          "category": "customers", "title": "客户跟进"})
    with app.app_context():
        time_block = TimeBlock.select().order_by(TimeBlock.id.desc()).first().id
    rep.post("/timemgmt/blocks/new", {"day": datetime.date.today().isoformat(), "start": "14:00", "end": "15:00", "category": "team"})
    rep.post("/timemgmt/blocks/assign", {"deal": str(time_task), "stage": "none"})
    manager.post("/timemgmt/capture", {"text": "记得打电话"})
    rep.post("/timemgmt/focus/start", {"task": str(time_task), "kind": "focus"})
    rep.post("/timemgmt/focus/interrupt", {"note": "电话"})
    manager.post("/timemgmt/plan", {"key": [f"check:{time_task}"]})
    manager.post("/timemgmt/tasks/new", {"title": ""}, expect=(400,))
    manager.post("/timemgmt/board/cards", {"team": str(people.team.id), "title": "展会布展"})
    manager.post("/timemgmt/board/columns", {"team": str(people.team.id), "label": "等待中"})
    manager.post("/timemgmt/reflection", {"went_well": "客户跟进", "to_change": "少开会"})

    # Forms sent back with their errors.
    for seeder, url, data in ((rep, "/records/pipeline.deal/new", {"name": "", "amount": "很多"}),
                              (rep, f"/records/pipeline.customer/{customer}/edit", {"name": "", "email": "不是邮箱"}),
                              (manager, "/goals/new", {"owner": f"user:{people.rep.id}", "metric": "pipeline.won_revenue",
                                                       "mode": "number", "target": "", "period": "", "reason": ""}),
                              (admin, "/admin/users/new", {"name": "", "email": "错误", "role": "rep"}),
                              (admin, "/admin/teams/new", {"name": ""}),
                              (admin, "/admin/entities/pipeline.deal/fields/new", {"type": "integer", "label": "", "min": "五"}),
                              (admin, f"/admin/processes/{process.id}/stages", {"label": "", "probability": "二百"}),
                              (admin, "/pipeline/settings", {"pool_return_days": "零", "pool_claim_limit": ""})):
        seeder.post(url, data, expect=(400,))

    with app.app_context():
        ids = {
            "people": people, "newcomer": newcomer, "customer": customer, "pool": pool, "contact": contact,
            "product": product, "deal": deal, "activity": activity, "deleted": gone, "process": process.id,
            "stages": {key: stage.id for key, stage in stages.items()}, "team_goal": team_goal, "rep_goal": rep_goal,
            "review": review, "period": key(MONTH), "plan": plan, "plan_period": last_month, "award": award,
            "challenge": challenge, "spiff": spiff, "report": report, "alert": alert,
            "process_review": process_review, "last_quarter": quarter.previous().key,
            "upload": upload, "waiting": waiting, "rival": rival, "meeting": meeting, "team_action": team_action,
            "one_to_one": one_to_one, "course": course, "assignment": assignment,
            "outing": outing, "photo": photo,
            "time_task": time_task, "time_block": time_block,
            "fields": {"pipeline.deal": contract, "pipeline.customer": kind_key},
            "records": {key: schema.model.select(schema.model.id).order_by(schema.model.id).first()
                        for key, schema in all_entities().items()},
        }
        ids["records"] = {key: row.id for key, row in ids["records"].items() if row is not None}
    return ids, pages


# -- every page, as each role ---------------------------------------------------------------------

SKIPPED_ENDPOINTS = {
    "static",  # files
    "transfer.export_csv", "transfer.export_xlsx", "transfer.errors_file",  # downloads, not pages
    "incentives.export", "incentives.export_xlsx", "analytics.export_csv", "analytics.export_xlsx",
    "team.photo",  # an image
    "timemgmt.feed", "timemgmt.static",  # a calendar feed and the plugin's script
}


def filled(rule, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)


def urls_of(app, ids) -> dict[str, list[str]]:
    """Each GET route's URLs with the seeded ids, and a filtered view of list pages."""
    people, stages = ids["people"], ids["stages"]
    entities = list(ids["records"]) + [key for key in all_entities() if key not in ids["records"]]
    single = {"process_id": ids["process"], "team_id": people.team.id, "user_id": people.rep.id,
              "goal_id": ids["team_goal"], "review_id": ids["review"], "customer_id": ids["customer"],
              "deal_id": ids["deal"], "plan_id": ids["plan"], "period": ids["plan_period"],
              "award_id": ids["award"], "challenge_id": ids["challenge"],
              "spiff_id": ids["spiff"], "report_id": ids["report"], "alert_id": ids["alert"],
              "process_review_id": ids["process_review"], "meeting_id": ids["meeting"], "action_id": ids["team_action"],
              "one_to_one_id": ids["one_to_one"], "course_id": ids["course"], "assignment_id": ids["assignment"],
              "event_id": ids["outing"], "photo_id": ids["photo"],
              "task_id": ids["time_task"], "block_id": ids["time_block"]}
    found: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        urls = []
        if "name" in rule.arguments:  # the numbers page's charts
            urls = [filled(rule, {"name": name}) for name in ("funnel", "forecast", "reps")]
        elif "uid" in rule.arguments:
            urls = [filled(rule, {"entity": "pipeline.customer", "uid": uid}) for uid in (ids["upload"], ids["waiting"])]
        elif "entity" in rule.arguments:
            for entity in entities:
                values = {"entity": entity, "record_id": ids["records"].get(entity), "key": ids["fields"].get(entity)}
                if any(values[name] is None for name in rule.arguments):
                    continue
                urls.append(filled(rule, values))
        else:
            unknown = set(rule.arguments) - set(single)
            assert not unknown, f"{rule.rule}: fill {sorted(unknown)} with a seeded id in urls_of"
            urls = [filled(rule, single)]
        found[rule.endpoint] = urls
    deal, team_goal = ids["deal"], ids["team_goal"]
    more = {
        "core.home": ["/nowhere"],  # the "not found" page
        "analytics.process_review": ["/analytics/process", f"/analytics/process?quarter={ids['last_quarter']}",
                                     "/analytics/process?quarter=2999-Q1"],
        "records.index": [f"/records/pipeline.deal/?{urlencode(query)}" for query in (
            {"q": "二期"}, {"fk": "stage", "fo": "eq", "fv": stages["discovery"]}, {"fk": "amount", "fo": "gt", "fv": "1000"},
            {"fk": ids["fields"]["pipeline.deal"], "fo": "contains", "fv": "2026"}, {"sort": "-amount"}, {"q": "无此记录"},
        )] + ["/records/pipeline.activity/?deleted=1",
              f"/records/pipeline.customer/?fk={ids['fields']['pipeline.customer']}&fo=eq&fv=战略客户"],
        "records.detail": [f"/records/pipeline.activity/{ids['deleted']}?deleted=1", f"/records/pipeline.customer/{ids['pool']}"],
        "records.edit": [f"/records/pipeline.deal/{deal}/edit"],
        "records.move_record": [f"/records/pipeline.deal/{deal}/move?stage={stages[key]}" for key in ("approval", "signing", "lost")],
        "records.filter_value": [f"/records/pipeline.deal/filter-value?fk={key}&fo={op}" for key in
                                 ("stage", "owner", "amount", "expected_close", "currency", ids["fields"]["pipeline.deal"], "customer")
                                 for op in ("eq", "empty")],
        "records.bulk_value": [f"/records/pipeline.deal/bulk-value?field={key}" for key in
                               ("stage", "owner", "currency", "next_step", "expected_close", ids["fields"]["pipeline.deal"])],
        "records.new": [f"/records/pipeline.activity/new?deal={deal}"],
        "pipeline.board": [f"/pipeline/?owner={people.rep.id}", f"/pipeline/?team={people.team.id}",
                           f"/pipeline/?product={ids['product']}&close_from=2020-01-01&close_to=2040-01-01"],
        "pipeline.board_cards": [f"/pipeline/board/cards?stage={stages['development']}&shown=0"],
        "pipeline.customer": [f"/pipeline/customers/{ids['pool']}"],
        "pipeline.pool": ["/pipeline/pool?q=蓝海"],
        "pipeline.followups": ["/pipeline/followups?who=team"],
        "pipeline.numbers": [f"/pipeline/numbers?team={people.team.id}", "/pipeline/numbers?from=2020-01-01&to=2040-01-01"],
        "goals.index": ["/goals/?period=" + ids["period"]],
        "timemgmt.week_view": ["/timemgmt/calendar/week?day=2020-01-01"],
        "goals.goal": [f"/goals/{ids['rep_goal']}", f"/goals/{team_goal}?months=3"],
        "goals.share": [f"/goals/{team_goal}/share?how=equal&mode=rebalance"],
        "goals.new": [f"/goals/new?owner=user:{people.rep.id}&parent={team_goal}"],
        "goals.write_review": [f"/goals/reviews/write?owner=user:{people.rep.id}&period={ids['period']}"],
        "goals.repeated": [f"/goals/repeated?set={ids['rep_goal']}&refused={team_goal}"],
        "audit.index": [f"/admin/audit/?{urlencode(query)}" for query in (
            {"entity": "pipeline.deal"}, {"action": "update"}, {"user": people.rep.id}, {"from": "2020-01-01", "to": "2040-01-01"},
        )],
        "admin.users": ["/admin/users?q=李&role=rep"],
        "processes.edit": [f"/admin/processes/{ids['process']}?stage={stages[key]}" for key in ("approval", "lost")],
        "processes.index": ["/admin/processes/?entity=pipeline.deal"],
        "designer.fields": [f"/admin/entities/pipeline.deal/fields?field={ids['fields']['pipeline.deal']}",
                            "/admin/entities/pipeline.deal/fields?type=select"],
        "designer.change_type": [f"/admin/entities/pipeline.deal/fields/{ids['fields']['pipeline.deal']}/type?to={kind}"
                                 for kind in ("integer", "select", "date")],
        "designer.editor": [f"/admin/entities/pipeline.deal/fields/editor?type={kind}" for kind in registry.field_types()],
    }
    for endpoint, urls in more.items():
        found.setdefault(endpoint, []).extend(urls)
    return found


# Pages whose htmx answer is a fragment rendered on its own (the rest answer htmx with the page).
FRAGMENT_ENDPOINTS = {"records.index", "audit.index", "pipeline.board", "goals.index", "admin.users", "pipeline.pool",
                      "designer.fields", "processes.edit", "goals.share"}
# Small pieces that read the same for every role (a filter's value box, a chart).
SAME_FOR_EVERYONE = {"records.filter_value", "records.filter_row", "records.bulk_value", "pipeline.chart"}


def readers_of(endpoint: str, url: str) -> list[str]:
    """Who reads a page: the admin every page; the manager and the rep the pages they may open
    (admin pages refuse them all with the same page, read once), the manager without filters;
    fragments as the admin."""
    if url.startswith("/admin/") or endpoint in SAME_FOR_EVERYONE:
        readers = ["admin"]
    else:
        readers = ["admin", "rep"] if "?" in url else ["admin", "manager", "rep"]
    return readers + ["admin (htmx)"] if endpoint in FRAGMENT_ENDPOINTS else readers


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the words do not depend on the database
def test_every_page_in_chinese_is_free_of_english(app, login):
    ids, pages = seed(app, login)
    people = ids["people"]
    with app.test_request_context():
        urls = urls_of(app, ids)
    readers = {role: speak_chinese(login(user)) for role, user in
               (("admin", people.admin), ("manager", people.manager), ("rep", people.rep))}
    readers["admin (htmx)"] = speak_chinese(login(people.admin))
    readers["admin (htmx)"].environ_base["HTTP_HX_REQUEST"] = "true"
    pages["visitor GET /login"] = speak_chinese(app.test_client()).get("/login").text
    pages["rep GET /admin/users (refused)"] = readers["rep"].get("/admin/users").text

    failed, unseen = [], []
    for endpoint, endpoint_urls in sorted(urls.items()):
        opened = False
        for url in endpoint_urls:
            for role in readers_of(endpoint, url):
                response = readers[role].get(url)
                if response.status_code >= 500:
                    failed.append(f"{role} GET {url}: {response.status_code}")
                if response.status_code in (200, 400, 403, 404) and response.mimetype in ("text/html", "image/svg+xml"):
                    opened = opened or response.status_code == 200
                    pages[f"{role} GET {url}"] = response.text
        if not opened and endpoint != "auth.login":  # a signed-in user is sent home; read by the visitor
            unseen.append(endpoint)
    assert not failed, failed
    assert not unseen, f"routes no role could open (fill their ids in urls_of): {unseen}"

    english = {}
    for page, html in pages.items():
        words = latin_words(html) - set().union(*(allowed for end, allowed in PAGE_ALLOWED.items() if page.endswith(end)))
        if words:
            english[page] = sorted(words)
    report = "\n".join(f"{page}: {', '.join(words)}" for page, words in sorted(english.items()))
    assert not english, f"English words on Chinese pages ({len(english)} pages):\n{report}"
