"""Tables of examples for pipeline.text: the one normalizer, and CJK-aware line joining."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from pipeline.text import is_cjk, join_lines, needs_space, normalize


def case(*values, id):
    return pytest.param(*values, id=id)


NORMALIZE = [
    # Full-width ASCII forms -> ASCII
    case("（一）主要目标", "(一)主要目标", id="fullwidth-parens"),
    case("各区、县（市）人民政府，市政府各部门：", "各区、县(市)人民政府,市政府各部门:", id="fullwidth-comma-colon"),
    case("实施时间；有效期", "实施时间;有效期", id="fullwidth-semicolon"),
    case("增长１５％以上", "增长15%以上", id="fullwidth-digits-percent"),
    case("０１２３４５６７８９", "0123456789", id="fullwidth-all-digits"),
    case("（ＧＢ／Ｔ　３６０７３－２０１８）", "(GB/T 36073-2018)", id="fullwidth-latin-slash-hyphen"),
    case("！？", "!?", id="fullwidth-bang-question"),
    # Spaces
    case("杭州市　人民政府", "杭州市 人民政府", id="ideographic-space-inside"),
    case("　　为充分发挥生物医药产业引领作用", "为充分发挥生物医药产业引领作用", id="ideographic-indent-stripped"),
    case("最高  600   万元", "最高 600 万元", id="collapses-spaces"),
    case("最高\t600 \t万元", "最高 600 万元", id="collapses-tabs"),
    case("  首尾空格  ", "首尾空格", id="strips-edges"),
    case("600\u00a0万元", "600 万元", id="nbsp-is-space"),
    case("600\u2002万元", "600 万元", id="en-space-is-space"),
    case("万\u200b元", "万元", id="zero-width-space-removed"),
    case("\ufeff杭州", "杭州", id="bom-removed"),
    case("一次\u00ad性", "一次性", id="soft-hyphen-removed"),
    case("", "", id="empty"),
    case("   ", "", id="blank"),
    # Kept as printed
    case("600 万元", "600 万元", id="keeps-space-before-unit"),
    case("给予一次性 3 万元的资", "给予一次性 3 万元的资", id="keeps-spaces-around-digit"),
    case("生物医药、健康产业。", "生物医药、健康产业。", id="keeps-dun-and-period"),
    case("“156 行动”计划", "“156 行动”计划", id="keeps-curly-quotes"),
    case("《数据管理能力成熟度评估模型》", "《数据管理能力成熟度评估模型》", id="keeps-book-title-marks"),
    case("杭政办函〔2021〕39 号", "杭政办函〔2021〕39 号", id="keeps-tortoise-brackets"),
    case("【专栏】", "【专栏】", id="keeps-lenticular-brackets"),
    case("— 346 —", "— 346 —", id="keeps-em-dash"),
    case("ZJAC01-2021-0012", "ZJAC01-2021-0012", id="keeps-normative-code"),
    # Unicode composition
    case("cafe\u0301", "café", id="nfc"),
]


@pytest.mark.parametrize("raw, expected", NORMALIZE)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@given(st.text(alphabet=st.sampled_from(list("杭州市 　\t（）,，：:0０9９%％、。“”《》〔〕aA\u00a0\u200b")), max_size=40))
def test_normalize_is_idempotent_and_clean(text):
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once and "\t" not in once and "\u3000" not in once
    assert not any(0xFF01 <= ord(ch) <= 0xFF5E for ch in once)


JOIN_LINES = [
    case(["为充分发挥生物医药产业引领作用，加快构建生物医药创", "新高地，完善产业生态体系"],
         "为充分发挥生物医药产业引领作用，加快构建生物医药创新高地，完善产业生态体系", id="cjk-cjk-no-space"),
    case(["物医药产业空间布局,落实生物医药与健康产业“156 行动”", "计划,通过 3 年努力"],
         "物医药产业空间布局,落实生物医药与健康产业“156 行动”计划,通过 3 年努力", id="cjk-quote-no-space"),
    case(["到 2025", "年,全市生物医药产业规模"], "到 2025年,全市生物医药产业规模", id="digit-then-cjk"),
    case(["全市规模达到", "3000 亿元"], "全市规模达到3000 亿元", id="cjk-then-digit"),
    case(["加快推广《数据管理能力成熟度评估模型》(GB/T", "36073-2018)"],
         "加快推广《数据管理能力成熟度评估模型》(GB/T 36073-2018)", id="latin-then-digit-space"),
    case(["Hangzhou", "Municipal Government"], "Hangzhou Municipal Government", id="latin-words-space"),
    case(["最高 1", "200 万元"], "最高 1200 万元", id="digits-join"),
    case(["增长 12.", "5%"], "增长 12.5%", id="decimal-point-joins"),
    case(["规范性文件统一编号 ZJAC01-", "2021-0012"], "规范性文件统一编号 ZJAC01-2021-0012", id="hyphen-joins"),
    case(["万元、", "1200 万元"], "万元、1200 万元", id="dun-then-digit"),
    case(["甲", "", "   ", "乙"], "甲乙", id="blank-lines-skipped"),
    case(["  甲 ", " 乙  "], "甲乙", id="edges-stripped"),
    case(["只有一行"], "只有一行", id="single-line"),
    case([], "", id="no-lines"),
]


@pytest.mark.parametrize("lines, expected", JOIN_LINES)
def test_join_lines(lines, expected):
    assert join_lines(lines) == expected


NEEDS_SPACE = [
    case("创", "新", False, id="han-han"),
    case("5", "年", False, id="digit-han"),
    case("达", "3", False, id="han-digit"),
    case("T", "3", True, id="latin-digit"),
    case("a", "b", True, id="latin-latin"),
    case("1", "2", False, id="digit-digit"),
    case("-", "2", False, id="hyphen-digit"),
    case("”", "计", False, id="quote-han"),
    case(",", "a", False, id="comma-latin"),
]


@pytest.mark.parametrize("left, right, expected", NEEDS_SPACE)
def test_needs_space(left, right, expected):
    assert needs_space(left, right) is expected


IS_CJK = [
    case("杭", True, id="han"),
    case("〇", True, id="ideographic-zero"),
    case("、", True, id="dun"),
    case("。", True, id="ideographic-period"),
    case("《", True, id="book-title-mark"),
    case("〔", True, id="tortoise-bracket"),
    case("“", True, id="curly-quote"),
    case("3", False, id="digit"),
    case("a", False, id="latin"),
    case("(", False, id="ascii-paren"),
    case("", False, id="empty"),
]


@pytest.mark.parametrize("ch, expected", IS_CJK)
def test_is_cjk(ch, expected):
    assert is_cjk(ch) is expected
