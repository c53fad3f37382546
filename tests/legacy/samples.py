"""Reply-like documents for the importer tests: the three seeds, and variants written to look
like other offices' letters (different numbering, header order, addressee forms, portal pages)."""

from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "demo" / "seeds"
SEED_000 = SEEDS / "000_2c1618aac5cf80e6.txt"
SEED_002 = SEEDS / "002_88f36dbf9b23b2d0.txt"
SEED_004 = SEEDS / "004_425556da689228ab.txt"

# An NPC reply with a 文号 line, the class mark in parentheses, "尊敬的…代表", (1)-style
# sub-items, contact details in one 附注 line, a Chinese-numeral date and a 抄送 line.
NPC_VARIANT = """黄石市住房和城乡建设局

黄建函〔2024〕12号

（B类）

关于市十六届人大三次会议第179号建议的答复

尊敬的张伟、李娜代表：

你们在市十六届人大三次会议期间提出的《关于加快老旧小区改造的建议》（第179号）收悉。经认真研究，现答复如下：

一、基本情况
今年全市计划改造老旧小区 42 个。

二、下一步工作
（1）加快项目前期手续办理。
（2）加大资金争取力度。
5月8日，我局分管负责同志带队上门走访了张伟代表，当面听取意见。

（联系人：吴刚，联系电话：0714-6233015）

黄石市住房和城乡建设局
二〇二四年六月三日

抄送：市人大代表工委
"""

# A portal copy of a CPPCC reply: info box first, organisation addressee, 第N号 number,
# numbered items written "1." and "（一）", no 落款 on the page; 发布机构 names the unit.
PORTAL_VARIANT = """首页 > 政务公开 > 建议提案办理
索引号：011-2022-0415	主题分类：建议提案
发布机构：安康市教育体育局	成文日期：2022-07-20
公开方式：主动公开
标题：对市政协五届二次会议第56号提案的答复
字号：大 中 小
市工商联：
贵单位在市政协五届二次会议上提出的《关于支持民办职业教育发展的提案》（第56号提案）收悉，现答复如下：
1.加强规划引导。将民办职业教育纳入全市职业教育发展规划。
2.落实扶持政策。（一）落实用地政策。（二）落实税费优惠。
感谢贵单位对教育工作的关心和支持。
扫一扫在手机打开当前页
版权所有：安康市人民政府  陕ICP备05001234号
"""

WORK_REPORT = """关于2023年度代表建议办理工作情况的报告

——2024年3月在市人大常委会第十次会议上

市人大常委会：

受市人民政府委托，现将2023年度市人大代表建议办理工作情况报告如下，请予审议。

一、基本情况
全年共承办代表建议312件，已全部办结，答复率100%。

二、主要做法
（一）强化组织领导。
"""

NEWS_PAGE = """市政协召开提案办理协商座谈会
来源：黄石日报  发布时间：2023-06-01  浏览次数：1024
本报讯（记者 李明）5月31日，市政协召开重点提案办理协商座谈会，听取承办单位办理情况汇报。
会上，市经信局等单位介绍了提案办理进展。
责任编辑：王芳
"""

# A wrapped two-line title, a name printed with a space, "第一，" items, 落款 and date on one
# line and the 附注 after the date.
WRAPPED_TITLE = """黄石市财政局
关于对市政协十三届五次会议
第58号提案的答复
程 玮委员：
您领衔提出的《关于降低中小企业融资成本的提案》收悉，现答复如下：
第一，加大贴息力度。
第二，扩大担保规模。
黄石市财政局  2021年7月2日
（联系人：周丽  电话：6222301）
"""

# Organisations and a member addressed together; the title in quotation marks; spaced date.
MIXED_ADDRESSEES = """市工商联、民建黄石市委会、赵敏委员：
你们联名提出的“关于优化营商环境的提案”收悉。现将办理情况答复如下：
（一）简化审批。
（二）降低收费。
黄石市行政审批局
2022 年 8 月 1 日
"""

# The class mark written "答复类别：B" at the end; "1." items with "（1）" sub-items.
CLASS_AT_END = """关于王强代表所提第12号建议的答复
王强代表：
您提出的关于加强农村公路养护的建议收悉。经研究，现答复如下：
1.基本情况。全市农村公路总里程 4300 公里。
（1）养护资金。
（2）养护队伍。
2.下一步打算。6月12日，我局与您电话沟通，听取意见。
黄石市交通运输局
2023年7月20日
答复类别：B
"""
