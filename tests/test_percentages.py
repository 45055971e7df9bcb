"""Tables of examples for pipeline.extract.percentages, one parametrized test per function.

Each case is an input and the rows expected from it, in order; a row lists only the
fields it checks. Sentences marked "seed" are from raw/2023-flipbook.txt.
"""
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.extract.percentages import base_before, find_percentages


def case(text, *rows, id):
    return pytest.param(text, list(rows), id=id)


def known_failure(text, *rows, id, reason):
    return pytest.param(text, list(rows), id=id, marks=pytest.mark.xfail(strict=True, reason=reason))


def row(text, value=None, **fields):
    return {"text": text, "value": value, **fields}


PERCENTAGES = [
    # % and bounds
    case("百分之一百二十点五", row("百分之一百二十点五", "1.205"), id="point-after-shi"),
    case("土地规模经营比例达到 70%以上", row("70%", "0.7", bound="min", base=None), id="seed-yishang"),
    case("农业科技进步贡献率力争达到 75%", row("75%", "0.75", bound="exact"), id="seed-lizheng-is-no-bound"),
    case("主要农作物耕种收综合机械化率力争达到 90%左右", row("90%", "0.9", bound="approx"), id="seed-zuoyou"),
    case("力争功能区农田复种指数达 150%以上", row("150%", "1.5", bound="min"), id="seed-over-100"),
    case("确保全市重大动植物疫情防控处置率达 100%", row("100%", "1", bound="exact"), id="seed-hundred"),
    case("可按照有关规定减按 15%的税率征收", row("15%", "0.15", bound="exact", base=None), id="seed-tax-rate-no-base"),
    case("增长约 8%", row("8%", "0.08", bound="approx"), id="yue"),
    case("不低于 30%", row("30%", "0.3", bound="min"), id="budiyu"),
    case("比例在 5%以内", row("5%", "0.05", bound="max"), id="yinei"),
    case("股价上涨了8%", row("8%", "0.08"), id="plain"),
    case("-22.2%", row("-22.2%", "-0.222"), id="minus"),
    case("负3.9%", row("负3.9%", "-0.039"), id="fu"),
    case("２２％", row("２２％", "0.22"), id="fullwidth"),
    case("５．５％", row("５．５％", "0.055"), id="fullwidth-point"),
    # bases
    case("经评审给予不超过研发投入 40%,单个品种最高分别为 600 万元", row("40%", "0.4", bound="max", base="研发投入"),
         id="seed-base-buchaoguo"),
    case("给予参展主体标准展位费 50%的补助", row("50%", "0.5", base="标准展位费"), id="seed-base-recipient"),
    case("每年给予展销窗口场地租金 50%的补助", row("50%", "0.5", base="场地租金"), id="seed-base-window"),
    case("给予经营正常的进驻主体场租费 50%的补助", row("50%", "0.5", base="场租费"), id="seed-base-modifier"),
    case("给予其采购金额 20%的奖励", row("20%", "0.2", bound="exact", base="采购金额"), id="seed-base-qi"),
    case("给予其最高不超过实际使用产品金额 3%的奖励", row("3%", "0.03", bound="max", base="实际使用产品金额"),
         id="seed-base-after-bound"),
    case("按照最高不超过其实际固定资产投资总额的 20%给予资金支持",
         row("20%", "0.2", bound="max", base="实际固定资产投资总额"), id="seed-base-de"),
    case("中标品种按中标总价的 3%予以奖励", row("3%", "0.03", bound="exact", base="中标总价"), id="seed-base-an"),
    case("按照不超过其核定研发设备、软件投入等新增投入的30%予以最高 1800 万元的资助",
         row("30%", "0.3", bound="max", base="核定研发设备、软件投入等新增投入"), id="seed-base-enumeration"),
    case("给予其不超过技术合同金额 10%的创新券补贴", row("10%", "0.1", bound="max", base="技术合同金额"), id="seed-base-contract"),
    case("其中 30%用于奖励", row("30%", "0.3", base=None), id="qizhong-is-no-base"),
    # ranges and lists
    case("补助比例 30%—50%", row("30%—50%", None, low="0.3", high="0.5", bound="range"), id="range-both-signs"),
    case("补助比例 30-50%", row("30-50%", None, low="0.3", high="0.5", bound="range"), id="range-one-sign"),
    case("百分之三十至百分之五十", row("百分之三十至百分之五十", None, low="0.3", high="0.5"), id="range-words"),
    case("分别按 10%、20%给予", row("10%", "0.1"), row("20%", "0.2"), id="list"),
    case("最高 10%、最高 20%", row("10%", "0.1", bound="max"), row("20%", "0.2", bound="max"), id="list-bounds"),
    case("百分之6酒精含量的啤酒和32.5%的白酒", row("百分之6", "0.06"), row("32.5%", "0.325"), id="two-forms"),
    # words
    case("百分之五十", row("百分之五十", "0.5", kind="percent"), id="baifenzhi"),
    case("百分之百", row("百分之百", "1", kind="percent"), id="baifenzhibai"),
    case("百 分 之 2.4", row("百 分 之 2.4", "0.024"), id="spaced-words"),
    case("百分之１，１２３", row("百分之１，１２３", "11.23"), id="fullwidth-thousands"),
    case("股票收盘价的百分之七十百分位", row("百分之七十", "0.7"), id="greedy-numeral-trimmed"),
    case("千分之2.4", row("千分之2.4", "0.0024", kind="per_n"), id="per-mille"),
    case("万分之三", row("万分之三", "0.0003", kind="per_n"), id="per-ten-thousand"),
    case("百万分之五", row("百万分之五", "0.000005", kind="per_n"), id="per-million"),
    case("比上年提高 5 个百分点以上", row("5 个百分点", "0.05", kind="percentage_point", bound="min"), id="points"),
    case("２．４   个百分 点", row("２．４   个百分 点", "0.024", kind="percentage_point"), id="points-spaced"),
    # matching ratios a:b before 比例 / 配套: the share matched, b/a
    case("其中政府出资部分由市本级 1:1 比例配套", row("1:1", "1", kind="ratio", bound="exact"), id="seed-ratio"),
    case("按照1∶0.5的比例给予配套", row("1∶0.5", "0.5", kind="ratio"), id="ratio-sign-and-de"),
    case("按2:1比例", row("2:1", "0.5", kind="ratio"), id="ratio-two-to-one"),
    case("上午10:30召开", id="clock-time-is-no-ratio"),
    case("以3:2获胜", id="score-is-no-ratio"),
    case("九成以上", row("九成", "0.9", kind="cheng", bound="min"), id="cheng"),
    case("三成半", row("三成半", "0.35", kind="cheng"), id="cheng-half"),
    case("七成 六", row("七成 六", "0.76", kind="cheng"), id="cheng-extra-digit"),
    case("打八五折", row("八五折", "0.85", kind="discount_zhe"), id="zhe-two-digits"),
    case("9.9折", row("9.9折", "0.99", kind="discount_zhe"), id="zhe-decimal"),
    case("九折", row("九折", "0.9", kind="discount_zhe"), id="zhe-one-digit"),
    case("打对折", row("对折", "0.5", kind="discount_zhe"), id="duizhe"),
    # not percentages
    case("形成一成不变的模式", id="yicheng-bubian"),
    case("建成 5 个,形成 3 成果", id="cheng-word"),
    case("计提折旧 5 年", id="zheijiu"),
    case("硬币为正面的概率是1/2", id="fraction-slash"),
    case("二十分之一", id="fraction-words"),
    case("https://www.test.com/search?q=30%25%2020%", id="url"),
    case("2021—2025 年", id="years"),
    case("70\n%", id="line-break"),
    # issue 12 forms. Sources: 开封市制造业高质量发展实施方案
    # (http://www.kaifeng.gov.cn/kfsrmzfwz/szfbgswj202303312215/pc/content/content_1765918279767756800.html);
    # 成都市城市社区嵌入式服务设施建设工程实施方案 (https://lr5.cn/2024/08/07/47893.html); others quote issue 12.
    case("全市制造业增加值占地区生产总值比重35%左右", row("35%", "0.35", bound="approx"), id="kaifeng-zuoyou"),
    case("单位工业增加值能耗年均下降5%", row("5%", "0.05", bound="exact"), id="kaifeng-plain"),
    case("确保…50%的城市社区建成完备的社区嵌入式服务综合体", row("50%", "0.5"), id="chengdu-plain"),
    case("增速超70%", row("70%", "0.7", bound="min"), id="issue12-chao"),
    case("研发投入占比≥3%", row("3%", "0.03", bound="min"), id="issue12-ge-sign"),
    case("不良率≤5%", row("5%", "0.05", bound="max"), id="issue12-le-sign"),
    case("不足10%的部分", row("10%", "0.1", bound="max"), id="issue12-buzu"),
    case("事故率控制在1‰以内", row("1‰", "0.001", bound="max", kind="per_n"), id="issue12-per-mille"),
    case("2.5‱", row("2.5‱", "0.00025", kind="per_n"), id="per-ten-thousand"),
    case("负千分之15", row("负千分之15", "-0.015", kind="per_n"), id="issue12-signed-per-n"),
    case("负百分之五", row("负百分之五", "-0.05", kind="percent"), id="signed-baifenzhi"),
    case("推进足球队伍成建制发展", id="issue12-formal-numeral-inside-word"),
    case("补助标准提高三成", row("三成", "0.3", kind="cheng"), id="plain-cheng-still-read"),
    known_failure("百分之15k", row("百分之15k", "150"), id="k-multiplier", reason="k is not a numeral in policy text"),
    known_failure("二三十个百分点", row("二三十个百分点", None, low="0.2", high="0.3"), id="fuzzy-neighbours",
                  reason="neighbouring digits as a range are read for money only (三五百块)"),
]


@pytest.mark.parametrize("text, expected", PERCENTAGES)
def test_find_percentages(text, expected):
    found = find_percentages(text)
    assert [r["text"] for r in found] == [e["text"] for e in expected]
    for r, e in zip(found, expected):
        assert r["text"] == text[r["char_start"]:r["char_end"]]
        for name, want in e.items():
            got = r[name]
            if name in ("value", "low", "high") and want is not None:
                want = Decimal(want)
                assert "E" not in str(got), "values are plain decimals"
            assert got == want, f"{name}: {got!r} != {want!r} in {r['text']!r}"


BASES = [
    pytest.param("经评审给予不超过研发投入 ", "研发投入", id="buchaoguo"),
    pytest.param("给予参展主体标准展位费 ", "标准展位费", id="recipient"),
    pytest.param("按照最高不超过其实际固定资产投资总额的 ", "实际固定资产投资总额", id="qi-de"),
    pytest.param("土地规模经营比例达到 ", None, id="subject-is-no-base"),
    pytest.param("给予 ", None, id="empty"),
    pytest.param("占销售收入的 ", "销售收入", id="zhan"),
]


@pytest.mark.parametrize("lead, expected", BASES)
def test_base_before(lead, expected):
    assert base_before(lead, len(lead)) == expected


@settings(deadline=500, max_examples=300)
@given(st.text(max_size=200))
def test_never_crash_on_any_text(text):
    for r in find_percentages(text):
        assert 0 <= r["char_start"] < r["char_end"] <= len(text)
        assert r["text"] == text[r["char_start"]:r["char_end"]]
        assert "\n" not in r["text"]
        assert (r["value"] is None) == (r["bound"] == "range")


_POLICY = st.text(alphabet=st.sampled_from(list("0123456789.,-—~%%%()、;。百千万分之个点成折半对一二三五十以上下左右不超过其给予按\n ")),
                  max_size=200)


@settings(deadline=500, max_examples=300)
@given(_POLICY)
def test_never_crash_on_policy_like_text(text):
    for r in find_percentages(text):
        assert r["text"] == text[r["char_start"]:r["char_end"]]
        assert r["kind"] in {"percent", "percentage_point", "per_n", "cheng", "discount_zhe"}
        if r["bound"] == "range":
            assert r["low"] <= r["high"]


@settings(deadline=500, max_examples=200)
@given(st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False))
def test_percent_sign_is_exact(d):
    [r] = find_percentages(f"比例为 {d}%")
    assert r["value"] == d / 100
