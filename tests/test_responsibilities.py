"""Tables of examples for pipeline.extract.responsibilities and pipeline.gazetteer."""
import pytest
from hypothesis import given, settings, strategies as st

from pipeline import gazetteer
from pipeline.extract.responsibilities import find_responsibilities, labelled_list


def case(*values, id):
    return pytest.param(*values, id=id)


def known_failure(*values, id, reason):
    return pytest.param(*values, id=id, marks=pytest.mark.xfail(strict=True, reason=reason))


ECON = "杭州市经济和信息化局"
FIN = "杭州市财政局"

# (text, [(printed name, department, role, known), ...])
FIND_RESPONSIBILITIES = [
    case("(责任单位:市文化广电旅游局、市经信局、市财政局)",
         [("市文化广电旅游局", "杭州市文化广电旅游局", "responsible", True),
          ("市经信局", ECON, "responsible", True), ("市财政局", FIN, "responsible", True)],
         id="responsible-three"),
    case("给予一次性 3 万元的资助。(责任单位:市园文局、市经信局、市财政局)",
         [("市园文局", "杭州市园林文物局", "responsible", True),
          ("市经信局", ECON, "responsible", True), ("市财政局", FIN, "responsible", True)],
         id="after-sentence"),
    case("(牵头单位:市科技局、市市场监管局,配合单位:市发改委、市经信局)",
         [("市科技局", "杭州市科学技术局", "lead", True),
          ("市市场监管局", "杭州市市场监督管理局", "lead", True),
          ("市发改委", "杭州市发展和改革委员会", "cooperating", True),
          ("市经信局", ECON, "cooperating", True)], id="lead-and-cooperating"),
    case("(牵头单位:市经信局,配合单位:市财政局、市商务局、市市场监管局、钱江海关)",
         [("市经信局", ECON, "lead", True), ("市财政局", FIN, "cooperating", True),
          ("市商务局", "杭州市商务局", "cooperating", True),
          ("市市场监管局", "杭州市市场监督管理局", "cooperating", True),
          ("钱江海关", "中华人民共和国钱江海关", "cooperating", True)], id="customs"),
    case("[牵头单位:市商务局(杭州自贸片区管委会)、钱江海关,配合单位:市市场监管局]",
         [("市商务局", "杭州市商务局", "lead", True),
          ("杭州自贸片区管委会", "中国(浙江)自由贸易试验区杭州片区管理委员会", "lead", True),
          ("钱江海关", "中华人民共和国钱江海关", "lead", True),
          ("市市场监管局", "杭州市市场监督管理局", "cooperating", True)], id="square-bracket-two-names"),
    case("(责任单位:市领导小组成员单位)",
         [("市领导小组成员单位", "市领导小组成员单位", "responsible", False)], id="collective"),
    case("由市经信局负责牵头组织实施。", [("市经信局", ECON, "lead", True)], id="closing-lead"),
    case("由市领导小组办公室负责牵头组织实施", [("市领导小组办公室", "市领导小组办公室", "lead", False)],
         id="closing-lead-unknown"),
    case("本意见自 2020 年 10 月 9 日起施行,有效期为 3 年,由市经信局负责牵头组织实施。",
         [("市经信局", ECON, "lead", True)], id="closing-sentence"),
    case("由市经信局牵头", [("市经信局", ECON, "lead", True)], id="lead-without-fuze"),
    case("由市经信局负责组织实施", [("市经信局", ECON, "responsible", True)], id="responsible-by"),
    case("由市经信局会同市财政局、市科技局负责组织实施",
         [("市经信局", ECON, "responsible", True), ("市财政局", FIN, "cooperating", True),
          ("市科技局", "杭州市科学技术局", "cooperating", True)], id="together-with"),
    case("（责任单位：市经信局、市财政局）",
         [("市经信局", ECON, "responsible", True), ("市财政局", FIN, "responsible", True)],
         id="full-width-brackets"),
    case("【牵头单位：市经信局】", [("市经信局", ECON, "lead", True)], id="lenticular-brackets"),
    case("(责 任单位:市文化广电 旅游局)",
         [("市文化广电 旅游局", "杭州市文化广电旅游局", "responsible", True)], id="spaces-after-join"),
    case("(责任单位:国家税务总局杭州市税务局、市科技局)",
         [("国家税务总局杭州市税务局", "国家税务总局杭州市税务局", "responsible", True),
          ("市科技局", "杭州市科学技术局", "responsible", True)], id="vertical-agency"),
    case("(责任单位:杭州市生态环境局)",
         [("杭州市生态环境局", "杭州市生态环境局", "responsible", True)], id="full-name"),
    case("(责任单位:市生态环境局)",
         [("市生态环境局", "杭州市生态环境局", "responsible", True)], id="short-name"),
    case("(牵头单位:市地方金融监管局,配合单位:市财政局、市国资委、人行杭州中心支行)",
         [("市地方金融监管局", "杭州市地方金融监督管理局", "lead", True),
          ("市财政局", FIN, "cooperating", True),
          ("市国资委", "杭州市人民政府国有资产监督管理委员会", "cooperating", True),
          ("人行杭州中心支行", "中国人民银行杭州中心支行", "cooperating", True)], id="bank"),
    case("(责任单位:各区、县(市)政府、市经信局(牵头))",
         [("各区、县(市)政府", "各区、县(市)政府", "responsible", False), ("市经信局", ECON, "lead", True)],
         id="county-phrase-and-lead-note"),
    case("(责任单位:市经信局等)", [("市经信局", ECON, "responsible", True)], id="trailing-deng"),
    case("(牵头单位:市科技局;配合单位:市发改委)",
         [("市科技局", "杭州市科学技术局", "lead", True),
          ("市发改委", "杭州市发展和改革委员会", "cooperating", True)], id="semicolon"),
    case("(责任单位:市经信局、市财\n政局)", [("市经信局", ECON, "responsible", True),
                                       ("市财", "市财", "responsible", False)], id="stops-at-line-break"),
    case("(责任单位:某某新设机构)", [("某某新设机构", "某某新设机构", "responsible", False)],
         id="unknown-kept"),
    # not responsibilities
    case("由市和属地区、县(市)按财政体制比例承担", [], id="shared-funding"),
    case("中国(浙江)自由贸易试验区", [], id="ziyou-is-not-by"),
    case("由于市经信局负责", [], id="youyu"),
    case("(单位:万元)", [], id="unit-bracket"),
    case("责任单位:市经信局", [("市经信局", ECON, "responsible", True)], id="no-bracket"),  # a line of its own
    case("(责任单位:市经信局及市财政局)",
         [("市经信局", ECON, "responsible", True), ("市财政局", FIN, "responsible", True)], id="ji-separator"),
    case("由市经信局、市财政局按职责分工负责",
         [("市经信局", ECON, "responsible", True), ("市财政局", FIN, "responsible", True)], id="by-duty"),
    # Labels outside brackets. PT = 莆田市《关于支持“双招双引”的十条意见》, each article ending
    # "责任单位:…" (text as quoted in a public QA demo, github.com/…/data_512 reader).
    case("最高给予 5000 万元资助。责任单位:市委组织部、市科技局。",  # PT
         [("市委组织部", "中共杭州市委组织部", "responsible", True), ("市科技局", "杭州市科学技术局", "responsible", True)],
         id="pt-label-after-sentence"),
    case("同一企业当年度最多不超过 10 名。责任单位:市发改委、市财政局、市工信局、市商务局。",  # PT
         [("市发改委", "杭州市发展和改革委员会", "responsible", True), ("市财政局", FIN, "responsible", True),
          ("市工信局", "市工信局", "responsible", False), ("市商务局", "杭州市商务局", "responsible", True)],
         id="pt-label-after-sentence-unknown-body"),
    case("1.加快产业集聚。支持企业扩大投资。\n责任单位:市发改委、市经信局",
         [("市发改委", "杭州市发展和改革委员会", "responsible", True), ("市经信局", ECON, "responsible", True)],
         id="label-on-its-own-line"),
    case("牵头单位:市科技局;配合单位:市财政局",
         [("市科技局", "杭州市科学技术局", "lead", True), ("市财政局", FIN, "cooperating", True)],
         id="two-labels-without-bracket"),
    case("责任单位:各地要高度重视,抓好落实", [], id="label-before-prose-is-no-list"),
    # the label vocabulary: 主要责任单位 / 主责部门 as 责任单位 (responsible)
    case("主要责任单位:市发改委", [("市发改委", "杭州市发展和改革委员会", "responsible", True)], id="zhuyao-zeren-danwei"),
    case("(主责部门:市经信局、市财政局)", [("市经信局", ECON, "responsible", True), ("市财政局", FIN, "responsible", True)],
         id="zhuze-bumen"),
    # a field of another kind after a space ends the list on its line
    case("责任单位:市发改委、市财政局 时间节点:每年6月",
         [("市发改委", "杭州市发展和改革委员会", "responsible", True), ("市财政局", FIN, "responsible", True)],
         id="label-then-spaced-field"),
    # a field after the list ends it: 完成时限 is no body
    case("(责任单位:市经信局、市财政局;完成时限:2023年底前)",
         [("市经信局", ECON, "responsible", True), ("市财政局", FIN, "responsible", True)], id="label-then-deadline-field"),
]

# Prose, conventions and bodies of every level (issue 12). Sources:
# GD = 昆明市官渡区 稳增长促发展若干政策措施, http://www.kmgd.gov.cn/c/2016-12-06/1370808.shtml
# XY = 咸阳市2022年深化“放管服”改革优化营商环境工作要点 (traditional script on the page; simplified here),
#      https://newton.com.tw/wiki/%E9%B9%B9%E9%99%BD%E5%B8%822022…/61994341
# HZ = 菏泽市深化新旧动能转换…分工落实方案 (菏政办字〔2023〕1号), https://dzrdoor.com/bgs/info/1131/3781.html
# I12 = quoted in issue 12 from real Hangzhou / Zhejiang documents.
# (text, [(printed name, department, role, known), ...])
PROSE = [
    case("(区政务服务局牵头,区发改局、区审改办、区住建局、区级相关部门配合)",  # GD
         [("区政务服务局", "区政务服务局", "lead", False), ("区发改局", "区发改局", "cooperating", False),
          ("区审改办", "区审改办", "cooperating", False), ("区住建局", "区住建局", "cooperating", False),
          ("区级相关部门", "区级相关部门", "cooperating", False)], id="gd-lead-cooperate-bracket"),
    case("(区发改局牵头,区财政局、区水务局等部门,区国投公司、各街道办事处配合)",  # GD
         [("区发改局", "区发改局", "lead", False), ("区财政局", "区财政局", "cooperating", False),
          ("区水务局", "区水务局", "cooperating", False), ("区国投公司", "区国投公司", "cooperating", False),
          ("各街道办事处", "各街道办事处", "cooperating", False)], id="gd-comma-joined-cooperating"),
    case("(市政府办公室、市行政审批制度改革工作领导小组办公室牵头,市级各有关部门及各县市区政府按职责分工负责)",  # XY
         [("市政府办公室", "市政府办公室", "lead", False),
          ("市行政审批制度改革工作领导小组办公室", "市行政审批制度改革工作领导小组办公室", "lead", False),
          ("市级各有关部门", "市级各有关部门", "responsible", False),
          ("各县市区政府", "各县市区政府", "responsible", False)], id="xy-by-duty-collectives"),
    case("市发展改革委负责《方案》工作任务的统一督导调度,要建立健全工作推进机制",  # HZ
         [("市发展改革委", "杭州市发展和改革委员会", "responsible", True)], id="hz-subject-fuze"),
    case("由市发改委牵头,市财政局、市经信局等部门配合实施。",  # I12
         [("市发改委", "杭州市发展和改革委员会", "lead", True), ("市财政局", FIN, "cooperating", True),
          ("市经信局", ECON, "cooperating", True)], id="i12-by-lead-then-cooperate"),
    case("市发改委牵头,会同市财政局、市经信局制定实施细则。",  # I12
         [("市发改委", "杭州市发展和改革委员会", "lead", True), ("市财政局", FIN, "cooperating", True),
          ("市经信局", ECON, "cooperating", True)], id="i12-lead-huitong"),
    case("(市经信局牵头,市财政局配合)",  # I12
         [("市经信局", ECON, "lead", True), ("市财政局", FIN, "cooperating", True)], id="i12-bracket-verbs"),
    case("市财政局负责资金保障,市经信局负责项目审核。",  # I12
         [("市财政局", FIN, "responsible", True), ("市经信局", ECON, "responsible", True)], id="i12-two-subjects"),
    case("国家发展改革委要加强统筹协调。",  # I12
         [("国家发展改革委", "国家发展和改革委员会", "responsible", True)], id="i12-national-yao"),
    case("各区、县(市)政府负责做好项目申报工作。",  # I12
         [("各区、县(市)政府", "各区、县(市)政府", "responsible", False)], id="i12-collective-subject"),
    case("加强体育设施建设。[市体育局,各区、县(市)政府,列第一位的为牵头单位,下同]",  # I12
         [("市体育局", "杭州市体育局", "lead", True), ("各区、县(市)政府", "各区、县(市)政府", "cooperating", False)],
         id="i12-first-leads-below"),
    case("(省经信厅、省财政厅负责,排在第一位的部门为牵头部门)",  # I12
         [("省经信厅", "浙江省经济和信息化厅", "lead", True), ("省财政厅", "浙江省财政厅", "cooperating", True)],
         id="i12-first-listed-leads"),
    case("(市经信局按职责分工牵头,市财政局配合)",  # I12
         [("市经信局", ECON, "lead", True), ("市财政局", FIN, "cooperating", True)], id="i12-duty-lead"),
    case("〔责任单位:省财政厅和各市、县〔区〕人民政府〕",  # I12
         [("省财政厅", "浙江省财政厅", "responsible", True),
          ("各市、县〔区〕人民政府", "各市、县〔区〕人民政府", "responsible", False)], id="i12-he-separator"),
    case("第三条 市人力资源社会保障局负责本办法的组织实施。",  # I12
         [("市人力资源社会保障局", "杭州市人力资源和社会保障局", "responsible", True)], id="i12-article-duty"),
    case("一、扩大有效投资政策(由市发改委牵头实施)",  # I12
         [("市发改委", "杭州市发展和改革委员会", "lead", True)], id="i12-heading-lead"),
    case("(责任单位:宁波市科技局、余杭区人民政府)",  # I12
         [("宁波市科技局", "宁波市科技局", "responsible", False),
          ("余杭区人民政府", "杭州市余杭区人民政府", "responsible", True)], id="i12-other-city-and-district"),
    case("(责任单位:工信部、国家发展和改革委员会)",
         [("工信部", "工业和信息化部", "responsible", True),
          ("国家发展和改革委员会", "国家发展和改革委员会", "responsible", True)], id="national-aliases"),
    case("(牵头单位:市农业农村局 配合单位:市财政局)",
         [("市农业农村局", "杭州市农业农村局", "lead", True), ("市财政局", FIN, "cooperating", True)],
         id="label-after-space"),
    case("各区、县(市)要加强组织领导。",
         [("各区、县(市)", "各区、县(市)", "responsible", False)], id="collective-county-phrase"),
    # not responsibilities
    case("市经济和信息化局的职能", [], id="he-inside-a-name"),
    case("加强统筹协调,要形成工作合力", [], id="yao-without-body"),
    case("(以下简称市经信局)", [], id="abbreviation-note"),
    case("各牵头单位要统筹落实任务事项,制定工作推进方案", [], id="hz-role-noun-is-no-body"),  # HZ
    case("由区级负责审批", [], id="gd-level-word-alone"),  # GD
    case("对市级以上企业技术中心给予奖励", [], id="level-word-no-verb"),
]


@pytest.mark.parametrize("text, expected", FIND_RESPONSIBILITIES + PROSE)
def test_find_responsibilities(text, expected):
    found = find_responsibilities(text)
    assert [(r["text"], r["department"], r["role"], r["known"]) for r in found] == expected
    for r in found:
        assert text[r["char_start"]:r["char_end"]] == r["text"]


# (printed name, canonical, known)
RESOLVE = [
    case("杭州市生态环境局", "杭州市生态环境局", True, id="canonical"),
    case("市生态环境局", "杭州市生态环境局", True, id="alias"),
    case("市经信局", ECON, True, id="abbreviation"),
    case("杭州市经信局", ECON, True, id="city-abbreviation"),
    case("市经济和信息化局", ECON, True, id="short-full-name"),
    case("市委宣传部", "中共杭州市委宣传部", True, id="party-short"),
    case("杭州市委宣传部", "中共杭州市委宣传部", True, id="party-city"),
    case("杭州市统计局", "杭州市统计局", True, id="canonical-only"),
    case("市 统计局", "杭州市统计局", True, id="space-inside"),
    case("中国（浙江）自由贸易试验区杭州片区管理委员会", "中国(浙江)自由贸易试验区杭州片区管理委员会", True,
         id="full-width-parentheses"),
    case("市领导小组成员单位", "市领导小组成员单位", False, id="unknown"),
    case("市领导小组 办公室", "市领导小组办公室", False, id="unknown-without-spaces"),
]


@pytest.mark.parametrize("name, canonical, known", RESOLVE)
def test_resolve(name, canonical, known):
    assert gazetteer.resolve(name) == (canonical, known)


# (printed name, level)
LEVELS = [
    case("国务院办公厅", "national", id="national-listed"),
    case("国家数据局", "national", id="national-listed-agency"),
    case("省经信厅", "provincial", id="provincial-alias"),
    case("浙江省经济和信息化厅", "provincial", id="provincial-canonical"),
    case("市经信局", "municipal", id="municipal-alias"),
    case("宁波市科技局", "municipal", id="municipal-unlisted-by-shape"),
    case("余杭区人民政府", "district", id="district-listed"),
    case("西湖区科技局", "district", id="district-unlisted-by-shape"),
    case("各区、县(市)政府", None, id="collective-has-no-level"),
]


@pytest.mark.parametrize("name, level", LEVELS)
def test_level(name, level):
    assert gazetteer.level(name) == level


@pytest.mark.parametrize("name, is_body", [
    case("宁波市科技局", True, id="city-bureau"), case("某县发展改革局", True, id="county-bureau"),
    case("由于市经信局", False, id="function-word-is-no-place"), case("加强统筹协调", False, id="verb-phrase"),
    case("省财政厅和各市", False, id="two-names-glued"),
])
def test_body_shape(name, is_body):
    assert gazetteer.is_body(name) is is_body


def test_apply_conventions_carries_first_leads_to_later_lists():
    """下同: the convention of the first bracket applies to the unlabelled brackets after it."""
    from pipeline.extract.responsibilities import apply_conventions
    first = find_responsibilities("推广全民健身。[市体育局,各区、县(市)政府,列第一位的为牵头单位,下同]")
    later = find_responsibilities("建设体育场馆。[市发改委,市体育局]")
    labelled = find_responsibilities("(责任单位:市财政局、市体育局)")
    assert [r["role"] for r in later] == ["responsible", "responsible"]  # the finder alone cannot know
    rows = apply_conventions(first + later + labelled)
    assert [(r["text"], r["role"]) for r in rows] == [
        ("市体育局", "lead"), ("各区、县(市)政府", "cooperating"),
        ("市发改委", "lead"), ("市体育局", "cooperating"),
        ("市财政局", "responsible"), ("市体育局", "responsible")]
    assert [r["role"] for r in later] == ["responsible", "responsible"], "pure: input rows unchanged"
    assert [r["role"] for r in apply_conventions(later)] == ["responsible", "responsible"], "no convention stated"


def test_gazetteer_loads_once_and_has_no_clashing_aliases():
    assert gazetteer.departments() is gazetteer.departments()
    names = gazetteer.names()
    assert len(names) > len(gazetteer.departments())
    assert all(gazetteer.resolve(n)[1] for n in names)


@settings(deadline=500)
@given(st.text(max_size=200))
def test_find_responsibilities_never_fails(text):
    for r in find_responsibilities(text):
        assert text[r["char_start"]:r["char_end"]] == r["text"]
        assert r["role"] in ("lead", "cooperating", "responsible")


@settings(deadline=500)
@given(st.lists(st.sampled_from(["(", ")", "[", "]", "【", "】", "责任单位", "牵头单位", "配合单位", ":", "、", ",",
                                 ";", "市经信局", "县(市)", "区", "由", "负责", "牵头", "会同", "等", " ", "\n"]),
                max_size=40))
def test_find_responsibilities_never_fails_on_pieces(pieces):
    text = "".join(pieces)
    for r in find_responsibilities(text):
        assert text[r["char_start"]:r["char_end"]] == r["text"]


# (issuer, [(department, known)]) for "市发展改革委…(责任单位:省财政厅、国家发展改革委)"; HZ is issued by 菏泽市.
ISSUERS = [
    case("杭州市人民政府办公厅", [("杭州市发展和改革委员会", True), ("浙江省财政厅", True), ("国家发展和改革委员会", True)],
         id="home-city"),
    case("宁波市人民政府", [("市发展改革委", False), ("浙江省财政厅", True), ("国家发展和改革委员会", True)],
         id="other-city-same-province"),
    case("菏泽市人民政府办公室", [("市发展改革委", False), ("省财政厅", False), ("国家发展和改革委员会", True)],
         id="hz-other-province"),
    case("浙江省人民政府办公厅", [("市发展改革委", False), ("浙江省财政厅", True), ("国家发展和改革委员会", True)],
         id="provincial-issuer"),
    case(None, [("杭州市发展和改革委员会", True), ("浙江省财政厅", True), ("国家发展和改革委员会", True)], id="no-issuer"),
]


@pytest.mark.parametrize("text, convention", [
    case("一、扩大有效投资政策(由市发改委牵头实施)", "heading", id="i12-heading-part-lead"),
    case("(一)加大招商引资力度(由市投促局牵头)", "heading", id="clause-heading-lead"),
    case("对符合条件的项目给予补助。由市发改委牵头实施。", None, id="sentence-is-no-heading"),
])
def test_heading_lead_is_marked(text, convention):
    assert [r["convention"] for r in find_responsibilities(text)] == [convention]


@pytest.mark.parametrize("issuer, expected", ISSUERS)
def test_apply_issuer_rereads_short_names(issuer, expected):
    from pipeline.extract.responsibilities import apply_issuer
    rows = find_responsibilities("市发展改革委负责《方案》工作任务的统一督导调度。(责任单位:省财政厅、国家发展改革委)")
    assert [(r["department"], r["known"]) for r in apply_issuer(rows, issuer)] == expected


# A table cell under a column header, as pdfplumber gives it (lines joined by \n):
# (cell text, header) -> (name, role). Sources: 官渡区 表1 (tests/fixtures/tables); 西安市贯彻落实
# 陕西省《2022年深化“放管服”改革优化营商环境工作要点》分工方案, http://echinagov.com/policy/327617.htm
# (its 牵头单位 cell, as LibreOffice wraps it in a narrow column).
@pytest.mark.parametrize("text, header, expected", [
    ("区发改局、区审改办、区住建局", "配合单位",
     [("区发改局", "cooperating"), ("区审改办", "cooperating"), ("区住建局", "cooperating")]),
    ("区政务服务局", "牵头单位", [("区政务服务局", "lead")]),
    ("市行政审批局\n市司法局", "牵头单位", [("市行政审批局", "lead"), ("市司法局", "lead")]),
    ("市行政\n审批局\n市司法\n局", "牵头 单位", [("市行政审批局", "lead"), ("市司法局", "lead")]),
    ("市级相关单位,各\n区县政府、西咸\n新区管委会", "责任单位",
     [("市级相关单位", "responsible"), ("各区县政府", "responsible"), ("西咸新区管委会", "responsible")]),
    ("市经信局\n市财政局", "责任单位", [("市经信局", "responsible"), ("市财政局", "responsible")]),
    ("区住房和城乡\n建设局、区财政局", "配合单位", [("区住房和城乡建设局", "cooperating"), ("区财政局", "cooperating")]),
    ("市经信局", "政策措施", []),          # no label: the header says what the column is
    ("—", "牵头单位", []),
    ("各区、县(市)政府", "责任单位", [("各区、县(市)政府", "responsible")]),
], ids=["cooperating-list", "lead", "one-body-a-line", "narrow-column-wraps", "wrapped-list", "two-lines-two-bodies",
        "wrapped-name", "no-label-header", "dash", "collective"])
def test_labelled_list(text, header, expected):
    from pipeline.tables import _clean
    clean, breaks = _clean(text)
    assert [(r["text"], r["role"]) for r in labelled_list(clean, header, breaks)] == expected
