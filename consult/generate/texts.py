"""Chinese names and texts of the generated city: people, places, topic titles from templates.

Topic titles come from TITLES (one list per category); the words a search looks for (停车, 电梯,
加装电梯) appear in a fixed share of the templates, so the share of topics they find is known.
"""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欣淑建国志海春梅晓东"
STREET_NAMES = ("和平", "建设", "解放", "人民", "光明", "新华", "朝阳", "东风", "胜利", "长安", "青年", "友谊")
COMMUNITY_NAMES = (
    "幸福",
    "阳光",
    "花园",
    "丽景",
    "翠苑",
    "金桥",
    "银河",
    "锦绣",
    "春晖",
    "柳岸",
    "枫林",
    "桂园",
    "荷塘",
    "松涛",
    "兰亭",
    "梅岭",
    "竹林",
    "杏坛",
    "碧水",
    "蓝天",
    "滨江",
    "湖畔",
    "古城",
    "新村",
    "南苑",
    "北苑",
    "东苑",
    "西苑",
)
PLACES = (
    "1号楼",
    "3号楼",
    "5号楼",
    "7号楼",
    "12号楼",
    "东门",
    "西门",
    "南门",
    "北区",
    "中心花园",
    "地下车库",
    "菜市场旁",
    "幼儿园门口",
    "篮球场",
    "老年活动室",
    "物业楼",
    "2单元",
    "消防通道",
    "健身广场",
    "垃圾站",
)
BUILDINGS = tuple(f"{n}号楼" for n in range(1, 41))
#: category key -> title templates ({p}: a place, {b}: a building)
TITLES = {
    "parking": (
        "小区停车难，建议夜间开放临时车位",
        "{p}电动车乱停放问题",
        "{p}增设非机动车停车棚",
        "规范{p}机动车停车秩序",
        "{p}共享单车占道，建议划定停放区",
        "地下车库车位分配方案征求意见",
    ),
    "environment": (
        "{p}垃圾分类投放点改造",
        "{p}绿化带缺乏养护",
        "增设{p}垃圾分类督导员",
        "{p}污水井异味",
        "{p}宠物粪便清理倡议",
    ),
    "elderly": ("老年食堂增加午餐品种", "{p}加装扶手方便老人", "为独居老人开展定期探访", "{p}增设休息座椅", "周末便民理发服务"),
    "property": (
        "{b}加装电梯",
        "{b}加装电梯意见征集",
        "{b}电梯经常停运",
        "{b}外墙渗水维修",
        "物业费公示不清",
        "{p}门禁系统经常失灵",
    ),
    "safety": ("{p}楼道灯经常不亮", "{p}消防通道被占用", "{p}增设监控探头", "{p}路面结冰防滑", "{p}电动车楼道充电隐患"),
    "culture": ("{p}广场舞音量扰民", "{p}健身器材维修", "组织社区读书会", "暑期少儿托管活动", "{p}开放乒乓球台"),
    "other": ("{p}增设快递柜", "{p}信报箱更换", "{p}公告栏更新不及时", "{p}增设便民雨伞架", "社区公众号发布信息太少"),
}
SENTENCES = (
    "这个问题已经存在很长时间了，很多邻居都有同感。",
    "老人和孩子出入很不方便，存在安全隐患。",
    "建议居委会和物业一起研究一个解决方案。",
    "可以先试行三个月，再根据大家的意见调整。",
    "周边小区已经有类似的做法，效果不错。",
    "希望能在下次居民议事会上讨论。",
    "费用可以从公共收益中列支，并按季度公示。",
    "物业说需要业主大会同意，请居委会协调。",
    "夜里噪音比较大，影响休息。",
    "建议设置告示牌并安排志愿者引导。",
    "我愿意参加志愿服务，帮助落实。",
)
COMMENTS = (
    "支持！",
    "同意楼主的意见。",
    "这个问题我也遇到过，希望尽快解决。",
    "我觉得可以先试点，看看效果。",
    "费用怎么分摊需要说清楚。",
    "建议分时段开放。",
    "物业应该出面协调。",
    "老人多的楼栋更需要。",
    "赞成，但要注意噪音。",
    "能不能先公示一下方案细节？",
    "去年也提过，没有下文。",
    "谢谢居委会的回复。",
    "我们单元的邻居都同意。",
    "反对，理由是占用了绿地。",
    "希望投票前能开个说明会。",
)
REPLIES = ("同意你的看法。", "我补充一点：晚上更严重。", "说得对。", "这个要看具体方案。", "已经反映给物业了。", "+1")
DECISIONS = ("同意实施，由物业负责具体落实。", "部分采纳，先行试点三个月。", "采纳居民意见，纳入年度计划。")
RESPONSIBLE = ("物业服务中心", "居委会", "业委会", "街道城管科", "社区志愿者服务队")
REJECT_REASONS = ("属于物业日常报修，已转交物业处理。", "与已有议题重复，请到原议题附议。", "不属于本社区议事范围。")
ACTIVITIES = (
    ("volunteer", "{p}环境清洁志愿服务"),
    ("volunteer", "垃圾分类宣传督导"),
    ("volunteer", "关爱独居老人上门探访"),
    ("volunteer", "{p}文明停车劝导"),
    ("volunteer", "防诈骗宣传进楼栋"),
    ("party", "党员先锋岗：{p}巡查"),
    ("party", "主题党日：为民办实事"),
    ("meeting", "{p}居民议事会"),
    ("meeting", "加装电梯政策说明会"),
)
WORK_UNITS = ("区人民医院", "市第三中学", "区税务局", "市供电公司", "区人民法院", "市图书馆", "区教育局", "市自来水公司")
REWARDS = (("洗衣液一瓶", 50), ("理发券一张", 30), ("米一袋", 80))
REQUEST_TEXTS = {
    "property": ("电梯停运，老人上下楼困难。", "单元门禁坏了，陌生人随意进出。", "楼道堆满杂物无人清理。"),
    "sanitation": ("垃圾桶满了没人清运，气味很大。", "下水道堵塞，污水外溢。"),
    "parking": ("消防通道被私家车占用。", "小区停车难，车辆占用人行道。", "地下车库车位被长期占用。"),
    "noise": ("楼上每晚十点后装修，影响休息。", "广场舞音响声音太大。"),
    "repairs": ("楼道声控灯坏了。", "外墙渗水，家里墙面发霉。", "屋顶漏雨。"),
    "safety": ("外墙瓷砖松动，有掉落危险。", "井盖缺失，夜间很危险。"),
    "other": ("建议增设快递柜。", "小区路灯不亮。"),
}
RESOLUTIONS = ("物业已维修完毕。", "已协调相关单位处理完毕。", "已清理完毕，恢复正常。", "已与当事人沟通解决。")


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def topic_text(rng: random.Random, key: str) -> tuple[str, str, str | None]:
    place = rng.choice(PLACES)
    title = rng.choice(TITLES.get(key, TITLES["other"])).format(p=place, b=rng.choice(BUILDINGS))
    paragraphs = ["".join(rng.sample(SENTENCES, rng.randint(2, 4))) for _ in range(rng.randint(1, 3))]
    return title, "\n\n".join(paragraphs), place if rng.random() < 0.6 else None


def household(rng: random.Random) -> tuple[str, str, str]:
    """A flat: building, unit, room."""
    return str(rng.randint(1, 40)), str(rng.randint(1, 3)), f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
