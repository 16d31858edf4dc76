#!/usr/bin/env python3
"""Generates a large catalog import file for the search benchmark.

Takes the demo catalog (data/demo/catalog.json) and writes N items (default 10,000) in the
same import format: every demo item in many local variants (a township, a village or a
service scenario added to the name, as county catalogs split items by 情形), so names stay
realistic Chinese and search terms hit many rows. Usage: gen_catalog.py N OUT.json
"""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
out = sys.argv[2] if len(sys.argv) > 2 else "catalog-large.json"
demo = json.load(open("data/demo/catalog.json", encoding="utf-8"))["items"]
scenes = ["新办", "变更", "延续", "注销", "补办", "年审", "迁入", "迁出", "复核", "停发",
          "恢复", "调整", "首次申请", "续期", "转移", "撤销", "异地", "代办", "预约", "网上"]
places = ["鼓楼", "果园", "檀营", "密云", "溪翁庄", "西田各庄", "十里堡", "河南寨", "巨各庄",
          "穆家峪", "太师屯", "高岭", "不老屯", "冯家峪", "古北口", "大城子", "东邵渠", "北庄",
          "新城子", "石城"]
items = []
i = 0
while len(items) < n:
    base = demo[i % len(demo)]
    k = i // len(demo)
    it = dict(base)
    it["code"] = "BENCH-%06d" % i
    it["name"] = "%s（%s·%s）" % (base["name"], places[k % len(places)], scenes[(k // len(places)) % len(scenes)])
    items.append(it)
    i += 1
json.dump({"items": items}, open(out, "w", encoding="utf-8"), ensure_ascii=False)
print("wrote %d items to %s" % (len(items), out))
