"""Names the entity rules look up: account tiers, countries and cities (English and Chinese)."""

from __future__ import annotations

ACCOUNT_TYPES = (
    "freemium", "free", "basic", "standard", "premium", "pro", "plus", "gold", "platinum",
    "silver", "business", "family", "student", "enterprise", "vip",
)  # fmt: skip

COUNTRIES = frozenset(
    """Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|
    Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia|
    Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Chad|Chile|China|
    Colombia|Congo|Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|Dominica|
    Dominican Republic|Ecuador|Egypt|El Salvador|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|
    Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guyana|Haiti|Honduras|
    Hong Kong|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Jamaica|Japan|Jordan|
    Kazakhstan|Kenya|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|
    Lithuania|Luxembourg|Macau|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Mauritania|Mauritius|
    Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nepal|Netherlands|
    New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|Pakistan|Panama|
    Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda|Saudi Arabia|Senegal|
    Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|Somalia|South Africa|South Korea|
    Korea|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|
    Thailand|Togo|Tunisia|Turkey|Turkmenistan|Uganda|Ukraine|United Arab Emirates|UAE|
    United Kingdom|UK|Great Britain|England|Scotland|Wales|United States|United States of America|
    USA|US|America|Uruguay|Uzbekistan|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe|
    中国|美国|英国|法国|德国|日本|韩国|加拿大|澳大利亚|新西兰|俄罗斯|意大利|西班牙|葡萄牙|荷兰|比利时|
    瑞士|瑞典|挪威|丹麦|芬兰|爱尔兰|奥地利|波兰|匈牙利|希腊|土耳其|印度|印度尼西亚|马来西亚|新加坡|泰国|
    越南|菲律宾|巴西|阿根廷|墨西哥|智利|南非|埃及|阿联酋|沙特|以色列|台湾|香港|澳门""".replace(
        "\n", ""
    )
    .replace("    ", "")
    .split("|")
)

CITIES = frozenset(
    """Amsterdam|Athens|Atlanta|Auckland|Austin|Bangkok|Barcelona|Beijing|Berlin|Birmingham|Bogota|
    Boston|Brisbane|Brussels|Bucharest|Budapest|Buenos Aires|Cairo|Calgary|Cape Town|Chicago|
    Copenhagen|Dallas|Delhi|Denver|Detroit|Dubai|Dublin|Edinburgh|Frankfurt|Geneva|Glasgow|
    Guangzhou|Hamburg|Hanoi|Helsinki|Houston|Istanbul|Jakarta|Johannesburg|Kyoto|Lagos|Las Vegas|
    Leeds|Lima|Lisbon|Liverpool|London|Los Angeles|Lyon|Madrid|Manchester|Manila|Marseille|
    Melbourne|Miami|Milan|Montreal|Moscow|Mumbai|Munich|Nairobi|Naples|New Delhi|New York|Osaka|
    Oslo|Ottawa|Paris|Perth|Philadelphia|Phoenix|Porto|Prague|Rio de Janeiro|Riyadh|Rome|Rotterdam|
    San Diego|San Francisco|Santiago|Sao Paulo|Seattle|Seoul|Seville|Shanghai|Shenzhen|Singapore|
    Stockholm|Sydney|Taipei|Tel Aviv|Tokyo|Toronto|Valencia|Vancouver|Vienna|Warsaw|Washington|
    Zurich|北京|上海|广州|深圳|杭州|南京|成都|重庆|武汉|西安|天津|苏州|长沙|郑州|青岛|厦门|大连|沈阳|
    哈尔滨|昆明|福州|济南|合肥|南昌|宁波|无锡|东莞|佛山|珠海|台北|伦敦|巴黎|纽约|东京|首尔|柏林|悉尼""".replace(
        "\n", ""
    )
    .replace("    ", "")
    .split("|")
)
