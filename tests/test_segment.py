"""Tables of examples for pipeline.segment: domain terms whole, sentences, offsets, determinism."""
import logging
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from pipeline import segment
from pipeline.segment import split_sentences, tokens


def case(*values, id):
    return pytest.param(*values, id=id)


@pytest.fixture(scope="module", autouse=True)
def warm_segmenter():
    tokens("预热")  # jieba's start-up is once per process; keep it out of hypothesis deadlines


# (text, a token that must come out whole, its pos)
WHOLE_TOKENS = [
    case("对本市医疗机构采购经认定的首台(套)医疗器械", "首台(套)", "nz", id="shoutai-brackets"),
    case("支持首台套产品推广应用", "首台套", "nz", id="shoutai"),
    case("推动专精特新“小巨人”企业做大做强", "专精特新", "nz", id="zhuanjingtexin"),
    case("推动专精特新“小巨人”企业做大做强", "小巨人", "nz", id="xiaojuren"),
    case("完善生物医药产业“未来工厂”新体系", "未来工厂", "nz", id="weilaigongchang"),
    case("以“揭榜挂帅”形式鼓励医疗机构", "揭榜挂帅", "nz", id="jiebangguashuai"),
    case("实施生物医药产业链“链长制”", "链长制", "nz", id="lianzhangzhi"),
    case("实施领军企业“鲲鹏计划”", "鲲鹏计划", "nz", id="kunpeng"),
    case("深入实施“凤凰行动”计划", "凤凰行动", "nz", id="fenghuang"),
    case("推动形成“产业大脑+产业地图+数字农业工厂”", "产业大脑", "nz", id="chanyedanao"),
    case("以数字化改革为引领", "数字化改革", "nz", id="shuzihuagaige"),
    case("亩均产出达到 12000 元", "亩均", "nz", id="mujun"),
    case("推动鲲鹏企业、链主企业、单项冠军企业做大做强", "链主企业", "nz", id="lianzhu"),
    case("推动鲲鹏企业、链主企业、单项冠军企业做大做强", "单项冠军", "nz", id="danxiangguanjun"),
    case("(牵头单位:市经信局,配合单位:市财政局)", "市经信局", "nt", id="department-abbreviation"),
    case("由市领导小组办公室负责牵头组织实施,市市场监管局配合", "市市场监管局", "nt", id="department-shichang"),
    case("(责任单位:市文化广电旅游局、市经信局)", "市文化广电旅游局", "nt", id="department-long"),
    case("由中国(浙江)自由贸易试验区杭州片区管理委员会负责",
         "中国(浙江)自由贸易试验区杭州片区管理委员会", "nt", id="department-with-brackets"),
    case("[牵头单位:市商务局(杭州自贸片区管委会)、钱江海关]", "杭州自贸片区管委会", "nt", id="free-trade-zone"),
    case("实现全市生物医药制造业年度工业总产值翻番 2021 年", "2021", "m", id="digits-are-numerals"),
]


@pytest.mark.parametrize("text, token, pos", WHOLE_TOKENS)
def test_domain_terms_are_single_tokens(text, token, pos):
    found = tokens(text)
    assert (token, pos) in [(t, p) for t, p, _ in found]


# (text, expected sentences)
SPLIT_SENTENCES = [
    case("", [], id="empty"),
    case(" \n \n", [], id="only-spaces"),
    case("一句话。", ["一句话。"], id="one"),
    case("第一句。第二句!第三句?第四句;", ["第一句。", "第二句!", "第三句?", "第四句;"], id="ascii-terminators"),
    case("第一句！第二句？第三句；", ["第一句！", "第二句？", "第三句；"], id="full-width-terminators"),
    case("没有句号的段落\n下一段。", ["没有句号的段落", "下一段。"], id="line-break"),
    case("提出如下意见。”然后", ["提出如下意见。”", "然后"], id="closing-quote-stays"),
    case("真的吗?!好。", ["真的吗?!", "好。"], id="terminator-run"),
    case("补助。(责任单位:市经信局、市财政局)\n(二)下一条。",
         ["补助。", "(责任单位:市经信局、市财政局)", "(二)下一条。"], id="bracket-after-sentence"),
    case("  前后空格。  ", ["前后空格。"], id="trimmed"),
    case("年交易额 20.5 亿元以上", ["年交易额 20.5 亿元以上"], id="decimal-point-is-no-end"),
]


@pytest.mark.parametrize("text, expected", SPLIT_SENTENCES)
def test_split_sentences(text, expected):
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == expected


SEED = ("(十四)提升产业链发展水平。实施生物医药产业链“链长制”,大力引育龙头企业和单项冠军企业,"
        "通过提升产业链推动鲲鹏企业、链主企业、单项冠军企业、专精特新“小巨人”企业等做大做强做优。"
        "(牵头单位:市经信局,配合单位:市发改委、市科技局、市投资促进局)\n"
        "本意见自 2021 年 8 月 23 日起施行,有效期至 2025 年 12月 31 日。 GB/T 36073-2018\r\n末尾")


def test_tokens_cover_the_text_with_offsets():
    found = tokens(SEED)
    assert "".join(t for t, _, _ in found) == SEED
    for token, _, offset in found:
        assert SEED[offset:offset + len(token)] == token
    offsets = [o for _, _, o in found]
    assert offsets == sorted(offsets) and offsets[0] == 0


def test_tokens_are_deterministic():
    first = tokens(SEED)
    second = tokens(SEED)
    assert first == second
    assert split_sentences(SEED) == split_sentences(SEED)


def test_segmenter_is_built_once_and_private():
    state = segment._segmenter()
    assert segment._segmenter() is state
    assert "市经信局" in state.words
    jieba = sys.modules.get("jieba")  # imported only to build the cache; its global tokenizer is untouched
    assert jieba is None or "市经信局" not in jieba.dt.FREQ
    assert segment.cache_dir().is_dir() and segment.cache_dir().parent.name == ".cache"


@pytest.mark.parametrize("word, expected", [
    ("市经信局", 5 * segment._TAGS + 1),
    ("市经", 0),                 # a prefix of a word, no word itself
    ("市", 3 * segment._TAGS),
    ("局", None),                # no word starts with it
    ("", None),
])
def test_dictionary_reads_like_one_dict(word, expected):
    words = segment.Words(segment.Words.pack({"市经信局": 5 * segment._TAGS + 1, "市经": 0, "市": 3 * segment._TAGS,
                                              "经": 2 * segment._TAGS}))
    assert words.get(word) == expected
    assert (word in words) == (expected is not None)


def test_dictionary_parts_load_as_the_text_needs_them():
    """A worker reads only the parts of the 500,000-entry dictionary whose first character
    its text has: the whole of it took 0.17 s to load, most of a 50-page build's text stages."""
    real = segment._segmenter()
    words = segment.Words(real.words._packed)
    fresh = segment.Segmenter(words, real.logtotal, real.tags, real.protected, real.special)
    text = "由市经信局牵头,给予最高500万元补助。"
    assert [t for t, _, _ in segment._cut(fresh, text, 0, len(text))] == [t for t, _, _ in tokens(text)]
    assert set(words._loaded) <= set(text)
    assert len(words._packed) > 5000 and 10 <= len(words._loaded) <= len(set(text))


def test_jieba_start_up_does_not_print():
    """A fresh process: jieba's "Building prefix dict…" goes to logging, not to stderr."""
    code = "from pipeline.segment import tokens; print(len(tokens('市经信局牵头')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "2\n", "")
    assert logging.getLogger("jieba").handlers == []


def test_user_words_come_from_the_data_files():
    words = dict(segment.user_words())
    assert words["首台(套)"] == "nz" and words["市经信局"] == "nt"
    assert len([w for w, tag in words.items() if tag == "nz"]) >= 60


@settings(deadline=500)
@given(st.text(max_size=200))
def test_tokens_always_cover_the_text(text):
    found = tokens(text)
    assert "".join(t for t, _, _ in found) == text
    for token, _, offset in found:
        assert text[offset:offset + len(token)] == token


@settings(deadline=500)
@given(st.text(max_size=200))
def test_sentences_are_never_empty(text):
    last = 0
    for start, end in split_sentences(text):
        assert last <= start < end
        assert text[start:end].strip() == text[start:end]
        last = end


@pytest.fixture(scope="module")
def jieba_cut():
    """jieba.posseg's own cut (HMM off) on the same dictionary: what `tokens` re-implements."""
    words = segment.user_words()
    special = segment._segmenter().special
    posseg = segment.jieba_posseg(words, special)

    def cut(text):
        out, pos = [], 0
        for pair in posseg.cut(text, HMM=False):
            flag = "m" if pair.flag == "eng" and pair.word.isascii() and pair.word.isdigit() else pair.flag
            out.append((pair.word, flag, pos))
            pos += len(pair.word)
        return out
    return cut


# Texts where the cut has choices to make: ties, Latin and digit runs, odd whitespace.
SAME_CUT = [
    case(SEED, id="seed"),
    case("对本市医疗机构采购经认定的首台(套)医疗器械给予 30%的补助", id="brackets-and-percent"),
    case("GB/T 36073-2018 数据管理能力成熟度评估模型 DCMM 3级", id="latin-and-digits"),
    case("ABC123中文a1b2", id="letters-digits-glued"),
    case("2021年7月23日 12.5亿元 1.2.3版", id="numbers"),
    case("甲\r\n乙\t丙\u3000丁\x1c戊", id="whitespace-kinds"),
    case("研究生命起源", id="ambiguous"),
    case("结婚的和尚未结婚的", id="ambiguous-2"),
]


@pytest.mark.parametrize("text", SAME_CUT)
def test_cut_is_jiebas(text, jieba_cut):
    assert segment._cut(segment._segmenter(), text, 0, len(text)) == jieba_cut(text)


@settings(deadline=None, max_examples=300)
@given(text=st.text(alphabet=st.sampled_from("市经信局牵头首台套专精特新研究生命起源的和尚未结婚年月日亿元"
                                       "0123456789.+#&_ab XY\n\r\t\u3000,。、()%"), max_size=60)
       | st.text(max_size=60))
def test_cut_is_jiebas_on_any_text(text, jieba_cut):
    assert segment._cut(segment._segmenter(), text, 0, len(text)) == jieba_cut(text)
