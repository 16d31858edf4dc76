/*
 * Operations endpoints (liveness, readiness, Prometheus metrics) and the enumeration
 * dictionary the UI uses to show Chinese names for API codes.
 */
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "core/case.h"
#include "core/delegation.h"
#include "core/evaluation.h"
#include "core/item.h"
#include "core/org.h"
#include "core/rating.h"
#include "core/roles.h"
#include "util/buf.h"
#include "util/metrics.h"

enum bm_rc
bm_api_healthz(struct bm_req *rq, struct bm_resp *rs)
{
    return bm_json_reply(rq, rs, 200, json_pack("{s:s}", "status", "ok"));
}

enum bm_rc
bm_api_readyz(struct bm_req *rq, struct bm_resp *rs)
{
    enum bm_rc rc = bm_store_ping(rq->store, &rq->err);
    if (rc != BM_OK) {
        rq->err.retry_after_s = 5;
        return bm_err_set(&rq->err, BM_EBUSY, "数据库不可用");
    }
    /* Reads still work, but no write can be confirmed any more: not ready for traffic. */
    if (bm_store_sync_failed(rq->store)) {
        rq->err.retry_after_s = 60;
        return bm_err_set(&rq->err, BM_EBUSY,
                          "数据写入磁盘失败，新的写入无法确认：请检查磁盘后重启服务");
    }
    return bm_json_reply(rq, rs, 200, json_pack("{s:s}", "status", "ready"));
}

enum bm_rc
bm_api_metrics(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_buf b;
    enum bm_rc rc;

    bm_buf_init(&b, (size_t)1 << 20);
    rc = bm_metrics_render(&b);
    if (rc != BM_OK) {
        bm_buf_fini(&b);
        return bm_err_set(&rq->err, rc, "无法生成指标");
    }
    rs->body = bm_buf_detach(&b, &rs->body_len);
    rs->status = 200;
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return BM_OK;
}

enum bm_rc
bm_api_enums(struct bm_req *rq, struct bm_resp *rs)
{
    json_t *roles = json_array(), *kinds = json_array(), *modes = json_array();
    static const char *mode_zh[BM_MGMT_COUNT] = {"无", "乡镇管理", "县直部门派驻", "双重管理"};

    for (int i = 0; i < BM_ROLE_COUNT; i++)
        json_array_append_new(roles, json_pack("{s:s,s:s}", "code", bm_role_code(bm_role_at(i)),
                                               "name", bm_role_name_zh(bm_role_at(i))));
    for (int k = 0; k < BM_ORG_KIND_COUNT; k++)
        json_array_append_new(kinds, json_pack("{s:s,s:s}", "code",
                                               bm_org_kind_code((enum bm_org_kind)k), "name",
                                               bm_org_kind_name_zh((enum bm_org_kind)k)));
    for (int m = 1; m < BM_MGMT_COUNT; m++)
        json_array_append_new(modes, json_pack("{s:s,s:s}", "code",
                                               bm_mgmt_mode_code((enum bm_mgmt_mode)m), "name",
                                               mode_zh[m]));
    {
        static const struct {
            const char *key;
            const struct bm_code *table;
        } item_enums[] = {
            {"item_types", bm_item_types},           {"item_categories", bm_item_categories},
            {"service_objects", bm_item_objects},    {"item_levels", bm_item_levels},
            {"case_kinds", bm_item_case_kinds},      {"result_types", bm_item_results},
            {"delivery_methods", bm_item_deliveries}, {"item_statuses", bm_item_statuses},
            {"material_sources", bm_material_sources},
            {"power_types", bm_power_types},
            {"case_statuses", bm_case_statuses},     {"case_actions", bm_case_actions},
            /* ratings (好差评) and rectification of bad ratings */
            {"rating_reasons", bm_rating_reasons},   {"rating_channels", bm_rating_channels},
            {"rectification_statuses", bm_rect_statuses},
            {"rectification_actions", bm_rect_actions},
            /* township performance evaluation (绩效考核); [0] of sources and rules is the
             * inner node's "", not a choice */
            {"evaluation_sources", &bm_eval_sources[1]},
            {"evaluation_rules", &bm_eval_rules[1]},
            {"evaluation_township_types", bm_eval_township_types},
            {"evaluation_grades", bm_eval_grades},
            {"evaluation_period_statuses", bm_eval_period_statuses},
            {"evaluation_follow_up_kinds", bm_eval_followup_kinds},
        };
        json_t *root = json_pack("{s:o,s:o,s:o}", "roles", roles, "org_kinds", kinds,
                                 "management_modes", modes);
        for (size_t e = 0; e < sizeof(item_enums) / sizeof(item_enums[0]); e++) {
            json_t *list = json_array();
            for (size_t i = 0; item_enums[e].table[i].code != NULL; i++)
                json_array_append_new(list, json_pack("{s:s,s:s}", "code",
                                                      item_enums[e].table[i].code, "name",
                                                      item_enums[e].table[i].zh));
            json_object_set_new(root, item_enums[e].key, list);
        }
        return bm_json_reply(rq, rs, 200, root);
    }
}
