"""Similar proposals (并案 candidates): precision and recall of the top 5 on near-duplicate pairs,
and the look-up time at 100,000 proposals, on SQLite and on PostgreSQL.

    .venv/bin/python bench/similar.py                   # build both databases, then measure
    .venv/bin/python bench/similar.py --reuse           # measure the databases a previous run left
    .venv/bin/python bench/similar.py --only sqlite --volume 20000

SQLite: a file in the temporary directory (BANLI_BENCH_SIMILAR_SQLITE, default
/tmp/banli_bench_similar.sqlite3). PostgreSQL: the database `banli_bench_similar` on the server of
DATABASE_URL (never the test databases); skipped when DATABASE_URL is not set.

The proposals are synthetic but varied: a subject is one of ~125 things (老旧小区, 充电桩, 托育服务,
…) × one of 25 aspects (建设, 监管, 资金保障, …), said with one of 12 verbs, in one of 30 places or
none, with a body of sentences about the subject and sentences drawn from a large pool. Every
(thing, aspect) subject has some 30 proposals: most look-ups have true company.

Near-duplicate pairs, built from proposals in the database and looked up as a new registration:
- reworded: another verb, "进一步"/"工作" added or dropped, the body's sentences reordered and one replaced;
- other district: the same proposal for another place (title and body);
- traditional: the same proposal in traditional characters (a letter copied from elsewhere).
Recall@5: the original is among the five shown. Precision@5: of the proposals shown (at most
five, score ≥ the display threshold), the share on the same subject (thing and aspect); "same
thing": the share about the same thing (老旧小区 改造 / 老旧小区 建设), related if not duplicates. Unrelated look-ups (subjects
the database does not have) report how often anything is shown at all.

Time: one look-up (`proposals.similar.similar`, the registration page's query) per pair, CPU and
wall, p50/p95; against a baseline measured in the same run: comparing the query with every title
in Python (the full scan an index avoids), on a few look-ups.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
BENCH_DB = "banli_bench_similar"
SEED = 18

THINGS = (
    "老旧小区 背街小巷 农贸市场 公交线网 城乡客运 停车场 充电桩 幼儿园 中小学 养老机构 社区食堂 公共厕所 污水管网 "
    "河道 湖泊 农村公路 高标准农田 饮水工程 乡村旅游 非遗项目 图书馆 体育场馆 医联体 基层卫生院 中医药 职业教育 "
    "技能培训 小微企业 专精特新企业 民营经济 营商环境 政务服务 数字政府 网格化管理 物业管理 垃圾分类 餐厨垃圾 "
    "建筑垃圾 噪音污染 扬尘治理 绿道 口袋公园 城市内涝 地下管廊 燃气管道 电梯加装 无障碍设施 残疾人就业 退役军人 "
    "高校毕业生 农民工工资 家政服务 托育服务 校外培训 课后服务 近视防控 心理健康 食品安全 药品监管 消防安全 "
    "电动自行车 交通信号 学校周边交通 网约车 出租车 旅游厕所 古城保护 历史街区 文物保护 红色资源 茶产业 富硒产业 "
    "中药材 生猪养殖 渔业 林业碳汇 光伏发电 储能产业 新能源汽车 跨境电商 物流园区 冷链物流 农村电商 快递进村 "
    "住房公积金 保障性住房 人才公寓 社区医院 家庭医生 慢病管理 医保支付 长期护理保险 志愿服务 慈善组织 社会组织 "
    "村级集体经济 宅基地 耕地保护 防汛抗旱 地质灾害 应急避难场所 森林防火 秸秆利用 农药减量 畜禽粪污 水土保持 "
    "湿地保护 候鸟保护 城市照明 智慧路灯 5G基站 公共WiFi 数据共享 信用体系 知识产权 科技成果转化 孵化器 产业园区 "
    "招商引资 总部经济 夜间经济 老字号 步行街"
).split()
ASPECTS = (
    "建设 管理 改造 提升 规划 保护 发展 监管 服务 运营 资金保障 标准化 数字化 配套设施 长效机制 人才队伍 政策支持 "
    "试点 布局 安全 质量 覆盖 整治 治理 宣传"
).split()
VERBS = "加快 推进 加强 完善 优化 规范 支持 提升 健全 促进 做好 强化".split()
PLACES = (
    "城区 黄石港区 西塞山区 下陆区 铁山区 大冶市 阳新县 开发区 农村 老城区 新城区 社区 乡镇 山区 库区 沿江地区 湖区 "
    "工业园区 高新区 临空经济区 花湖片区 团城山 磁湖片区 东方山 汪仁镇 章山 金山店 还地桥 陈贵 保安"
).split()
# Subjects no generated proposal has: look-ups that should find nothing.
NOVEL = "海绵城市 低空经济 银发经济 算力中心 氢能产业 预制菜 研学旅行 数字乡村 社区嵌入式服务 城市更新单元".split()
WHO = "市直部门 各县市区 相关单位 主管部门 街道社区 行业协会 市场主体 金融机构 高校院所 基层组织".split()
DOES = "统筹协调 加大投入 明确责任 强化考核 加强督导 简化流程 建立台账 定期通报 引入社会资本 开展评估".split()
FOR = "解决群众急难愁盼 提高资金使用效益 补齐短板弱项 形成工作合力 确保取得实效 方便群众办事 降低运行成本 提升满意度".split()
S2T = {}


OPENINGS = [
    "近年来，{w}{t}{a}工作取得一定成效，但仍存在投入不足、标准不一等问题。",
    "{w}的{t}{a}目前底数不清，群众意见较多。",
    "随着城市发展，{t}{a}的需求日益增长，{w}的短板逐渐显现。",
    "调研发现，{w}{t}在{a}方面与先进地区差距明显。",
]
ASKS = [
    "建议把{t}{a}纳入年度重点工作，制定专项方案。",
    "希望政府出台{t}{a}的具体措施，明确时间表。",
    "为此建议：一是摸清{t}现状，二是完善{a}制度。",
    "请有关部门研究{t}{a}问题，尽快拿出办法。",
]


def topic_sentences(rng, thing, aspect, place):
    where = place or "我市"
    return [
        rng.choice(OPENINGS).format(w=where, t=thing, a=aspect),
        rng.choice(ASKS).format(t=thing, a=aspect),
        f"{where}{thing}的{aspect}需要{rng.choice(WHO)}{rng.choice(DOES)}。",
    ]


def filler(rng):
    return f"{rng.choice(WHO)}要{rng.choice(DOES)}，{rng.choice(DOES)}，{rng.choice(FOR)}。"


def proposal_text(rng, thing, aspect, verb, place, kind):
    title = f"关于{verb}{place}{thing}{aspect}的{kind}"
    sentences = topic_sentences(rng, thing, aspect, place) + [filler(rng) for _ in range(rng.randint(2, 5))]
    rng.shuffle(sentences)
    return title, "".join(sentences)


def traditional(text):
    import opencc

    converter = S2T.setdefault("c", opencc.OpenCC("s2t"))
    return converter.convert(text)


def variants(rng, meta, title, body, kind):
    thing, aspect, verb, place = meta
    out = []
    # Reworded: another verb, 进一步 / 工作, sentences reordered and one replaced.
    other_verb = rng.choice([v for v in VERBS if v != verb])
    extra = rng.choice(["进一步", "", ""])
    work = rng.choice(["工作", "的若干", ""])
    new_title = f"关于{extra}{other_verb}{place}{thing}{aspect}{work}的{kind}".replace("的若干的", "的若干")
    sentences = [s + "。" for s in body.split("。") if s]
    rng.shuffle(sentences)
    if len(sentences) > 2:
        sentences[0] = filler(rng)
    out.append(("reworded", new_title, "".join(sentences)))
    # The same proposal for another district.
    other_place = rng.choice([p for p in PLACES if p != place])
    out.append(
        (
            "other district",
            title.replace(place, other_place) if place else title.replace(verb, verb + other_place, 1),
            body.replace(place or "我市", other_place),
        )
    )
    out.append(("traditional", traditional(title), traditional(body)))
    return out


# --- the parent: build each database in a child process ----------------------------------------


def _env_for(backend):
    env = dict(os.environ)
    if backend == "sqlite":
        env.pop("DATABASE_URL", None)
        env["BANLI_SQLITE_PATH"] = os.environ.get(
            "BANLI_BENCH_SIMILAR_SQLITE", str(Path(tempfile.gettempdir()) / "banli_bench_similar.sqlite3")
        )
    else:
        parts = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + BENCH_DB))
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="reuse databases that already hold the volume data")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--volume", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=200, help="near-duplicate look-ups per kind")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    backends = [args.only] if args.only else ["sqlite", "postgresql"]
    if "postgresql" in backends and not os.environ.get("DATABASE_URL"):
        print(f"postgresql: skipped (set DATABASE_URL to a server; the database {BENCH_DB} is used)")
        backends.remove("postgresql")
    for backend in backends:
        env = _env_for(backend)
        if backend == "postgresql":
            subprocess.run([PY, "scripts/ensure_database.py"], cwd=ROOT, env=env, check=True, capture_output=True)
        elif not args.reuse:
            Path(env["BANLI_SQLITE_PATH"]).unlink(missing_ok=True)
        cmd = [PY, __file__, "--child", "--volume", str(args.volume), "--pairs", str(args.pairs)]
        subprocess.run(cmd + (["--reuse"] if args.reuse else []), cwd=ROOT, env=env, check=True)
        print()


# --- the child: one database -------------------------------------------------------------------


def child(args):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from proposals.models import Proposal

    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    metas = generate(rng, args.volume)
    if not (args.reuse and Proposal.objects.count() == args.volume):
        started = time.perf_counter()
        build(metas)
        print(
            f"{connection.vendor}: built and indexed {args.volume} proposals in {time.perf_counter() - started:.0f} s"
        )
    if connection.vendor == "postgresql":
        # The steady state autovacuum keeps: planner statistics, and a visibility map so the
        # postings are read from the index alone (right after a bulk load every row is a heap visit).
        with connection.cursor() as cursor:
            for table in ("proposals_similaritygram", "proposals_gramfrequency", "proposals_proposal"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    evaluate(rng, metas, args.pairs, connection)


def generate(rng, volume):
    """(thing, aspect, verb, place, body, year) of every proposal, the same in every run."""
    metas = []
    for _ in range(volume):
        thing, aspect, verb = rng.choice(THINGS), rng.choice(ASPECTS), rng.choice(VERBS)
        place = rng.choice(PLACES) if rng.random() < 0.5 else ""
        body = "cppcc" if rng.random() < 0.55 else "npc"
        metas.append((thing, aspect, verb, place, body, rng.randint(2019, 2026)))
    return metas


def build(metas):
    import datetime

    from django.db import transaction

    from proposals import similar
    from proposals.models import Body, Member, Proposal, ProposalKind, Session

    Proposal.objects.all().delete()
    sessions, members = {}, {}
    for body in (Body.CPPCC, Body.NPC):
        for year in range(2019, 2027):
            sessions[body, year], _ = Session.objects.get_or_create(
                name=f"相似件测试{body}{year}",
                defaults={
                    "body": body,
                    "year": year,
                    "opens_on": datetime.date(year, 1, 6),
                    "closes_on": datetime.date(year, 1, 10),
                },
            )
        members[body], _ = Member.objects.get_or_create(name="相似件测试委员", body=body)
    rng = random.Random(SEED + 1)
    serials = {}
    batch = 2000
    for start in range(0, len(metas), batch):
        rows = []
        for thing, aspect, verb, place, body, year in metas[start : start + batch]:
            kind = ProposalKind.for_body(body)
            title, text = proposal_text(rng, thing, aspect, verb, place, kind.label)
            session = sessions[body, year]
            serials[session.pk] = serials.get(session.pk, 0) + 1
            rows.append(
                Proposal(
                    kind=kind,
                    session=session,
                    serial=serials[session.pk],
                    number=f"第{serials[session.pk]}号",
                    title=title,
                    body=text,
                    lead=members[body],
                    submitted_on=session.opens_on,
                )
            )
        with transaction.atomic():
            Proposal.objects.bulk_create(rows)
            similar.index(rows)


def pctl(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def evaluate(rng, metas, pairs, connection):
    from proposals import similar
    from proposals.models import Proposal
    from proposals.text import fold

    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    meta_of = dict(zip(ids, metas, strict=True))
    picked = rng.sample(ids, pairs)
    print(
        f"{connection.vendor}: {len(ids)} proposals, {len(THINGS) * len(ASPECTS)} subjects; "
        f"{pairs} pairs per kind; load average {os.getloadavg()[0]:.1f}"
    )
    results = {}
    cpu, wall = [], []
    for pk in picked:
        p = Proposal.objects.select_related("session").get(pk=pk)
        thing, aspect, verb, place, body, _year = meta_of[pk]
        scope = Proposal.objects.filter(session__body=body)
        for kind, title, text in variants(rng, (thing, aspect, verb, place), p.title, p.body, p.get_kind_display()):
            c0, w0 = time.process_time(), time.perf_counter()
            found = similar.similar(title=title, body=text, scope=scope, limit=5)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            shown = [q.pk for q, _s in found]
            same_subject = sum(1 for q in shown if meta_of[q][:2] == (thing, aspect))
            same_thing = sum(1 for q in shown if meta_of[q][0] == thing)
            r = results.setdefault(kind, {"found": 0, "shown": 0, "relevant": 0, "related": 0, "first": 0})
            r["related"] += same_thing
            r["found"] += pk in shown
            r["first"] += bool(shown) and shown[0] == pk
            r["shown"] += len(shown)
            r["relevant"] += same_subject
    print(f"{'pairs':<16} {'recall@5':>9} {'top hit':>8} {'precision@5':>12} {'same thing':>11} {'shown/look-up':>14}")
    total = {"found": 0, "shown": 0, "relevant": 0, "related": 0, "first": 0}
    for kind, r in results.items():
        for key in total:
            total[key] += r[key]
        print(
            f"{kind:<16} {r['found'] / pairs:>9.1%} {r['first'] / pairs:>8.1%} "
            f"{r['relevant'] / max(r['shown'], 1):>12.1%} {r['related'] / max(r['shown'], 1):>11.1%} "
            f"{r['shown'] / pairs:>14.1f}"
        )
    n = pairs * len(results)
    print(
        f"{'all':<16} {total['found'] / n:>9.1%} {total['first'] / n:>8.1%} "
        f"{total['relevant'] / max(total['shown'], 1):>12.1%} {total['related'] / max(total['shown'], 1):>11.1%} "
        f"{total['shown'] / n:>14.1f}"
    )
    alarms = 0
    for thing in NOVEL:
        for _ in range(max(1, pairs // len(NOVEL))):
            title, text = proposal_text(
                rng, thing, rng.choice(ASPECTS), rng.choice(VERBS), rng.choice(PLACES), rng.choice(["提案", "建议"])
            )
            alarms += bool(similar.similar(title=title, body=text, limit=5))
    unrelated = len(NOVEL) * max(1, pairs // len(NOVEL))
    print(f"unrelated look-ups with anything shown: {alarms}/{unrelated}")
    print(f"look-up (ms), {n} look-ups: CPU p50 {statistics.median(cpu):.1f} p95 {pctl(cpu, 0.95):.1f}; ", end="")
    print(f"wall p50 {statistics.median(wall):.1f} p95 {pctl(wall, 0.95):.1f}")
    # Baseline: every title compared with the query in Python (what the index saves), a few look-ups.
    base = []
    for pk in picked[:5]:
        p = Proposal.objects.get(pk=pk)
        w0 = time.perf_counter()
        query = similar.bigrams(similar.title_core(p.title))
        best = sorted(
            (
                (similar._dice(query, similar.bigrams(similar.title_core(fold(t)))), q)
                for q, t in Proposal.objects.values_list("pk", "title").iterator(chunk_size=5000)
            ),
            reverse=True,
        )[:5]
        assert best
        base.append((time.perf_counter() - w0) * 1000)
    print(
        f"baseline, full scan of titles: wall median {statistics.median(base):.0f} ms "
        f"= {statistics.median(base) / statistics.median(wall):.0f}x the indexed look-up"
    )


if __name__ == "__main__":
    main()
