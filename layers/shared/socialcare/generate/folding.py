"""One spelling for the guards: a reply is folded before any pattern judges it, so that the same
words written another way cannot slip past.

- NFKC: full-width letters and digits (ｈｔｔｐｓ, ４), compatibility forms;
- invisible characters (zero-width spaces and joiners, soft hyphens) removed;
- confusables: Cyrillic and Greek letters that look Latin (the "а" of "аpproved") read as Latin;
- Traditional Chinese read as Simplified for the characters that differ (保證 -> 保证, 賠償 ->
  赔偿), so one Simplified pattern covers both scripts.

Folding maps one character to one character (or none), in one pass: linear in the text.
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
# Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables, the common subset).
_CONFUSABLE_FROM = "аеорсухіјѕԁһӏԛԝвкмнтАВЕКМНОРСТХІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧıɡ‘’ʼ`´“”"
_CONFUSABLE_TO = "aeopcyxijsdhlqwbkmhtABEKMHOPCTXIJSabeiknoptuxABEZHIKMNOPTYXig'''''\"\""
# Traditional characters and their Simplified forms: those that customer-care text uses.
_TRADITIONAL = (
    "與專業東絲兩嚴喪個豐臨為麗舉麼義烏樂喬習鄉書買亂爭於虧雲亞產畝親億僅從侖倉儀們價眾優夥會傘偉傳"
    "傷倫偽體餘傭僉俠侶僥偵側僑儈儂儉債傾僕僅億儲兒兌黨蘭關興養獸內岡冊寫軍農馮沖決況凍淨涼減湊"
    "凜幾鳳憑凱擊鑿劃劉則剛創刪別剎剄劑剝劇勸辦務動勵勁勞勢勳匯區醫華協單賣盧衛卻廠廳歷厲壓厭參"
    "雙發變敘疊號嘆嚇嗎嘯啟嚴員響哢唄喲喚囑團園圍國圖圓聖場壞塊堅壇壩墳墜壟壘墾執報墊壺處備復夠"
    "頭誇夾奪奮獎妝婦媽嬌嫻孫學寧寶實寵審憲宮寬賓寢對尋導將爾塵嘗屍層屬岡島峽幣帥師帳帶幫幹廣"
    "莊慶應廢開異棄張彌彎彈歸當錄徹徑後從衝復態總戀恥悅懇惡惱悶悵愛慣憂懲懷憤懶戰戲戶執擴掃揚"
    "擾撫搶護報擔擬據擁擇擋揮損換撈挾摯擠擺攝擲撲撥擱攪攜擬敗敵數斂斷無舊時曠曉暈暫書會朧術東"
    "條來楊極構樣標權橫檢槍榮樹機橋殘殺氣漢沒溝沈澤潔灑灘濃涼淚漲漸漁測濟滅溫滿濾濫灣災點為煉"
    "煩燒熱燈營愛爺牆狀猶獨獲獄環現璽瓏產電畫暢當療癒盡監盤著睜矯礦碼確碩禮禍禪離種積稱穩窮窩"
    "竊競筆節範築簡籃類糧紀約紅紋納紐純紗紙級紛素紡索緊累細紳終組絆結絕絡給統絲經綁綜綠維網線緣"
    "編練緒緻縣總績繁織繞繩繳繼續纏罰罷羅義習翹聞聯聲職聽肅腦膚腳臉臨興舉艙藝節莊葉蔣蘇藥虛號"
    "蟲蠶補裝裡製複襲見規視覽覺觀觸計訂認討讓訓議訊記講許論設訪證評詞試詩誠話該詳語誤說請諸"
    "課誰調談諒論謀謝謠謹證識譜警譯議護讀變讚貝負貞財貢貧貨販貪責貫貴費貼貿資賀賄賊賓賴賺購賽"
    "贈贊贏趕趙趨跡踐躍車軌軟軸較載輔輕輛輝輩輪輯輸轉轎辦辭邊遞遠適遲遷選遺鄰鄭醜釋針釘鈔鈕鈴"
    "銀銅銘銷鋪鋒鋼錄錢錯鍵鍾鎖鎮鏡鐘鐵鑑長門閃閉問閒間閱闆闊闖關陽陰陣陳陸隊階際隨險隱隻雖"
    "雙雜雞離難電靈靜響頁頂項順須預頓領頻題額顏願類顧顯風飛飯飲飾餅養餐館馬駐驗驚體髮鬥魚鳥"
    "鹽麥黃齊齒龍龜週錶準擔賠償贖違諾郵遊運過達違訴愿債鈞憑戶帳單據擔罷這賬裏繫係歡"
)
_SIMPLIFIED = (
    "与专业东丝两严丧个丰临为丽举么义乌乐乔习乡书买乱争于亏云亚产亩亲亿仅从仑仓仪们价众优伙会伞伟传"
    "伤伦伪体余佣佥侠侣侥侦侧侨侩侬俭债倾仆仅亿储儿兑党兰关兴养兽内冈册写军农冯冲决况冻净凉减凑"
    "凛几凤凭凯击凿划刘则刚创删别刹刭剂剥剧劝办务动励劲劳势勋汇区医华协单卖卢卫却厂厅历厉压厌参"
    "双发变叙叠号叹吓吗啸启严员响咔呗哟唤嘱团园围国图圆圣场坏块坚坛坝坟坠垄垒垦执报垫壶处备复够"
    "头夸夹夺奋奖妆妇妈娇娴孙学宁宝实宠审宪宫宽宾寝对寻导将尔尘尝尸层属冈岛峡币帅师帐带帮干广"
    "庄庆应废开异弃张弥弯弹归当录彻径后从冲复态总恋耻悦恳恶恼闷怅爱惯忧惩怀愤懒战戏户执扩扫扬"
    "扰抚抢护报担拟据拥择挡挥损换捞挟挚挤摆摄掷扑拨搁搅携拟败敌数敛断无旧时旷晓晕暂书会胧术东"
    "条来杨极构样标权横检枪荣树机桥残杀气汉没沟沉泽洁洒滩浓凉泪涨渐渔测济灭温满滤滥湾灾点为炼"
    "烦烧热灯营爱爷墙状犹独获狱环现玺珑产电画畅当疗愈尽监盘着睁矫矿码确硕礼祸禅离种积称稳穷窝"
    "窃竞笔节范筑简篮类粮纪约红纹纳纽纯纱纸级纷素纺索紧累细绅终组绊结绝络给统丝经绑综绿维网线缘"
    "编练绪致县总绩繁织绕绳缴继续缠罚罢罗义习翘闻联声职听肃脑肤脚脸临兴举舱艺节庄叶蒋苏药虚号"
    "虫蚕补装里制复袭见规视览觉观触计订认讨让训议讯记讲许论设访证评词试诗诚话该详语误说请诸"
    "课谁调谈谅论谋谢谣谨证识谱警译议护读变赞贝负贞财贡贫货贩贪责贯贵费贴贸资贺贿贼宾赖赚购赛"
    "赠赞赢赶赵趋迹践跃车轨软轴较载辅轻辆辉辈轮辑输转轿办辞边递远适迟迁选遗邻郑丑释针钉钞钮铃"
    "银铜铭销铺锋钢录钱错键钟锁镇镜钟铁鉴长门闪闭问闲间阅板阔闯关阳阴阵陈陆队阶际随险隐只虽"
    "双杂鸡离难电灵静响页顶项顺须预顿领频题额颜愿类顾显风飞饭饮饰饼养餐馆马驻验惊体发斗鱼鸟"
    "盐麦黄齐齿龙龟周表准担赔偿赎违诺邮游运过达违诉愿债钧凭户账单据担罢这账里系系欢"
)
_TABLE = str.maketrans(_CONFUSABLE_FROM + _TRADITIONAL, _CONFUSABLE_TO + _SIMPLIFIED, _INVISIBLE)


def fold(text: str) -> str:
    """The text as the guards read it (never what is sent): NFKC, without invisible characters,
    confusables as Latin, Traditional Chinese as Simplified."""
    return unicodedata.normalize("NFKC", text).translate(_TABLE)
