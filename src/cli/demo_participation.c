/*
 * Demo participation (公众参与) for `bianmin demo`: a suggestion campaign of 西田各庄镇 open
 * now, with a resident's suggestion answered and one waiting, and a hearing on a village
 * matter in two weeks with registration open, so that the public pages show something.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/calendar.h"
#include "core/participation.h"
#include "util/time.h"

#define DAY 86400 /* seconds */

enum bm_rc
cli_demo_participation(struct bm_store *st, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(1 << 20);
    struct bm_org_unit *us = NULL;
    struct bm_user admin, citizen;
    struct bm_campaign c;
    struct bm_campaign_submission s;
    struct bm_hearing h;
    const char *hash;
    int64_t now = bm_now(), town = 0, cid = 0, sid = 0, hid = 0;
    bm_day today = bm_day_of_instant(now);
    size_t n = 0;
    enum bm_rc rc;

    rc = bm_store_org_list(st, "", a, &us, &n, err);
    for (size_t i = 0; rc == BM_OK && i < n; i++)
        if (strcmp(us[i].name, "西田各庄镇") == 0)
            town = us[i].id;
    if (rc == BM_OK)
        rc = bm_store_user_get_login(st, "xtgz_admin", a, &admin, &hash, err);
    if (rc == BM_OK)
        rc = bm_store_user_get_login(st, "citizen", a, &citizen, &hash, err);
    if (rc != BM_OK || town == 0) {
        bm_arena_free(a);
        return rc;
    }
    rc = bm_store_begin(st, err);

    memset(&c, 0, sizeof(c));
    c.unit_id = town;
    c.created_by = admin.id;
    c.title = "西田各庄镇2027年为民办实事项目征集";
    c.description = "围绕养老、托育、道路、饮水和农村人居环境，征集明年由镇政府办理的民生实事建议。"
                    "采纳的建议将提交镇人民代表大会票决。";
    c.open_from = today - 10;
    c.open_until = today + 20;
    if (rc == BM_OK)
        rc = bm_store_campaign_insert(st, &c, now - 10 * DAY, &cid, err);
    memset(&s, 0, sizeof(s));
    s.campaign_id = cid;
    s.user_id = citizen.id;
    s.author_masked = "吴*梅";
    s.content = "建议在西田各庄村增设老年餐桌，解决独居老人午餐问题。";
    if (rc == BM_OK)
        rc = bm_store_submission_insert(st, &s, now - 8 * DAY, &sid, err);
    if (rc == BM_OK)
        rc = bm_store_submission_respond(st, cid, sid,
                                         "感谢建议。镇民政科已会同村委会选址，拟列入明年实事项目候选。",
                                         admin.id, now - 5 * DAY, err);
    s.content = "建议对董各庄村至镇区的道路加装路灯。";
    if (rc == BM_OK)
        rc = bm_store_submission_insert(st, &s, now - 2 * DAY, &sid, err);

    memset(&h, 0, sizeof(h));
    h.unit_id = town;
    h.created_by = admin.id;
    h.kind = bm_hearing_kind_code(BM_HEARING_HEARING);
    h.title = "西田各庄村集体土地流转方案听证会";
    h.matter = "村集体约120亩耕地拟统一流转用于设施农业，听取村民和利害关系人意见。";
    h.place = "西田各庄村村民委员会会议室";
    (void)bm_participation_instant(today + 14, "09:00", &h.starts_at);
    h.capacity = 30;
    h.register_until = today + 11;
    if (rc == BM_OK)
        rc = bm_store_hearing_insert(st, &h, now, &hid, err);
    if (rc == BM_OK)
        rc = cli_audit(st, "demo.participation", "campaign", cid, "{\"campaigns\":1,\"hearings\":1}",
                       err);
    if (rc == BM_OK)
        rc = bm_store_commit(st, err);
    bm_store_rollback(st);
    bm_arena_free(a);
    return rc;
}
