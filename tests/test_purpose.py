"""`purpose` of amounts and percentages, on real sentences: each case runs the real
finders on the sentence, picks the mention by its printed text, and classifies it.

Sources (all public; traditional-script pages transcribed to simplified characters):
  SEED  raw/2023-flipbook.txt (杭州市级产业政策汇编 2023, pp. 351-400)
  HY    衡阳市 关于践行“三高四新”战略优化企业奖补投入… http://hyzy.hunancourt.gov.cn/article/detail/2021/11/id/6375317.shtml
  YT    鹰潭市农业产业化高质量发展若干政策措施(征求意见稿) https://www.chacewang.com/newsdetail/news721005.html
  CD    成都 财政金融政策措施实施细则 http://epaper.cbt.com.cn/ep_m/cbtm/html/2017/08/10/01/01_77.htm
  XM    厦门海洋产业创业投资引导基金 http://fuzhou.baogaosu.com/xinwen/%E5%8E%A6%E9%97%A8%E5%B0%86%E8%AE%BE%E7%AB%8B%E6%B5%B7%E6%B4%8B%E4%BA%A7%E4%B8%9A%E5%88%9B%E6%8A%95%E5%9F%BA%E9%87%91%E7%9C%81%E5%B8%82/41408687
  SQ    商丘市加快新兴产业重点培育行动方案 https://hnjrw.com.cn/hnjr/2023/11017.shtml
  AH    安徽省秸秆综合利用提升工程补助标准 https://m.bidcenter.com.cn/newsrili-1-281378869.html
  HLJ   2020年黑龙江省秸秆综合利用工作实施方案(图解) http://m.06fs.com/news/2020/480055.html
  ZG    物流业发展政策措施 https://www.chacewang.com/newsdetail/news607193.html
  CDQ   成都 个转企、上规入库奖励 http://sc.ruichuangshe.cn/jbzc_2024/chengdu/qyssgzlfzrgzc_27010.html
  YH    余杭区“高质量发展68条” http://kjy.hznu.edu.cn/c/2025-09-05/3104068.shtml
  HC    海沧区 2020 年实现跨越发展奖励 http://sme.dyyseo.com/hai-cang-qu-2020-nian-shi-xian-kua-yue-fa-zhan-jiang-li
  LAW   中华人民共和国企业所得税法 第二十八条 http://www.npc.gov.cn/zgrdw/npc/xinwen/2007-03/19/content_1626962.htm
"""
from __future__ import annotations

import pytest

from pipeline.extract.amounts import find_amounts
from pipeline.extract.percentages import find_percentages
from pipeline.purpose import PURPOSES, add_purpose, purpose_of, rules

# (source, text, mention as printed, expected purpose)
AMOUNTS = [
    ("SEED", "经评审给予不超过研发投入 40%,单个品种最高分别为 600 万元、1200 万元、3000 万元资金支持(含本地临床试验费用减免)。", "1200 万元", "subsidy_cap"),
    ("SEED", "每家企业每年累计支持额度不超过 500 万元。", "500 万元", "subsidy_cap"),
    ("SEED", "对本市医疗机构采购经省、市有关部门认定的首台(套)医疗器械,给予其采购金额 20%的奖励,单家医疗机构奖励每年合计最高不超过 300 万元;", "300 万元", "subsidy_cap"),
    ("YT", "单个企业最高奖励不超过30万元(投资额以会计事务所审核数据为准)", "30万元", "subsidy_cap"),
    ("HLJ", "生物质锅炉补贴:两市两县两景区列入“三重一改”燃煤锅炉改造生物质锅炉的,每蒸吨给予5万元定额补贴,单个项目锅炉最高补贴额度不超过50万元。", "50万元", "subsidy_cap"),
    ("HLJ", "生物质锅炉补贴:两市两县两景区列入“三重一改”燃煤锅炉改造生物质锅炉的,每蒸吨给予5万元定额补贴,单个项目锅炉最高补贴额度不超过50万元。", "5万元", "subsidy_per_unit"),
    ("HLJ", "暂得不到利用的离田作业环节补贴(已享受补贴的除外),每亩补贴10元。", "10元", "subsidy_per_unit"),
    ("AH", "全省各级财政对小麦、玉米、油菜按照20元/亩、水稻按照10元/亩的标准进行奖补", "20元/亩", "subsidy_per_unit"),
    ("SEED", "对首次上规的历史经典制造业企业给予一次性 10 万元的奖励,对上规后连续 3 年在规的历史经典制造业企业,再给予一次性 20 万元的奖励。", "20 万元", "subsidy_amount"),
    ("SEED", "对经评审认定为省级、国家级工业设计中心的,按相关政策规定分别给予 50 万元、100 万元的奖励;", "100 万元", "subsidy_amount"),
    ("YT", "全市按照投资额奖励前10名企业,一次性给予该企业奖励50万元", "50万元", "subsidy_amount"),
    ("SEED", "对本政策有效期内新建设的固定资产投资(不含购置土地、厂房、旧设备和作为单位流动资金的投资等)达到 2 亿元以上的重大生物医药产业项目,按照最高不超过其实际固定资产投资总额的 20%给予资金支持。", "2 亿元", "eligibility_threshold"),
    ("SEED", "鼓励区、县(市)按企业实际贡献给予属地工业产值亿元以上的生物医药企业相应奖励。", "亿元", "eligibility_threshold"),
    ("SEED", "重点面向年交易额 20 亿元以上的专业市场建设行业大数据中心,探索创新数据资源配置模式。", "20 亿元", "eligibility_threshold"),
    ("YT", "对通过电子商务销售本地农产品销售额在1000万元以上的(销售额以会计事务所审核数据为准),给予奖励。", "1000万元", "eligibility_threshold"),
    ("HY", "数字经济核心产业增加值占地区生产总值比重达到12%,纳税过1亿元的企业达30家,产值过500亿元的企业达3家", "500亿元", "eligibility_threshold"),
    ("SEED", "到 2025 年,基本形成农业绿色产业体系和生产方式,农业劳动生产率达到 7.4 万元/人,亩均产出达到 12000 元;", "12000 元", "target"),
    ("SEED", "到 2025年,农业劳动生产率、科技进步贡献率、机械化率、亩均产出率明显提高,农林牧渔业增加值达到 360 亿元以上,农业现代化发展水平全省领先。", "360 亿元", "target"),
    ("SQ", "明确提出,到2025年,新兴产业产值达到4000亿元。", "4000亿元", "target"),
    ("SEED", "每年市本级安排不少于 10 亿元乡村产业发展专项资金,重点支持农业市场化、规模化、机械化、现代化、国际化发展", "10 亿元", "investment_or_fund_scale"),
    ("SEED", "市财政每年在“新制造业计划”专项资金中安排 2000万元用于推进历史经典产业的保护、传承与发展。", "2000万元", "investment_or_fund_scale"),
    ("CD", "成都将设立目标规模1000亿元的政府产业投资引导基金——成都发展基金。", "1000亿元", "investment_or_fund_scale"),
    ("CD", "第一期基金规模300亿元,将于近期正式落地。", "300亿元", "investment_or_fund_scale"),
    ("XM", "该基金规模原则上不低于1亿元人民币,除省、市财政出资的5000万元外,还将募集社会资本不低于5000万元。", "1亿元", "investment_or_fund_scale"),
    ("ZG", "年主营业务收入首次超过2000万元、6000万元、1亿元、2亿元、5亿元的商贸、物流企业(含供应链企业),分别一次性给予10万元、20万元、40万元、60万元、100万元奖励", "1亿元", "eligibility_threshold"),
    ("ZG", "年主营业务收入首次超过2000万元、6000万元、1亿元、2亿元、5亿元的商贸、物流企业(含供应链企业),分别一次性给予10万元、20万元、40万元、60万元、100万元奖励", "40万元", "subsidy_amount"),
    ("ZG", "(六)补齐运输装备短板,按裸车价的10%、不超过3万元/辆给予补贴,单户企业每年补贴不超过50万元", "3万元/辆", "subsidy_per_unit"),
    ("ZG", "(六)补齐运输装备短板,按裸车价的10%、不超过3万元/辆给予补贴,单户企业每年补贴不超过50万元", "50万元", "subsidy_cap"),
    ("CDQ", "对由个体工商户、个人独资企业、合伙企业转型登记为有限责任公司的,给予6000元奖励。", "6000元", "subsidy_amount"),
    ("CDQ", "对首次进入规模以上工业企业名录库且年度营业收入在5000万元(含)—1亿元之间的企业给予30万元奖励,年度营业收入在1亿元(含)以上的给予40万元奖励。", "40万元", "subsidy_amount"),
    ("CDQ", "年度营业收入在1亿元(含)以上的给予40万元奖励。", "1亿元", "eligibility_threshold"),
    ("YH", "对被评为国家级制造业单项冠军企业、国家级专精特新“小巨人”企业、省级制造业隐形冠军企业、省级专精特新企业的,给予最高300万元的奖励。", "300万元", "subsidy_cap"),
    ("YH", "对首次上规模的工业企业给予每家20万元奖励,对属于战略性新兴产业的,再给予每家10万元额外奖励", "20万元", "subsidy_amount"),
    ("HC", "对企业2019年工业产值在1亿元(含)以上、5亿元(不含)以下,2020年工业产值同比增长达到40%(含)以上的予以奖励。", "1亿元", "eligibility_threshold"),
    ("HC", "(五)每家企业该项奖励最高为1000万元。", "1000万元", "subsidy_cap"),
    ("XM", "记者从财政部门获悉,省财政近日已下拨厦门2500万元,加上市财政安排的2500万元资金。", "2500万元", "other"),
]

PERCENTAGES = [
    ("SEED", "经评审给予不超过研发投入 40%,单个品种最高分别为 600 万元、1200 万元、3000 万元资金支持(含本地临床试验费用减免)。", "40%", "subsidy_rate"),
    ("SEED", "鼓励企业积极参加国家药品集中带量采购拓展市场,中标品种按中标总价的 3%予以奖励,单个品种最高奖励不超过 300 万元。", "3%", "subsidy_rate"),
    ("SEED", "给予经营正常的进驻主体场租费 50%的补助,每年最高不超过 10万元。", "50%", "subsidy_rate"),
    ("AH", "其中省财政对皖北三市九县及大别山片区补助70%,对合肥、芜湖、马鞍山、铜陵市补助30%,对其他地区补助50%", "30%", "subsidy_rate"),
    ("HLJ", "秸秆还田离田机具购置补贴:国家农机补贴基础上,省级在累加补贴三分之二,总额不超过销售价格的50%。", "50%", "subsidy_rate"),
    ("SEED", "对被认定为国家高新技术企业的历史经典制造业企业,可按照有关规定减按 15%的税率征收企业所得税。", "15%", "tax_rate"),
    ("ZG", "(六)补齐运输装备短板,按裸车价的10%、不超过3万元/辆给予补贴,单户企业每年补贴不超过50万元", "10%", "subsidy_rate"),
    ("HC", "对企业2019年工业产值在1亿元(含)以上、5亿元(不含)以下,2020年工业产值同比增长达到40%(含)以上的予以奖励。", "40%", "eligibility_threshold"),
    ("HC", "其中,60%(含)以下的增量部分按1%给予奖励,60%以上的增量部分按1.2%给予奖励。", "60%", "eligibility_threshold"),
    ("HC", "其中,60%(含)以下的增量部分按1%给予奖励,60%以上的增量部分按1.2%给予奖励。", "1.2%", "subsidy_rate"),
    ("YH", "在原补助基础上,追加补助5个百分点,最高不超过20%。", "5个百分点", "subsidy_rate"),
    ("YH", "在原补助基础上,追加补助5个百分点,最高不超过20%。", "20%", "subsidy_rate"),
    ("YH", "对首次升规纳统的企业,且升规纳统后连续两年营业收入(营业额、销售额)分别较上一年度增长超过15%的,再给予20万元奖励。", "15%", "eligibility_threshold"),
    ("LAW", "国家需要重点扶持的高新技术企业,减按15%的税率征收企业所得税。", "15%", "tax_rate"),
    ("HY", "到2025年,力争全市全社会研发经费投入占GDP比重达到2.5%左右,高新技术产业增加值占GDP比重提高到25%以上", "25%", "target"),
    ("SEED", "农业科技进步贡献率力争达到 75%,主要农作物耕种收综合机械化率力争达到 90%左右,设施种植业机械化水平总体达到 50%;", "90%", "target"),
    ("SEED", "——城市保供农业样板地。到 2025 年,基本建成安全高效的重要农产品供给保障体系。全市粮食综合生产能力稳定在 32 亿斤;土地规模经营比例达到 70%以上;", "70%", "target"),
    ("XM", "基金将重点投资海洋战略性新兴产业,投资比例在福建省境内的海洋企业不低于60%,力争达到80%,厦门市不低于40%。", "80%", "target"),
    ("XM", "基金将重点投资海洋战略性新兴产业,投资比例在福建省境内的海洋企业不低于60%,力争达到80%,厦门市不低于40%。", "60%", "other"),
]


def mention(finder, text: str, printed: str) -> dict:
    rows = [r for r in finder(text) if r["text"].startswith(printed)]
    assert rows, f"the finder did not find {printed!r} in {text!r}"
    return rows[0]


@pytest.mark.parametrize("source, text, printed, expected", AMOUNTS, ids=[f"{c[0]}-{c[2]}" for c in AMOUNTS])
def test_amount_purpose(source, text, printed, expected):
    row = {"value_yuan": None, **mention(find_amounts, text, printed)}
    assert purpose_of(row, text) == expected


@pytest.mark.parametrize("source, text, printed, expected", PERCENTAGES,
                         ids=[f"{c[0]}-{c[2]}" for c in PERCENTAGES])
def test_percentage_purpose(source, text, printed, expected):
    row = mention(find_percentages, text, printed)
    row.pop("value_yuan", None)
    assert purpose_of(row, text) == expected


def test_every_rule_example_gets_its_purpose():
    """Each rule's own example in pipeline/data/purpose.json classifies as that rule says."""
    for rule in rules():
        text = rule["example"]
        kind = rule["kinds"][0]
        finder = find_amounts if kind == "amount" else find_percentages
        got = {purpose_of({**r, **({"value_yuan": None} if kind == "amount" else {})}, text) for r in finder(text)}
        assert rule["purpose"] in got, (rule["purpose"], text, got)
        assert got <= set(PURPOSES)


def test_add_purpose_on_rows_without_section_text():
    """Rows whose section is not given fall back to their sentence."""
    text = "每家企业每年累计支持额度不超过 500 万元。"
    row = {"section_id": "x/一", "value_yuan": None, **find_amounts(text)[0], "sentence": text}
    assert add_purpose([row], [])[0]["purpose"] == "subsidy_cap"
