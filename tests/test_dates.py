"""Tables of examples for pipeline.extract.dates, one parametrized test per function."""
from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.extract.dates import find_dates


def case(text, expected, id):
    return pytest.param(text, expected, id=id)


def known_failure(text, expected, id, reason):
    return pytest.param(text, expected, id=id, marks=pytest.mark.xfail(strict=True, reason=reason))


# (text, [(surface, value, precision, role), ...])
FIND_DATES = [
    # the seed's forms
    case("2021 年 8 月 23 日", [("2021 年 8 月 23 日", "2021-08-23", "day", "issue")], id="spaced-day-alone"),
    case("杭州市人民政府办公厅 2021年7月23日印发",
         [("2021年7月23日", "2021-07-23", "day", "printed")], id="printed"),
    case("杭州市人民政府办公厅\n2021 年 10 月 15 日",
         [("2021 年 10 月 15 日", "2021-10-15", "day", "issue")], id="signature-line"),
    case("杭州市人民政府办公厅 2021 年 10 月 15 日",
         [("2021 年 10 月 15 日", "2021-10-15", "day", "issue")], id="signature-same-line"),
    case("杭州市人民政府办公厅\n2021 年 7 月 23\n(此件公开发布)",
         [("2021 年 7 月 23", "2021-07-23", "day", "issue")], id="signature-without-ri"),
    case("2021 年 7 月 23 (此件公开发布)",
         [("2021 年 7 月 23", "2021-07-23", "day", "issue")], id="signature-with-note"),
    case("二〇二一年十月十五日", [("二〇二一年十月十五日", "2021-10-15", "day", "issue")], id="chinese-numerals"),
    case("本意见自 2020 年 10 月 9 日起施行,有效期为 3 年,由",
         [("2020 年 10 月 9 日", "2020-10-09", "day", "effective")], id="effective-duration-not-a-date"),
    case("本办法自2020年10月9日(含)起施行", [("2020年10月9日", "2020-10-09", "day", "effective")],
         id="effective-inclusive"),
    case("本意见自 2021 年 8 月 23 日起施行,有效期至 2025 年 12月 31 日,由市领导小组办公室负责",
         [("2021 年 8 月 23 日", "2021-08-23", "day", "effective"),
          ("2025 年 12月 31 日", "2025-12-31", "day", "expiry")], id="effective-and-expiry"),
    case("2021 年 5月 1 日至本意见施行前符合扶持条件的,可参照本意见执行。",
         [("2021 年 5月 1 日", "2021-05-01", "day", "retroactive_start")], id="retroactive-day"),
    case("2020 年度符合本意见扶持条件的,可参照执行。",
         [("2020 年度", "2020", "year", "retroactive_start")], id="retroactive-year"),
    case("“三个地”。到 2025年,农业劳动生产率", [("2025年", "2025", "year", "target")], id="target"),
    case("在此基础上,到 2030 年,力争全市生物医药与健康产业规模达到万亿级",
         [("2030 年", "2030", "year", "target")], id="target-after-duration"),
    case("力争到 2030 年", [("2030 年", "2030", "year", "target")], id="target-lizheng"),
    case("作用明显增强。到\n2025 年,力争建设成为", [("2025 年", "2025", "year", "target")],
         id="target-cue-before-a-stray-break"),
    case("(此件公开发布)\n2025 年", [("2025 年", "2025", "year", "other")], id="year-alone-is-no-issue"),
    case("《杭州争当浙江高质量发展建设共同富裕示范区城市范例的行动计划(2021—2025 年)》",
         [("2021—2025 年", "2021/2025", "year_range", "other")], id="plan-period-em-dash"),
    case("(2021-2025年)", [("2021-2025年", "2021/2025", "year_range", "other")], id="plan-period-hyphen"),
    case("截至 2020 年底,全市", [("2020 年", "2020", "year", "other")], id="as-of-is-not-target"),
    case("2020年10月", [("2020年10月", "2020-10", "month", "issue")], id="month-alone"),
    case("自 2021 年 1 月 1 日起至 2023 年 12 月 31 日止",
         [("2021 年 1 月 1 日起至 2023 年 12 月 31 日", "2021-01-01/2023-12-31", "range", "other")],
         id="validity-range"),
    case("2021 年 1—9 月,全市", [("2021 年 1—9 月", "2021-01/2021-09", "range", "other")], id="month-range"),
    case("2021年1月1日—12月31日", [("2021年1月1日—12月31日", "2021-01-01/2021-12-31", "range", "other")],
         id="range-end-inherits-year"),
    case("从2016年到2018年", [("2016年到2018年", "2016/2018", "year_range", "other")], id="cong-dao"),
    case("二零一三年六月十二號至二零一三年七月三號",
         [("二零一三年六月十二號至二零一三年七月三號", "2013-06-12/2013-07-03", "range", "other")],
         id="chinese-range-hao"),
    case("从2015年起", [("2015年", "2015", "year", "other")], id="since"),
    case("截止到2018年", [("2018年", "2018", "year", "other")], id="until-is-not-target"),
    case("2021年7月23家企业", [("2021年7月", "2021-07", "month", "other")], id="number-after-month-is-no-day"),
    case("统一2021年度", [("2021年度", "2021", "year", "other")], id="yi-before-arabic-year"),
    # peer formats
    case("2010-01-29", [("2010-01-29", "2010-01-29", "day", "issue")], id="iso"),
    case("2010.01.29", [("2010.01.29", "2010-01-29", "day", "issue")], id="dotted"),
    case("2010/01/29", [("2010/01/29", "2010-01-29", "day", "issue")], id="slashed"),
    case("你13.5.2015有时间吗", [("13.5.2015", "2015-05-13", "day", "other")], id="dmy-unambiguous"),
    case("10/31/1974", [("10/31/1974", "1974-10-31", "day", "issue")], id="mdy-unambiguous"),
    case("3/4/2015", [], id="dmy-ambiguous"),
    case("2021-09-0910:09", [("2021-09-09", "2021-09-09", "day", "other")], id="glued-time"),
    # full-width input keeps its offsets
    case("２０２１年８月２３日", [("２０２１年８月２３日", "2021-08-23", "day", "issue")], id="full-width-digits"),
    case("本意见自２０２１年８月２３日起施行", [("２０２１年８月２３日", "2021-08-23", "day", "effective")],
         id="full-width-effective"),
    # not dates
    case("杭政办函〔2021〕39 号", [], id="doc-number"),
    case("前发文件(杭政办函〔2018〕66 号)同时废止", [], id="doc-number-in-brackets"),
    case("ZJAC01-2021-0012", [], id="norm-code"),
    case("《数据管理能力成熟度评估模型》(GB/T 36073-2018,以下简称 DCMM)", [], id="standard"),
    case("有效期为 3 年", [], id="duration"),
    case("通过 3 年努力,实现全市生物医药制造业年度工业总产值翻番", [], id="duration-and-niandu"),
    case("年均提标改造市级粮食生产功能区 1.4 万亩", [], id="nianjun"),
    case("实现产值 2023.5 亿元", [], id="amount-like-year"),
    case("年交易额 20 亿元以上", [], id="bare-numbers"),
    case("0571-20210315", [], id="phone-number"),
    case("2019-02-29", [], id="invalid-leap-day"),
    case("2019年2月29日", [], id="invalid-leap-day-cjk"),
    case("2021年13月", [], id="invalid-month"),
    case("1899年", [], id="year-too-early"),
    case("一日之计在于晨", [], id="idiom"),
    case("身份证号140302197706220124。", [], id="id-card"),
    # issue 12: deadlines. Source: 成都市城市社区嵌入式服务设施建设工程实施方案 (https://lr5.cn/2024/08/07/47893.html);
    # 鹹阳市2022年深化“放管服”改革优化营商环境工作要点 (https://newton.com.tw/wiki/…/61994341).
    case("到2025年底前,全市首批100个嵌入式服务设施建设示范社区全面建成",
         [("2025年", "2025", "year", "target")], id="chengdu-daodi-qian"),
    case("2022年10月底前编制并公布市、县两级行政许可事项清单",
         [("2022年10月", "2022-10", "month", "target")], id="xianyang-month-end-deadline"),
    case("2027 年前全面完成", [("2027 年", "2027", "year", "target")], id="issue12-nian-qian"),
    case("2020 年底前建成", [("2020 年", "2020", "year", "target")], id="issue12-niandi-qian"),
    case("2020年前期已投入使用", [("2020年", "2020", "year", "other")], id="qianqi-is-no-deadline"),
    # 二○二一 with ○ (U+25CB) as zero, as Word users type it (菏政办发〔2009〕72号 is signed 二○○九年十月二十九日:
    # http://law270.infoeach.com/view-MjcwfDEwMDcyMA==.html)
    case("二〇二一年十月二十九日", [("二〇二一年十月二十九日", "2021-10-29", "day", "issue")], id="ling-circle-zero"),
    # ○ U+25CB for 〇, as Word users type it (text.fold maps it next to a numeral)
    case("二○○九年十月二十九日", [("二○○九年十月二十九日", "2009-10-29", "day", "issue")],
         id="issue12-white-circle-zero"),
    # named periods (data/date_periods.json): halves, quarters, Five-Year Plans
    case("2021年上半年", [("2021年上半年", "2021-01/2021-06", "range", "other")], id="half-year"),
    case("2021年下半年起施行", [("2021年下半年", "2021-07/2021-12", "range", "effective")], id="second-half-effective"),
    case("2021年第一季度", [("2021年第一季度", "2021-01/2021-03", "range", "other")], id="quarter"),
    case("2023 年第 4 季度", [("2023 年第 4 季度", "2023-10/2023-12", "range", "other")], id="quarter-arabic-spaced"),
    case("2022年前三季度", [("2022年前三季度", "2022-01/2022-09", "range", "other")], id="first-three-quarters"),
    case("“十四五”期间", [("十四五", "2021/2025", "year_range", "other")], id="five-year-plan"),
    # 农业农村部等7部门《国家黑土地保护工程实施方案(2021—2025年)》, the ministry's release (2021-07)
    case("《实施方案》明确黑土地保护原则、目标和内容,提出“十四五”期间将完成1亿亩黑土地保护任务",
         [("十四五", "2021/2025", "year_range", "other")], id="heitudi-shisiwu-qijian"),
    # 浙江省文化和旅游发展“十四五”规划 coverage: 到“十四五”末 is a target
    case("到“十四五”末,“三团三社”数量从如今的3万余支增加到4万支",
         [("十四五", "2021/2025", "year_range", "target")], id="zhejiang-dao-shisiwu-mo"),
    case("落实《成都市“十四五”科技创新规划》等工作部署", [("十四五", "2021/2025", "year_range", "other")],
         id="chengdu-plan-title"),
    case("十三五时期", [("十三五", "2016/2020", "year_range", "other")], id="shisanwu-unquoted"),
    case("每月十五日前报送", [], id="fifteenth-is-no-plan"),
    case("二十一五", [], id="plan-inside-a-numeral"),
    case("一季度", [], id="quarter-without-year"),
]


@pytest.mark.parametrize("text, expected", FIND_DATES)
def test_find_dates(text, expected):
    found = find_dates(text)
    assert [(r["text"], r["value"], r["precision"], r["role"]) for r in found] == expected
    for r in found:
        assert text[r["char_start"]:r["char_end"]] == r["text"]


# (text, date_start, date_end)
BOUNDS = [
    case("2025 年", (date(2025, 1, 1), date(2025, 12, 31)), id="year"),
    case("2021 年 5 月", (date(2021, 5, 1), date(2021, 5, 31)), id="month"),
    case("2020年2月", (date(2020, 2, 1), date(2020, 2, 29)), id="leap-february"),
    case("2021 年 8 月 23 日", (date(2021, 8, 23), date(2021, 8, 23)), id="day"),
    case("2021—2025 年", (date(2021, 1, 1), date(2025, 12, 31)), id="year-range"),
    case("2017年8月至11月", (date(2017, 8, 1), date(2017, 11, 30)), id="month-range"),
    case("2008.03-2009", (date(2008, 3, 1), date(2009, 12, 31)), id="mixed-range"),
]


@pytest.mark.parametrize("text, expected", BOUNDS)
def test_date_bounds(text, expected):
    (found,) = find_dates(text)
    assert (found["date_start"], found["date_end"]) == expected


@settings(deadline=500)
@given(st.text(max_size=200))
def test_find_dates_never_fails(text):
    found = find_dates(text)
    ends = [0]
    for r in found:
        assert r["char_start"] >= ends[-1]  # in order, no overlaps
        assert text[r["char_start"]:r["char_end"]] == r["text"]
        assert "\n" not in r["text"]
        assert r["date_start"] <= r["date_end"]
        ends.append(r["char_end"])


@settings(deadline=500)
@given(st.lists(st.sampled_from(["2021", "年", "月", "日", "十", "二〇二一", " ", "-", "至", "到", "\n",
                                 "1", "12", "31", "号", "自", "起施行", "有效期至", ".", "/"]), max_size=40))
def test_find_dates_never_fails_on_date_pieces(pieces):
    text = "".join(pieces)
    for r in find_dates(text):
        assert text[r["char_start"]:r["char_end"]] == r["text"]
        assert r["date_start"] <= r["date_end"]
