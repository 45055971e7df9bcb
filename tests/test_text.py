"""Tables of examples for pipeline.text: the one fold, the normalizer, line-break spaces."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from pipeline.text import fold, is_cjk, needs_space, normalize


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


FOLD = [
    # Radicals from browser print-to-PDF (Chromium + Noto Sans CJK), a real State Council sentence
    case("⼀、总体要求", "一、总体要求", id="kangxi-one-heading"),
    case("(⼀)主要⽬标", "(一)主要目标", id="kangxi-numbered-heading"),
    case("市⺠政局", "市民政局", id="supplement-civilian"),
    case("⻅效", "见效", id="supplement-simplified-see"),
    case("⻓三⻆", "长三角", id="supplement-long-horn"),
    case("部⻔", "部门", id="supplement-gate"),
    case("⼾籍", "户籍", id="kangxi-door-simplified-not-nfkc"),
    case("⼆〇⼆⼀年⼗⽉", "二〇二一年十月", id="kangxi-date"),
    case("⼀百万元", "一百万元", id="kangxi-amount"),
    case("⾼质量发展", "高质量发展", id="kangxi-tall"),
    # CJK Compatibility Ideographs
    case("\uf98e度\uf9e4\uf9d1\uf9b5", "年度理六例", id="compat-ideographs"),
    case("\ufa0e", "\ufa0e", id="compat-block-unified-stays"),
    # 方正 fonts: GB 2312 codes read as Yi syllables, private decimal point
    case("赣府发〔2017〕7号文ꎬ请认真贯彻执行ꎮ", "赣府发〔2017〕7号文,请认真贯彻执行。", id="yi-comma-period"),
    case("由30万元提高至50万元ꎻ", "由30万元提高至50万元;", id="yi-semicolon"),
    case("ꆰ容缺审批+承诺制ꆱ", "“容缺审批+承诺制”", id="yi-gb-quotes"),
    case("ꆢ", "、", id="yi-gb-dun"),
    case("补助1\U001001b05万元", "补助1.5万元", id="private-decimal-point"),
    # Full-width ASCII, the old HALFWIDTH
    case("增长１５％", "增长15%", id="fullwidth"),
    case("第　一", "第 一", id="ideographic-space-kept-as-one-space"),
    # ○ only among Chinese numerals
    case("二○二一年", "二〇二一年", id="circle-zero-in-year"),
    case("二○○五年", "二〇〇五年", id="circle-zeros-run"),
    case("○是 ○否", "○是 ○否", id="circle-as-form-blank-stays"),
    case("○ 加强组织领导", "○ 加强组织领导", id="circle-bullet-stays"),
    # Variants: the finders read them, page text keeps them
    case("壹佰萬圓", "壹佰万圆", id="variant-numerals"),
    # NFKC would change these; the fold does not
    case("Ⅰ类①㈠", "Ⅰ类①㈠", id="keeps-roman-and-circled-numbers"),
]


@pytest.mark.parametrize("raw, expected", FOLD)
def test_fold(raw, expected):
    assert fold(raw) == expected
    assert len(fold(raw)) == len(raw)


@pytest.mark.parametrize("raw, expected", [
    case("⼀、总体要求", "一、总体要求", id="radical"),
    case("ꎬ市⺠政局ꎮ", ",市民政局。", id="yi-and-supplement"),
    case("壹佰萬圓", "壹佰萬圓", id="variants-kept-as-printed"),
    case("二○二一年", "二〇二一年", id="circle-zero"),
    case("\ufb01le:///tmp/policy.html 1/4", "file:///tmp/policy.html 1/4", id="ligature-spelled-out"),
])
def test_normalize_folds_code_points(raw, expected):
    assert normalize(raw) == expected


def test_no_radical_or_compat_code_point_left_by_the_table():
    """Every radical with a unified twin, and every compatibility ideograph, is folded."""
    import unicodedata
    unmapped = [f"U+{cp:04X}" for cp in [*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6)]
                if unicodedata.name(chr(cp), "") and fold(chr(cp)) == chr(cp)]
    # Component-only radicals with no equivalent ideograph in Unicode's data or any Noto face.
    assert unmapped == ["U+2E80", "U+2E88", "U+2E91", "U+2E97", "U+2EB4", "U+2EB5", "U+2EB7", "U+2EB8"]
    compat = [cp for cp in range(0xF900, 0xFB00)
              if unicodedata.name(chr(cp), "") and unicodedata.normalize("NFC", chr(cp)) != chr(cp)]
    assert all(fold(chr(cp)) != chr(cp) for cp in compat)


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
