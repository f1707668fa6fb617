"""The demo's texts, each as T(English, Chinese): a demo is made in one language only
(``resolve``), so no text of it mixes the two."""

from __future__ import annotations

from typing import Any, NamedTuple


class T(NamedTuple):
    en: str
    zh: str


def resolve(value: Any, lang: str) -> Any:
    """``value`` with every T in it replaced by its text in ``lang`` (en or zh_Hans)."""
    if isinstance(value, T):
        return value.zh if lang == "zh_Hans" else value.en
    if isinstance(value, dict):
        return {k: resolve(v, lang) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(resolve(v, lang) for v in value)  # type: ignore[call-arg]
    return value


ORG_NAME = T("Demo Manufacturing Co.", "演示制造公司")
SPONSOR = T("Zhou Qiang (COO)", "周强（首席运营官）")

# local part of the e-mail address, name, role
PEOPLE = [
    ("demo", T("Demo Admin", "演示管理员"), "admin"),
    ("li.na", T("Li Na", "李娜"), "lead"),
    ("wang.wei", T("Wang Wei", "王伟"), "lead"),
    ("zhang.min", T("Zhang Min", "张敏"), "committee"),
    ("chen.jie", T("Chen Jie", "陈杰"), "committee"),
    ("liu.yang", T("Liu Yang", "刘洋"), "member"),
    ("zhao.lei", T("Zhao Lei", "赵磊"), "viewer"),
]

DAYS, HOURS, WEEKS = T("days", "天"), T("h", "小时"), T("weeks", "周")

# name, code, class, departments, owner index, metric, unit, baseline, target, direction,
# scope in, scope out, start point, end point, the phase it is in after its gates (see
# demo_gates.PLANS), status, days since start
INITIATIVES = [
    (T("Customer complaint handling", "客户投诉处理"), "CS-COMPLAINT", "core",
     T("Customer service, Quality", "客服部、质量部"), 1,
     T("Complaint response time", "投诉响应时间"), HOURS, 48, 24, "lower",
     T("All online channels", "全部线上渠道"), T("Offline store complaints", "线下门店投诉"),
     T("Customer files a complaint", "客户提交投诉"),
     T("Complaint closed and follow-up call done", "投诉关闭并完成回访"), 6, "on_track", 160),
    (T("Order fulfilment", "订单履约"), "SCM-ORDER", "core",
     T("Logistics, Sales, Warehouse", "物流部、销售部、仓储部"), 2,
     T("Order delivery cycle", "订单交付周期"), DAYS, 3.5, 2.8, "lower",
     T("Online orders", "线上订单"), T("Offline channels", "线下渠道"),
     T("Order confirmed", "订单确认"), T("Goods signed for", "客户签收"), 5, "on_track", 70),
    (T("User activation", "用户激活"), "MKT-ACTIVATION", "core",
     T("Marketing, Product", "市场部、产品部"), 1,
     T("New-user activation rate", "新用户激活率"), T("%", "%"), 32, 45, "higher",
     T("App sign-ups", "App 注册"), T("Web sign-ups", "网页注册"),
     T("User registers", "用户注册"), T("User completes first order", "用户完成首单"),
     4, "at_risk", 50),
    (T("Procurement approval", "采购审批"), "PUR-APPROVAL", "support",
     T("Procurement, Finance", "采购部、财务部"), 2,
     T("Approval lead time", "审批周期"), DAYS, 6, 2, "lower",
     T("Purchases under 50,000 CNY", "5 万元以下采购"), T("Capital expenditure", "资本性支出"),
     T("Purchase request raised", "提交采购申请"), T("Purchase order issued", "下达采购订单"),
     3, "on_track", 30),
    (T("Expense reimbursement", "费用报销"), "FIN-EXPENSE", "support",
     T("Finance, HR", "财务部、人力资源部"), 1,
     T("Reimbursement cycle", "报销周期"), DAYS, 12, 5, "lower",
     T("Travel and daily expenses", "差旅及日常费用"), T("Project settlements", "项目结算"),
     T("Employee submits a claim", "员工提交报销单"), T("Money paid out", "款项支付"),
     2, "on_track", 10),
    (T("New product launch", "新品上市"), "RD-LAUNCH", "core",
     T("R&D, Production, Marketing", "研发部、生产部、市场部"), 2,
     T("Time to market", "上市周期"), WEEKS, 26, 18, "lower",
     T("Consumer products", "消费类产品"), T("OEM products", "代工产品"),
     T("Requirement review", "需求评审"), T("After-sales support live", "售后支持上线"),
     2, "blocked", 24),
    (T("Equipment maintenance", "设备维护"), "PRD-MAINT", "support",
     T("Production, Engineering", "生产部、工程部"), 1,
     T("Unplanned downtime", "非计划停机时间"), T("h/month", "小时/月"), 40, 20, "lower",
     T("Assembly lines 1–3", "1–3 号装配线"), T("Warehouse equipment", "仓库设备"),
     T("Fault reported", "故障报修"), T("Equipment back in service", "设备恢复运行"),
     1, "on_track", 3),
    (T("Supplier onboarding", "供应商准入"), "PUR-SUPPLIER", "support",
     T("Procurement, Quality", "采购部、质量部"), 2,
     T("Onboarding time", "准入周期"), DAYS, 30, 15, "lower",
     T("Raw-material suppliers", "原材料供应商"), T("Service providers", "服务类供应商"),
     T("Supplier application", "供应商申请"), T("Supplier approved in ERP", "供应商在 ERP 中获批"),
     1, "at_risk", 12),
    (T("Month-end close", "月末结账"), "FIN-CLOSE", "management",
     T("Finance", "财务部"), 1,
     T("Days to close", "结账天数"), DAYS, 8, 4, "lower",
     T("Group entities", "集团各法人实体"), T("Tax filings", "纳税申报"),
     T("Period locked", "会计期间锁定"), T("Reports signed off", "报表签批"),
     3, "at_risk", 40),
    (T("Employee onboarding", "员工入职"), "HR-ONBOARD", "management",
     T("HR, IT, Administration", "人力资源部、IT 部、行政部"), 2,
     T("Days to productive", "上岗天数"), DAYS, 14, 7, "lower",
     T("Head-office hires", "总部新员工"), T("Branch hires", "分支机构新员工"),
     T("Offer accepted", "接受录用"), T("First task completed", "完成首项任务"),
     3, "on_track", 55),
    (T("Invoice processing", "发票处理"), "FIN-INVOICE", "support",
     T("Finance, Procurement", "财务部、采购部"), 1,
     T("Invoice error rate", "发票差错率"), T("%", "%"), 4, 1.5, "lower",
     T("Supplier invoices", "供应商发票"), T("Customer invoices", "客户发票"),
     T("Invoice received", "收到发票"), T("Invoice posted", "发票入账"), 5, "on_track", 80),
    (T("IT service requests", "IT 服务请求"), "IT-REQUEST", "support",
     T("IT", "IT 部"), 2,
     T("Requests resolved in 24 h", "24 小时内解决的请求"), T("%", "%"), 70, 95, "higher",
     T("Head office", "总部"), T("Factories", "工厂"),
     T("Ticket opened", "工单创建"), T("Ticket closed", "工单关闭"), 6, "on_track", 200),
]  # fmt: skip

# title, category, impact, urgency, fishbone, 5 whys, status, as-is steps (step, role, minutes)
PROBLEMS = {
    "PUR-APPROVAL": [
        (T("Three sign-offs for small purchases", "小额采购需三级审批"), "efficiency", 5, 4,
         "method", T("Approval takes 6 days\nEvery purchase needs three sign-offs\n"
                     "No amount threshold in the rule",
                     "审批需要 6 天\n每笔采购都需三级签字\n审批规则没有金额门槛"), "analysing",
         [(T("Fill in the paper request", "填写纸质申请单"), T("Requester", "需求方"), 20),
          (T("Wait for the department head", "等待部门负责人签字"), T("Department head", "部门负责人"), 1440),
          (T("Wait for finance", "等待财务审核"), T("Finance", "财务部"), 2880),
          (T("Re-key into the ERP", "录入 ERP"), T("Procurement", "采购部"), 30)]),
        (T("Requests re-keyed into the ERP", "申请单重复录入 ERP"), "quality", 3, 3, "machine",
         T("Typing errors in 1 order in 20\nThe request is on paper\nThe ERP has no request form",
           "每 20 张订单有 1 张录入错误\n申请单是纸质的\nERP 中没有申请表单"), "analysing", []),
        (T("Nobody owns urgent requests", "紧急采购无人负责"), "coordination", 4, 2, "people",
         T("", ""), "open", []),
        (T("Internal report format tweak", "内部报表格式调整"), "efficiency", 1, 1, "method",
         T("", ""), "deferred", []),
    ],
    "CS-COMPLAINT": [
        (T("Complaints classified by hand", "投诉人工分类"), "efficiency", 4, 4, "method",
         T("Classification takes 4 hours\nAgents read every complaint\nNo categories in the CRM",
           "分类需要 4 小时\n客服逐条阅读投诉\nCRM 中没有分类"), "solved",
         [(T("Read the complaint", "阅读投诉内容"), T("Customer service agent", "客服专员"), 10),
          (T("Choose a category", "选择投诉类别"), T("Customer service lead", "客服主管"), 15),
          (T("Forward to the department", "转交责任部门"), T("Customer service lead", "客服主管"), 240)]),
        (T("No follow-up call after closing", "关闭后未回访"), "quality", 3, 2, "people",
         T("", ""), "solved", []),
    ],
    "MKT-ACTIVATION": [
        (T("SMS codes not received", "收不到短信验证码"), "quality", 4, 5, "machine",
         T("Users give up at sign-up\nThe code does not arrive\nOne SMS provider, no fallback",
           "用户在注册时放弃\n验证码收不到\n只有一家短信服务商，没有备用通道"), "analysing",
         [(T("Enter the phone number", "输入手机号"), T("New user", "新用户"), 1),
          (T("Wait for the SMS code", "等待短信验证码"), T("New user", "新用户"), 3),
          (T("Fill in the profile", "填写个人资料"), T("New user", "新用户"), 5)]),
        (T("Long sign-up form", "注册表单过长"), "efficiency", 2, 3, "method", T("", ""),
         "open", []),
    ],
    "HR-ONBOARD": [
        (T("IT accounts ready only after day 3", "IT 账号第三天后才开通"), "coordination", 4, 4,
         "method", T("New hires wait for a laptop and accounts\nIT hears of the hire on day 1\n"
                     "HR and IT have no shared checklist",
                     "新员工等待电脑和账号\nIT 在入职当天才得知\n人力资源部与 IT 部没有共用的清单"),
         "analysing", []),
    ],
    "SCM-ORDER": [
        (T("Stock reserved by hand after the credit check", "信用审核后手工预留库存"), "efficiency", 4, 4,
         "method", T("Orders wait half a day for stock\nA clerk reserves stock by hand\n"
                     "The credit check and the ERP are not linked",
                     "订单等待库存半天\n文员手工预留库存\n信用审核与 ERP 未打通"), "solved",
         [(T("Check the credit limit", "核对信用额度"), T("Sales assistant", "销售助理"), 30),
          (T("E-mail the warehouse", "邮件通知仓库"), T("Sales assistant", "销售助理"), 10),
          (T("Reserve the stock", "预留库存"), T("Warehouse clerk", "仓库文员"), 240)]),
    ],
    "RD-LAUNCH": [
        (T("Specifications change after the requirement review", "需求评审后规格频繁变更"), "coordination",
         4, 3, "method", T("", ""), "open", []),
    ],
    "FIN-CLOSE": [
        (T("Intercompany balances agreed by e-mail", "公司间往来靠邮件对账"), "coordination", 4, 4,
         "method", T("Close takes 8 days\nDifferences are found on day 6\n"
                     "Each entity books on its own calendar",
                     "结账需要 8 天\n差异在第 6 天才发现\n各实体记账时间不一致"), "analysing", []),
    ],
    "FIN-INVOICE": [
        (T("Invoices matched to orders by hand", "发票与订单人工匹配"), "quality", 4, 3, "method",
         T("4 % of invoices carry errors\nMatching is done by eye\nNo three-way match in the ERP",
           "4% 的发票有差错\n靠肉眼核对\nERP 未启用三单匹配"), "solved", []),
    ],
    "IT-REQUEST": [
        (T("Tickets bounce between teams", "工单在团队间来回转派"), "coordination", 4, 4, "people",
         T("30 % of tickets miss 24 h\nTickets are reassigned twice on average\n"
           "Nobody owns the first diagnosis",
           "30% 的工单超过 24 小时\n工单平均被转派两次\n首次诊断无人负责"), "solved", []),
    ],
}  # fmt: skip

# problem index, goal, measure, department, days from today to completion, expected effect
MEASURES = {
    "PUR-APPROVAL": [
        (0, T("Approve small purchases in one day", "小额采购一天内审批"),
         T("One sign-off under 10,000 CNY; two above", "1 万元以下一级审批，以上两级审批"),
         T("Procurement", "采购部"), 10, T("Lead time from 6 to 2 days", "审批周期从 6 天降至 2 天")),
        (1, T("Enter each request once", "申请单只录入一次"),
         T("Request form in the ERP, no paper", "在 ERP 中直接提交申请，取消纸质单"),
         T("IT", "IT 部"), 20, T("No re-keying errors", "消除重复录入差错")),
    ],
    "CS-COMPLAINT": [
        (0, T("Route complaints automatically", "投诉自动分派"),
         T("Categories and routing rules in the CRM", "在 CRM 中设置投诉类别和分派规则"),
         T("Customer service", "客服部"), -60, T("Classification in minutes", "分类缩短到几分钟")),
    ],
    "SCM-ORDER": [
        (0, T("Reserve stock when the credit check passes", "信用审核通过即预留库存"),
         T("Link the credit check to automatic reservation in the ERP", "打通信用审核与 ERP 自动预留"),
         T("Sales", "销售部"), -40, T("Half a day less per order", "每单缩短半天")),
    ],
    "HR-ONBOARD": [
        (0, T("Accounts ready on day 1", "入职首日账号就绪"),
         T("HR sends the start date to IT when the offer is accepted", "接受录用时人力资源部即通知 IT 入职日期"),
         T("HR", "人力资源部"), 14, T("Productive from day 2", "第二天即可开展工作")),
    ],
    "FIN-INVOICE": [
        (0, T("Match invoices automatically", "发票自动匹配"),
         T("Three-way match of order, receipt and invoice in the ERP", "在 ERP 中启用订单、收货、发票三单匹配"),
         T("Finance", "财务部"), -35, T("Error rate below 1.5 %", "差错率降至 1.5% 以下")),
    ],
    "IT-REQUEST": [
        (0, T("One owner from ticket to fix", "工单从受理到解决一人负责"),
         T("The service desk diagnoses first and keeps the ticket", "服务台首诊并全程跟进工单"),
         T("IT", "IT 部"), -120, T("95 % resolved within 24 h", "95% 的工单 24 小时内解决")),
    ],
    "MKT-ACTIVATION": [
        (0, T("Every code arrives within a minute", "验证码一分钟内送达"),
         T("Second SMS provider as fallback", "增加第二家短信服务商作为备用"),
         T("Product", "产品部"), -12, T("Sign-up drop-off halved", "注册流失减半")),
    ],
}  # fmt: skip

# stakeholder group, level, ADKAR barrier, concern, root cause, action, owner index,
# days from today to due, status, outcome
RESISTANCE = {
    "CS-COMPLAINT": [
        (T("Senior agents", "资深客服"), "medium", "desire",
         T("Automatic routing takes away their judgement", "自动分派削弱了他们的判断"),
         T("They were not asked during the design", "设计阶段没有征求他们的意见"),
         T("Invite two senior agents to tune the routing rules", "邀请两名资深客服参与调整分派规则"),
         1, -30, "done", T("Both now train new agents on the rules", "两人现在负责培训新客服")),
    ],
    "SCM-ORDER": [
        (T("Warehouse shift leads", "仓库班组长"), "high", "ability",
         T("Scanning every pick slows the night shift", "每次拣货都扫码拖慢了夜班"),
         T("Old scanners, weak Wi-Fi in aisle 7", "扫码枪老旧，7 号通道 Wi-Fi 信号弱"),
         T("New scanners and an access point before wave 2", "第二批推广前更换扫码枪并增设无线接入点"),
         2, 9, "in_progress", T("", "")),
        (T("Sales assistants", "销售助理"), "low", "knowledge",
         T("Unsure when to release an order on credit hold", "不清楚信用冻结的订单何时放行"),
         T("The credit rule is not written down", "信用规则没有成文"),
         T("One-page guide with examples", "编写一页带示例的操作指引"), 2, 5, "open", T("", "")),
    ],
    "MKT-ACTIVATION": [
        (T("Regional marketing teams", "区域市场团队"), "medium", "awareness",
         T("They see activation as the product team's job", "认为激活是产品团队的事"),
         T("Targets are set per team", "考核目标按团队分别设定"),
         T("Share the activation rate in the weekly sales meeting", "在每周销售例会上通报激活率"),
         1, 14, "open", T("", "")),
    ],
}  # fmt: skip

PILOT = {
    "process": T("New-user activation", "新用户激活"),
    "scope": T("East China sales team", "华东区域销售团队"),
    "metrics": [
        (T("Verification time", "验证耗时"), T("min", "分钟"), "lower", 30, 8, 10),
        (T("Activation rate", "激活率"), T("%", "%"), "higher", 32, 41, 45),
    ],
    "unmet": (T("SMS codes not received", "收不到短信验证码"),
              T("The SMS channel needs a fallback", "短信通道需要备用方案")),
    "feedback": T("Codes arrive late at weekends", "周末验证码延迟"),
}  # fmt: skip

# process, scope, days since the start, metrics (name, unit, direction, baseline, result,
# target), satisfaction scores
PILOTS = {
    "CS-COMPLAINT": (T("Complaint handling", "投诉处理"), T("Online store team", "线上商城团队"), 95,
                     [(T("First reply time", "首次答复时间"), HOURS, "lower", 48, 20, 24)], (5, 4, 5, 4)),
    "SCM-ORDER": (T("Order fulfilment", "订单履约"), T("Shanghai warehouse", "上海仓"), 25,
                  [(T("Order delivery cycle", "订单交付周期"), DAYS, "lower", 3.5, 2.7, 2.8),
                   (T("Picking errors", "拣货差错"), T("per 1,000 orders", "每千单"), "lower", 6, 2, 3)],
                  (4, 4, 3, 5)),
    "FIN-INVOICE": (T("Invoice processing", "发票处理"), T("Raw-material suppliers", "原材料供应商"), 35,
                    [(T("Invoice error rate", "发票差错率"), T("%", "%"), "lower", 4, 1.2, 1.5)], (4, 5, 4)),
    "IT-REQUEST": (T("IT service requests", "IT 服务请求"), T("Head office, floor 3", "总部三楼"), 130,
                   [(T("Requests resolved in 24 h", "24 小时内解决的请求"), T("%", "%"), "higher", 70, 93, 90)],
                   (5, 4, 4, 5)),
    "HR-ONBOARD": (T("Employee onboarding", "员工入职"), T("Head-office hires in November", "总部 11 月入职员工"), 12,
                   [(T("Days to productive", "上岗天数"), DAYS, "lower", 14, 11, 7)], (3, 2, 3)),
}  # fmt: skip

# --- gate reviews -------------------------------------------------------------------------

GO_RATIONALES = [
    T("The evidence is complete and the team is ready.", "证据齐全，团队已做好准备。"),
    T("Criteria met; keep the current pace.", "各项标准均已达到，保持当前节奏。"),
    T("Good work; the numbers support moving on.", "工作扎实，数据支持进入下一阶段。"),
]
EVIDENCE_NOTE = T("See the attached register and the team's summary.", "见所附登记表和团队总结。")
CONDITIONS = [
    T("Replace the scanners in aisle 7 before wave 2 starts",
      "第二批推广开始前更换 7 号通道的扫码枪"),
    T("Report the night-shift pick rate weekly for a month",
      "连续一个月每周报告夜班拣货效率"),
]  # fmt: skip
CONDITION_RATIONALE = T(
    "The pilot met its target, but the night shift needs working scanners first.",
    "试点已达标，但夜班需要先解决扫码设备问题。",
)
RECYCLE_REASON = T(
    "The pilot still needs 5 days for IT accounts; redesign the account step before a new pilot.",
    "试点中 IT 账号开通仍需 5 天；先重新设计开通环节，再组织新一轮试点。",
)
HOLD_REASON = T(
    "Wait for next year's PLM budget decision before analysing further.",
    "等待明年 PLM 系统预算确定后再继续分析。",
)
AGREED = T("Agreed with the chair.", "同意主席的意见。")
CONDITION_CLOSED = T("Done: new scanners in use since Monday.", "已完成：新扫码枪自周一起使用。")
OPEN_REVIEW_NOTE = T(
    "Verification time met its target; the activation rate is at 41 % of the 45 % target.",
    "验证耗时已达标；激活率为 41%，目标为 45%。",
)

# --- SOPs, rollout, KPIs --------------------------------------------------------------------

SOP_SCOPE = T("All sites of the domestic market", "国内市场全部站点")
SOP_EXCEPTIONS = T(
    "Urgent or legal cases go to the process owner at once", "重大或涉法异常立即上报流程负责人"
)
SOP_CONTINGENCY = T(
    "System down: log on paper form F-07 and enter within a day",
    "系统故障时使用纸质表单 F-07 登记，一日内补录",
)
SOP_CHANGE = T("Faster first reply", "缩短首次答复时限")
SOP_INSTRUCTIONS = T("See the operating handbook, section {n}", "见操作手册第 {n} 节")
SOP_INPUTS = T("Previous step's record", "上一步记录")
SOP_OUTPUTS = T("Updated record", "更新后的记录")
SOP_LEVELS = (T("Department head", "部门负责人"), T("General manager", "总经理"))
SOP_NAMES = {
    "COMPLAINT": T("Complaint handling", "投诉处理"),
    "ORDER": T("Order fulfilment", "订单履约"),
    "APPROVAL": T("Purchase approval", "采购审批"),
    "REQUEST": T("IT service request handling", "IT 服务请求处理"),
    "ACTIVATION": T("New-user activation", "新用户激活"),
    "INVOICE": T("Supplier invoice processing", "供应商发票处理"),
    "ONBOARD": T("New-hire onboarding", "新员工入职"),
}

# step, responsible role, time limit, unit, key control point
STEPS = {
    "COMPLAINT": [
        (T("Receive the complaint", "受理投诉"), T("Customer service agent", "客服专员"), 2, "hours", T("Record in the CRM", "在 CRM 中登记")),
        (T("Classify and route", "分类分派"), T("Customer service lead", "客服主管"), 4, "hours", T("Category right", "类别准确")),
        (T("Investigate the cause", "调查原因"), T("Quality", "质量部"), 2, "workdays", T("Root cause named", "明确根本原因")),
        (T("Reply to the customer", "答复客户"), T("Customer service agent", "客服专员"), 1, "days", T("Reply approved", "答复已审批")),
        (T("Close and review", "关闭复盘"), T("Customer service lead", "客服主管"), 5, "workdays", T("Lessons logged", "经验已记录")),
    ],
    "ORDER": [
        (T("Check the order", "审核订单"), T("Sales assistant", "销售助理"), 2, "hours", T("Credit limit checked", "已核对信用额度")),
        (T("Allocate stock", "分配库存"), T("Warehouse", "仓储部"), 4, "hours", T("Stock reserved in the ERP", "已在 ERP 中预留库存")),
        (T("Pick and pack", "拣货包装"), T("Warehouse", "仓储部"), 1, "days", T("Pick list scanned", "拣货单已扫码")),
        (T("Ship", "发货"), T("Logistics", "物流部"), 1, "days", T("Carrier booked", "已预约承运商")),
        (T("Confirm delivery", "确认签收"), T("Customer service agent", "客服专员"), 2, "workdays", T("Proof of delivery", "签收凭证")),
    ],
    "APPROVAL": [
        (T("Raise the request", "提交申请"), T("Requesting department", "需求部门"), 1, "days", T("Budget code given", "已填写预算科目")),
        (T("Check the budget", "预算核对"), T("Finance", "财务部"), 4, "hours", T("Budget available", "预算充足")),
        (T("Compare quotes", "比价"), T("Procurement", "采购部"), 2, "workdays", T("Three quotes over 10,000", "1 万元以上三家比价")),
        (T("Approve", "审批"), T("Department head", "部门负责人"), 1, "days", T("Limit of authority", "审批权限")),
        (T("Issue the order", "下达订单"), T("Procurement", "采购部"), 4, "hours", T("PO number in the ERP", "ERP 中已生成订单号")),
    ],
    "REQUEST": [
        (T("Log the ticket", "登记工单"), T("Service desk", "服务台"), 1, "hours", T("Category and priority set", "已设定类别和优先级")),
        (T("Assign an engineer", "分派工程师"), T("Service desk lead", "服务台主管"), 2, "hours", T("Engineer named", "已指定工程师")),
        (T("Resolve", "解决问题"), T("IT engineer", "IT 工程师"), 1, "workdays", T("Fix confirmed by the user", "用户确认已修复")),
        (T("Close the ticket", "关闭工单"), T("Service desk", "服务台"), 4, "hours", T("Satisfaction asked", "已征询满意度")),
    ],
    "ACTIVATION": [
        (T("Send the verification code", "发送验证码"), T("Platform", "平台"), 1, "minutes", T("Fallback provider after 30 s", "30 秒未达切换备用通道")),
        (T("Welcome call", "欢迎回访"), T("Customer success", "客户成功"), 1, "days", T("Call logged", "已记录回访")),
        (T("First-order coupon", "首单优惠券"), T("Marketing", "市场部"), 2, "hours", T("Coupon issued once", "优惠券仅发放一次")),
        (T("Activation review", "激活复盘"), T("Product", "产品部"), 5, "workdays", T("Drop-offs analysed", "已分析流失原因")),
    ],
    "INVOICE": [
        (T("Receive the invoice", "接收发票"), T("Accounts payable", "应付会计"), 1, "days", T("Invoice scanned", "发票已扫描")),
        (T("Three-way match", "三单匹配"), T("Accounts payable", "应付会计"), 4, "hours", T("Order, receipt and invoice agree", "订单、收货、发票一致")),
        (T("Resolve differences", "处理差异"), T("Procurement", "采购部"), 2, "workdays", T("Difference explained", "差异已说明")),
        (T("Post the invoice", "发票入账"), T("Accounts payable", "应付会计"), 1, "days", T("Posted in the ERP", "已在 ERP 中入账")),
    ],
    "ONBOARD": [
        (T("Announce the start date", "通知入职日期"), T("HR", "人力资源部"), 1, "days", T("IT and admin told", "已通知 IT 和行政")),
        (T("Prepare laptop and accounts", "准备电脑和账号"), T("IT", "IT 部"), 3, "workdays", T("Ready before day 1", "入职前就绪")),
        (T("First-day welcome", "首日接待"), T("Line manager", "直属上级"), 4, "hours", T("Buddy named", "已指定导师")),
        (T("First task review", "首项任务复盘"), T("Line manager", "直属上级"), 5, "workdays", T("Feedback given", "已给予反馈")),
    ],
}  # fmt: skip
RACI_ROLES = {
    "COMPLAINT": (T("Customer service", "客服"), T("CS lead", "客服主管"), T("Quality", "质量部"), T("Sales", "销售")),
    "ORDER": (T("Sales", "销售"), T("Warehouse", "仓储"), T("Logistics", "物流"), T("Customer service", "客服")),
    "APPROVAL": (T("Requester", "需求方"), T("Procurement", "采购"), T("Finance", "财务"), T("Department head", "部门负责人")),
    "REQUEST": (T("Service desk", "服务台"), T("IT engineer", "IT 工程师"), T("IT manager", "IT 经理"), T("User", "用户")),
    "ACTIVATION": (T("Platform", "平台"), T("Product", "产品部"), T("Marketing", "市场部"), T("Customer success", "客户成功")),
    "INVOICE": (T("Accounts payable", "应付会计"), T("Finance manager", "财务经理"), T("Procurement", "采购部"), T("Supplier", "供应商")),
    "ONBOARD": (T("HR", "人力资源部"), T("Line manager", "直属上级"), T("IT", "IT 部"), T("New hire", "新员工")),
}  # fmt: skip

WAVES = (T("East China", "华东区"), T("North China", "华北区"))
TRAINING_TOPIC = T("The new SOP, step by step", "新流程逐步讲解")

# name, unit, direction, target, threshold, base, swing, formula, department
KPIS = [
    (T("Complaint resolution cycle", "投诉处理周期"), DAYS, "lower", 3.0, 3.5, 2.9, 0.65,
     "Σ(closed_at − opened_at) / n", T("Customer service", "客服部")),
    (T("Complaint resolution rate", "投诉解决率"), T("%", "%"), "higher", 95.0, 92.0, 95.8, 2.0,
     T("resolved / received", "已解决数 / 受理数"), T("Customer service", "客服部")),
]  # fmt: skip
IT_KPIS = [
    (T("Requests resolved in 24 h", "24 小时内解决的请求"), T("%", "%"), "higher", 95.0, 90.0, 95.5, 1.8,
     T("resolved within 24 h / opened", "24 小时内解决数 / 创建数"), T("IT", "IT 部")),
]  # fmt: skip
OPTIMISATION = {
    "process": T("Complaint handling", "投诉处理"),
    "background": T("Cycle rose above 3 days in the busy season", "旺季处理周期超过 3 天"),
    "measures": T("Second-line team on weekends", "周末增设二线支持"),
    "effect": T("Cycle back to 2.8 days", "周期回落至 2.8 天"),
    "owner": T("Customer service lead", "客服主管"),
}
