"""Shipped defaults speak one language at a time.

The gate criteria, starter risks, RACI roles of a new SOP and the approval level of an
organisation without a chain were stored as "English 中文" glued in one
string. This migration gives each existing organisation the language most of its members read
(English when tied) and rewrites every glued default row in it, on SQLite and PostgreSQL. A
text someone edited no longer equals a glued default and is left alone. The texts are frozen
here, as they were shipped: later changes to the app's defaults do not change this step."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-30T02:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "shipped defaults in one language: repair the glued rows"

# (English, Chinese) as shipped; the glued row read f"{english} {chinese}".
CRITERIA = [
    ("Goal is SMART with baseline and target", "目标符合SMART原则，有基线值和目标值"),
    ("Scope in and out written", "已明确包含与不含的范围"),
    ("Team and owner named", "已确定团队与负责人"),
    ("Sponsor committed", "高层发起人已承诺支持"),
    ("As-is steps recorded", "现状流程步骤已记录"),
    ("Problems registered and prioritised", "问题已登记并排序"),
    ("Root causes found for high-priority problems", "高优先级问题已找到根因"),
    ("Top-5 problem report written", "TOP5 问题清单已完成"),
    ("SOP drafted with a responsible role per step", "SOP已起草，每个步骤有责任岗位"),
    ("RACI has exactly one A per step", "RACI每个步骤只有一个A"),
    ("Measures linked to each high-priority problem", "每个高优先级问题都有对应措施"),
    ("Design review held", "已召开方案评审会"),
    ("Pilot metrics measured before and after", "试点指标已有优化前后数据"),
    ("Satisfaction collected", "已收集满意度"),
    ("Unmet problems listed with causes", "未达标问题及原因已列明"),
    ("Pilot summary written", "试点总结报告已完成"),
    ("All rollout waves done", "所有推广批次已完成"),
    ("Training pass rate meets the target", "培训考核合格率达标"),
    ("SOP published at a version with effective date", "SOP已发布并有生效日期"),
    ("KPIs monitored against targets", "监控指标已对照目标跟踪"),
    ("Periodic review held", "已进行定期评审"),
]
RISKS = [
    ("Weak executive support", "高层支持不足"),
    ("Poor cross-department communication and blame-shifting", "跨部门沟通不畅、推诿扯皮"),
    ("Front-line resistance to change (formalistic execution)", "一线员工抵触变革（形式化执行）"),
    (
        "Standardisation vs flexibility: special cases such as urgent large-customer orders",
        "标准化与灵活性冲突（如大客户紧急订单）",
    ),
    ("Data hard to collect, distorted evaluation", "数据难以收集，评估失真"),
]
MITIGATIONS = [
    (
        "Secure a sponsor; report progress to executives every two weeks",
        "争取高层发起人，每两周汇报进展",
    ),
    (
        "Name an owner per step; weekly cross-department meeting",
        "明确每个环节负责人，每周跨部门例会",
    ),
    (
        "Involve staff in design; training; recognise a process optimisation star",
        "让员工参与设计，开展培训，评选流程优化之星",
    ),
    ("Define an exception path with approval", "设计带审批的例外流程"),
    ("Define data sources and owners before the pilot", "试点前明确数据来源和责任人"),
]
ROLES = [
    ("Process owner", "流程负责人"),
    ("Operator", "执行岗"),
    ("Manager", "部门经理"),
    ("Quality", "质量"),
]
LEVELS = [
    ("Administrator", "管理员"),
]

# table, column, the defaults that column may hold glued
GLUED = [
    ("gate_criterion", "text", CRITERIA),
    ("review_criterion", "text", CRITERIA),
    ("risk", "description", RISKS),
    ("risk", "mitigation", MITIGATIONS),
    ("raci_role", "name", ROLES),
    ("sop_approval", "label", LEVELS),
]

MOSTLY_CHINESE = """
UPDATE organisation SET language = 'zh_Hans'
WHERE 2 * (
    SELECT COUNT(*) FROM membership m JOIN person p ON p.id = m.person
    WHERE m.org = organisation.id AND p.language = 'zh_Hans'
) > (SELECT COUNT(*) FROM membership m WHERE m.org = organisation.id)
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)

    async def repair():
        engine = engine_finder()
        await engine.run_ddl(MOSTLY_CHINESE)
        for table, column, pairs in GLUED:
            for english, chinese in pairs:
                await engine.run_querystring(
                    QueryString(
                        f"UPDATE {table} SET {column} = CASE WHEN ("
                        f"SELECT o.language FROM organisation o WHERE o.id = {table}.org"
                        f") = 'zh_Hans' THEN {{}} ELSE {{}} END WHERE {column} = {{}}",
                        chinese,
                        english,
                        f"{english} {chinese}",
                    )
                )

    manager.add_raw(repair)
    return manager
