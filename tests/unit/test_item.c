/*
 * Unit tests for src/core/item.c: the catalog's code tables, bm_item_check (what every stored
 * item, a draft too, must satisfy), bm_item_check_publish (the consistency rules of
 * docs/domain.md section 1.6 as implemented), splitting a search text into terms, and item
 * codes. Each case starts from one fully valid licence item and changes one thing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/item.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* `n` copies of `unit` into out (which must be large enough). */
static char *
repeat(char *out, const char *unit, int n)
{
    size_t len = strlen(unit);

    out[0] = '\0';
    for (int i = 0; i < n; i++)
        memcpy(out + len * (size_t)i, unit, len + 1);
    return out;
}

/* ---- code tables ---------------------------------------------------------------------- */

static void
test_code_tables(void **state)
{
    static const struct {
        const char *what;
        const struct bm_code *table;
        size_t count;
        const char *first, *last;
    } tables[] = {
        {"types", bm_item_types, 8, "permit", "other"},
        {"categories", bm_item_categories, 17, "education", "other"},
        {"objects", bm_item_objects, 2, "natural_person", "legal_person"},
        {"levels", bm_item_levels, 2, "county", "township"},
        {"case kinds", bm_item_case_kinds, 4, "immediate", "joint"},
        {"results", bm_item_results, 3, "certificate", "other"},
        {"deliveries", bm_item_deliveries, 3, "window", "online"},
        {"statuses", bm_item_statuses, 4, "draft", "retired"},
        {"sources", bm_material_sources, 3, "applicant", "shared"},
    };

    (void)state;
    for (size_t t = 0; t < N(tables); t++) {
        const struct bm_code *tb = tables[t].table;
        size_t n = bm_code_count(tb);

        if (n != tables[t].count)
            fail_msg("%s: %zu entries, want %zu", tables[t].what, n, tables[t].count);
        assert_string_equal(tb[0].code, tables[t].first);
        assert_string_equal(tb[n - 1].code, tables[t].last);
        assert_null(tb[n].zh); /* the terminator is {NULL, NULL} */
        for (size_t i = 0; i < n; i++) {
            /* Every code finds itself, has a Chinese name, and appears once. */
            assert_int_equal(bm_code_find(tb, tb[i].code), (int)i);
            assert_non_null(tb[i].zh);
            assert_true(strlen(tb[i].zh) > 0);
            for (size_t j = 0; j < i; j++) {
                assert_string_not_equal(tb[i].code, tb[j].code);
                assert_string_not_equal(tb[i].zh, tb[j].zh);
            }
        }
        /* Unknown, empty, differently cased or NULL codes are not found. */
        assert_int_equal(bm_code_find(tb, "no_such_code"), -1);
        assert_int_equal(bm_code_find(tb, ""), -1);
        assert_int_equal(bm_code_find(tb, NULL), -1);
    }
    assert_int_equal(bm_code_find(bm_item_types, "Permit"), -1);
    assert_int_equal(bm_code_find(bm_item_types, "permit "), -1);
    assert_int_equal(bm_code_find(bm_item_types, "permi"), -1);
    assert_int_equal(bm_code_find(bm_item_types, "public_service"), 6);
    assert_int_equal(bm_code_find(bm_item_categories, "social_insurance"), 2);
    assert_string_equal(bm_item_types[0].zh, "行政许可");

    /* The enums and bit masks of item.h agree with the tables. */
    assert_int_equal(bm_code_find(bm_item_statuses, "draft"), BM_ITEM_DRAFT);
    assert_int_equal(bm_code_find(bm_item_statuses, "published"), BM_ITEM_PUBLISHED);
    assert_int_equal(bm_code_find(bm_item_statuses, "superseded"), BM_ITEM_SUPERSEDED);
    assert_int_equal(bm_code_find(bm_item_statuses, "retired"), BM_ITEM_RETIRED);
    assert_int_equal(bm_code_find(bm_item_case_kinds, "immediate"), BM_CASE_KIND_IMMEDIATE);
    assert_int_equal(bm_code_find(bm_item_case_kinds, "promised"), BM_CASE_KIND_PROMISED);
    assert_int_equal(bm_code_find(bm_material_sources, "applicant"), BM_SOURCE_APPLICANT);
    assert_int_equal(bm_code_find(bm_material_sources, "government"), BM_SOURCE_GOVERNMENT);
    assert_int_equal(bm_code_find(bm_material_sources, "shared"), BM_SOURCE_SHARED);
    assert_int_equal(1u << bm_code_find(bm_item_objects, "natural_person"), BM_OBJECT_NATURAL);
    assert_int_equal(1u << bm_code_find(bm_item_objects, "legal_person"), BM_OBJECT_LEGAL);
    assert_int_equal(1u << bm_code_find(bm_item_deliveries, "window"), BM_DELIVERY_WINDOW);
    assert_int_equal(1u << bm_code_find(bm_item_deliveries, "post"), BM_DELIVERY_POST);
    assert_int_equal(1u << bm_code_find(bm_item_deliveries, "online"), BM_DELIVERY_ONLINE);
}

/* ---- item codes ----------------------------------------------------------------------- */

static void
test_code_valid(void **state)
{
    char s36[40], s37[40];
    const struct {
        const char *code;
        bool ok;
    } cases[] = {
        {"a", true},
        {"0", true},
        {"XK00001000", true},
        {"11011800-XK_01.a", true},
        {"511A0138000000-511602000000-000-1", true},
        {"-_.", true},
        {repeat(s36, "9", 36), true},
        {repeat(s37, "9", 37), false},
        {"", false},
        {NULL, false},
        {"XK 001", false},
        {" XK001", false},
        {"XK001\n", false},
        {"XK/001", false},
        {"XK:001", false},
        {"XK#001", false},
        {"XK%001", false},
        {"事项001", false},
        {"ＸＫ001", false}, /* full-width letters */
    };

    (void)state;
    for (size_t i = 0; i < N(cases); i++)
        if (bm_item_code_valid(cases[i].code) != cases[i].ok)
            fail_msg("code \"%s\": got %d, want %d", cases[i].code ? cases[i].code : "(null)",
                     !cases[i].ok, cases[i].ok);
}

/* ---- the base item and the table machinery --------------------------------------------- */

static struct bm_material mats[BM_ITEM_MAX_MATERIALS + 2];
static char big[4096]; /* long names built by the mutators */

static void
fill_material(struct bm_material *m, const char *name)
{
    memset(m, 0, sizeof(*m));
    m->name = name;
    m->required = true;
    m->original_count = 1;
    m->copy_count = 1;
    m->source = BM_SOURCE_APPLICANT;
    m->notes = "";
    m->form_url = "";
}

/* A complete licence item of a township that passes both checks. */
static struct bm_item
base_item(void)
{
    struct bm_item it = {
        .code = "11011810200-XK-0001",
        .catalog_code = "XK00001000",
        .name = "乡村建设规划许可证核发",
        .type = 0, /* permit */
        .category = (int)bm_code_count(bm_item_categories) - 1,
        .level = 1,
        .case_kind = BM_CASE_KIND_PROMISED,
        .result_type = 0,
        .objects = BM_OBJECT_NATURAL | BM_OBJECT_LEGAL,
        .deliveries = BM_DELIVERY_WINDOW | BM_DELIVERY_POST,
        .implementing_unit_id = 4,
        .conditions = "在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设",
        .legal_basis = "《中华人民共和国城乡规划法》第四十一条",
        .process = "受理、审核、办结、送达",
        .faq = "问：需要提交哪些材料？答：见材料清单。",
        .keywords = "建房 规划 许可证",
        .legal_days = 20,
        .promised_days = 10,
        .is_fee = false,
        .fee_standard = "",
        .fee_basis = "",
        .visits = 1,
        .visits_reason = "需现场核验原件",
        .online_depth = 2,
        .online_url = "https://zwfw.example.gov.cn/item/1",
        .county_wide = true,
        .result_name = "乡村建设规划许可证",
        .consult_phone = "010-69041234",
        .complaint_phone = "12345",
        .window_address = "溪翁庄镇便民服务中心2号窗口",
        .office_hours = "工作日 9:00-17:00",
        .materials = mats,
        .n_materials = 3,
    };

    memset(mats, 0, sizeof(mats));
    fill_material(&mats[0], "居民身份证");
    fill_material(&mats[1], "农村宅基地使用证明");
    mats[1].source = BM_SOURCE_GOVERNMENT;
    mats[1].copy_count = 0;
    fill_material(&mats[2], "建设工程设计方案");
    mats[2].required = false;
    mats[2].original_count = 0;
    mats[2].copy_count = 2;
    mats[2].source = BM_SOURCE_SHARED;
    return it;
}

struct row {
    const char *what;
    void (*mut)(struct bm_item *it);
    const char *fields[4]; /* the per-field errors expected; none: the item passes */
};

#define MUT(fn, body) \
    static void fn(struct bm_item *it) { (void)it; body; }

/* Runs `check` on the base item changed by each row and compares the fields named. */
static void
run_rows(const char *check_name, enum bm_rc (*check)(const struct bm_item *, struct bm_err *),
         const struct row *rows, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        struct bm_item it = base_item();
        struct bm_err err;
        enum bm_rc rc;
        int want = 0;

        if (rows[r].mut != NULL)
            rows[r].mut(&it);
        bm_err_clear(&err);
        rc = check(&it, &err);
        while (want < 4 && rows[r].fields[want] != NULL)
            want++;
        if (want == 0) {
            if (rc != BM_OK || err.n_fields != 0)
                fail_msg("%s, %s: refused (%s: %s)", check_name, rows[r].what,
                         err.n_fields ? err.fields[0].field : "-",
                         err.n_fields ? err.fields[0].message : "-");
            continue;
        }
        if (rc != BM_EINVAL || err.rc != BM_EINVAL)
            fail_msg("%s, %s: accepted", check_name, rows[r].what);
        if (err.n_fields != want) {
            char got[512] = "";
            size_t k = 0;
            for (int i = 0; i < err.n_fields && i < BM_ERR_FIELDS; i++) {
                int w = snprintf(got + k, sizeof(got) - k, "%s ", err.fields[i].field);
                if (w < 0 || (size_t)w >= sizeof(got) - k)
                    break;
                k += (size_t)w;
            }
            fail_msg("%s, %s: %d errors (%s), want %d (first %s)", check_name, rows[r].what,
                     err.n_fields, got, want, rows[r].fields[0]);
        }
        for (int w = 0; w < want; w++) {
            bool found = false;
            for (int i = 0; i < err.n_fields && i < BM_ERR_FIELDS; i++)
                if (strcmp(err.fields[i].field, rows[r].fields[w]) == 0) {
                    found = true;
                    if (strlen(err.fields[i].message) == 0)
                        fail_msg("%s, %s: empty message on %s", check_name, rows[r].what,
                                 rows[r].fields[w]);
                }
            if (!found)
                fail_msg("%s, %s: no error on %s (first error on %s)", check_name,
                         rows[r].what, rows[r].fields[w], err.fields[0].field);
        }
    }
}

/* ---- bm_item_check ------------------------------------------------------------------- */

MUT(m_code_empty, it->code = "")
MUT(m_code_null, it->code = NULL)
MUT(m_code_space, it->code = "XK 0001")
MUT(m_code_chinese, it->code = "许可0001")
MUT(m_code_37, it->code = repeat(big, "A", 37))
MUT(m_code_36, it->code = repeat(big, "A", 36))
MUT(m_name_null, it->name = NULL)
MUT(m_name_empty, it->name = "")
MUT(m_name_1, it->name = "证")
MUT(m_name_2, it->name = "低保")
MUT(m_name_200, it->name = repeat(big, "办", 200)) /* 600 bytes: counted in characters */
MUT(m_name_201, it->name = repeat(big, "办", 201))
MUT(m_name_201_ascii, it->name = repeat(big, "a", 201))
MUT(m_type_neg, it->type = -1)
MUT(m_type_past, it->type = (int)bm_code_count(bm_item_types))
MUT(m_type_last, it->type = (int)bm_code_count(bm_item_types) - 1)
MUT(m_category_neg, it->category = -1)
MUT(m_category_past, it->category = (int)bm_code_count(bm_item_categories))
MUT(m_level_past, it->level = 2)
MUT(m_level_neg, it->level = -1)
MUT(m_case_kind_past, it->case_kind = 4)
MUT(m_case_kind_neg, it->case_kind = -1)
MUT(m_result_past, it->result_type = 3)
MUT(m_objects_none, it->objects = 0)
MUT(m_objects_unknown, it->objects = BM_OBJECT_NATURAL | 4u)
MUT(m_objects_legal, it->objects = BM_OBJECT_LEGAL)
MUT(m_deliveries_unknown, it->deliveries = BM_DELIVERY_POST | 8u)
MUT(m_unit_none, it->implementing_unit_id = 0)
MUT(m_unit_neg, it->implementing_unit_id = -3)
MUT(m_legal_neg, it->legal_days = -1)
MUT(m_legal_366, it->legal_days = 366; it->promised_days = 20)
MUT(m_legal_365, it->legal_days = 365; it->promised_days = 365)
MUT(m_promised_neg, it->promised_days = -1)
MUT(m_promised_366, it->legal_days = 0; it->promised_days = 366)
MUT(m_promised_over_legal, it->legal_days = 20; it->promised_days = 21)
MUT(m_promised_eq_legal, it->legal_days = 20; it->promised_days = 20)
MUT(m_promised_no_legal, it->legal_days = 0; it->promised_days = 30) /* no statutory limit */
MUT(m_visits_neg, it->visits = -1)
MUT(m_visits_10, it->visits = 10)
MUT(m_visits_9, it->visits = 9)
MUT(m_depth_neg, it->online_depth = -1)
MUT(m_depth_5, it->online_depth = 5)
MUT(m_depth_4, it->online_depth = 4)
MUT(m_mats_none, it->n_materials = 0)
MUT(m_mats_64, for (int i = 3; i < 64; i++) fill_material(&mats[i], "其他材料"); it->n_materials = 64)
MUT(m_mats_65, for (int i = 3; i < 65; i++) fill_material(&mats[i], "其他材料"); it->n_materials = 65)
MUT(m_mat_name_empty, mats[1].name = "")
MUT(m_mat_name_null, mats[0].name = NULL)
MUT(m_mat_name_201, mats[2].name = repeat(big, "材", 201))
MUT(m_mat_name_200, mats[2].name = repeat(big, "材", 200))
MUT(m_mat_name_12,
    for (int i = 3; i < 13; i++) fill_material(&mats[i], "其他材料"); mats[12].name = "";
    it->n_materials = 13)
MUT(m_mat_original_neg, mats[0].original_count = -1)
MUT(m_mat_original_100, mats[1].original_count = 100)
MUT(m_mat_copy_100, mats[2].copy_count = 100)
MUT(m_mat_copy_99, mats[2].copy_count = 99; mats[2].original_count = 99)
MUT(m_mat_source_past, mats[1].source = 3)
MUT(m_mat_source_neg, mats[2].source = -1)
MUT(m_mat_all_wrong, mats[1].name = ""; mats[1].copy_count = -2; mats[1].source = 7)
MUT(m_many,
    it->code = "bad code"; it->name = "x"; it->type = 99; it->legal_days = 400; it->visits = 12)
/* Publication-only gaps are no business of the draft check. */
MUT(m_draft_gaps,
    it->conditions = ""; it->legal_basis = ""; it->process = ""; it->faq = "";
    it->consult_phone = ""; it->complaint_phone = ""; it->window_address = "";
    it->deliveries = 0; it->visits_reason = "")

static void
test_item_check(void **state)
{
    static const struct row rows[] = {
        {"the base item", NULL, {NULL}},
        {"code empty", m_code_empty, {"code"}},
        {"code NULL", m_code_null, {"code"}},
        {"code with a space", m_code_space, {"code"}},
        {"code in Chinese", m_code_chinese, {"code"}},
        {"code of 37 characters", m_code_37, {"code"}},
        {"code of 36 characters", m_code_36, {NULL}},
        {"name NULL", m_name_null, {"name"}},
        {"name empty", m_name_empty, {"name"}},
        {"name of 1 character", m_name_1, {"name"}},
        {"name of 2 characters", m_name_2, {NULL}},
        {"name of 200 Chinese characters", m_name_200, {NULL}},
        {"name of 201 Chinese characters", m_name_201, {"name"}},
        {"name of 201 ASCII characters", m_name_201_ascii, {"name"}},
        {"type -1", m_type_neg, {"type"}},
        {"type past the table", m_type_past, {"type"}},
        {"type last in the table", m_type_last, {NULL}},
        {"category -1", m_category_neg, {"category"}},
        {"category past the table", m_category_past, {"category"}},
        {"level 2", m_level_past, {"level"}},
        {"level -1", m_level_neg, {"level"}},
        {"case kind 4", m_case_kind_past, {"case_kind"}},
        {"case kind -1", m_case_kind_neg, {"case_kind"}},
        {"result type 3", m_result_past, {"result_type"}},
        {"no service object", m_objects_none, {"service_objects"}},
        {"unknown service object bit", m_objects_unknown, {"service_objects"}},
        {"legal persons only", m_objects_legal, {NULL}},
        {"unknown delivery bit", m_deliveries_unknown, {"delivery_methods"}},
        {"no implementing unit", m_unit_none, {"implementing_unit_id"}},
        {"negative implementing unit", m_unit_neg, {"implementing_unit_id"}},
        {"legal days -1", m_legal_neg, {"legal_days"}},
        {"legal days 366", m_legal_366, {"legal_days"}},
        {"legal and promised days 365", m_legal_365, {NULL}},
        {"promised days -1", m_promised_neg, {"promised_days"}},
        {"promised days 366", m_promised_366, {"promised_days"}},
        {"promise beyond the statutory limit", m_promised_over_legal, {"promised_days"}},
        {"promise equal to the statutory limit", m_promised_eq_legal, {NULL}},
        {"promise without a statutory limit", m_promised_no_legal, {NULL}},
        {"visits -1", m_visits_neg, {"visits"}},
        {"visits 10", m_visits_10, {"visits"}},
        {"visits 9", m_visits_9, {NULL}},
        {"online depth -1", m_depth_neg, {"online_depth"}},
        {"online depth 5", m_depth_5, {"online_depth"}},
        {"online depth 4", m_depth_4, {NULL}},
        {"no materials", m_mats_none, {NULL}},
        {"64 materials", m_mats_64, {NULL}},
        {"65 materials", m_mats_65, {"materials"}},
        {"material name empty", m_mat_name_empty, {"materials[1].name"}},
        {"material name NULL", m_mat_name_null, {"materials[0].name"}},
        {"material name of 201 characters", m_mat_name_201, {"materials[2].name"}},
        {"material name of 200 characters", m_mat_name_200, {NULL}},
        {"13th material without a name", m_mat_name_12, {"materials[12].name"}},
        {"originals -1", m_mat_original_neg, {"materials[0].copies"}},
        {"originals 100", m_mat_original_100, {"materials[1].copies"}},
        {"copies 100", m_mat_copy_100, {"materials[2].copies"}},
        {"originals and copies 99", m_mat_copy_99, {NULL}},
        {"material source 3", m_mat_source_past, {"materials[1].source"}},
        {"material source -1", m_mat_source_neg, {"materials[2].source"}},
        {"one material wrong three ways", m_mat_all_wrong,
         {"materials[1].name", "materials[1].copies", "materials[1].source"}},
        {"publication gaps in a draft", m_draft_gaps, {NULL}},
    };

    (void)state;
    run_rows("bm_item_check", bm_item_check, rows, N(rows));
}

/* Every field error is reported at once, not only the first. */
static void
test_item_check_accumulates(void **state)
{
    static const char *const want[] = {"code", "name", "type", "legal_days", "visits"};
    struct bm_item it = base_item();
    struct bm_err err;

    (void)state;
    m_many(&it);
    bm_err_clear(&err);
    assert_int_equal(bm_item_check(&it, &err), BM_EINVAL);
    assert_int_equal(err.n_fields, (int)N(want));
    for (size_t i = 0; i < N(want); i++)
        assert_string_equal(err.fields[i].field, want[i]);
}

/* ---- bm_item_check_publish ------------------------------------------------------------ */

MUT(m_conditions_empty, it->conditions = "")
MUT(m_conditions_null, it->conditions = NULL)
MUT(m_basis_empty, it->legal_basis = "")
MUT(m_no_legal_days, it->legal_days = 0)
/* Rule 2: 即办件 iff the promise is 0. */
MUT(m_immediate, it->case_kind = BM_CASE_KIND_IMMEDIATE; it->legal_days = 0; it->promised_days = 0)
MUT(m_immediate_with_legal, it->case_kind = BM_CASE_KIND_IMMEDIATE; it->promised_days = 0)
MUT(m_promise_0_not_immediate, it->promised_days = 0)
MUT(m_immediate_with_promise, it->case_kind = BM_CASE_KIND_IMMEDIATE)
MUT(m_forwarded_promise_0, it->case_kind = 2; it->promised_days = 0)
/* Rule 3. */
MUT(m_visit_no_reason, it->visits_reason = "")
MUT(m_visit_null_reason, it->visits_reason = NULL)
MUT(m_two_visits_reason, it->visits = 2)
MUT(m_no_visit_no_reason, it->visits = 0; it->visits_reason = "")
MUT(m_no_visit_reason_none, it->visits = 0; it->visits_reason = "无")
/* Rule 4: no visit and not fully online: the result must be posted. */
MUT(m_no_visit_no_post, it->visits = 0; it->visits_reason = ""; it->deliveries = BM_DELIVERY_WINDOW)
MUT(m_no_visit_offline_no_post, it->visits = 0; it->visits_reason = ""; it->online_depth = 0;
    it->deliveries = BM_DELIVERY_WINDOW | BM_DELIVERY_ONLINE)
MUT(m_no_visit_depth3_no_post, it->visits = 0; it->visits_reason = ""; it->online_depth = 3;
    it->deliveries = BM_DELIVERY_ONLINE)
MUT(m_no_visit_post, it->visits = 0; it->visits_reason = ""; it->deliveries = BM_DELIVERY_POST)
MUT(m_no_visit_full_online, it->visits = 0; it->visits_reason = ""; it->online_depth = 4;
    it->deliveries = BM_DELIVERY_ONLINE)
/* Rule 5: full online depth means no visit. */
MUT(m_full_online_visit, it->online_depth = 4)
/* Online handling needs its address. */
MUT(m_online_no_url, it->online_url = "")
MUT(m_depth1_null_url, it->online_depth = 1; it->online_url = NULL)
MUT(m_offline_no_url, it->online_depth = 0; it->online_url = "")
/* Rule 6. */
MUT(m_fee_ok, it->is_fee = true; it->fee_standard = "工本费10元/证";
    it->fee_basis = "京发改〔2019〕1号")
MUT(m_fee_no_standard, it->is_fee = true; it->fee_basis = "京发改〔2019〕1号")
MUT(m_fee_no_basis, it->is_fee = true; it->fee_standard = "工本费10元/证")
MUT(m_fee_nothing, it->is_fee = true; it->fee_standard = NULL; it->fee_basis = NULL)
MUT(m_free_with_standard, it->fee_standard = "不收费")
/* Rule 7. */
MUT(m_consult_empty, it->consult_phone = "")
MUT(m_consult_null, it->consult_phone = NULL)
MUT(m_consult_no_area, it->consult_phone = "69041234")
MUT(m_consult_12345, it->consult_phone = "12345")
MUT(m_consult_mobile, it->consult_phone = "13800138000")
MUT(m_consult_area_4, it->consult_phone = "0311-8765432")
MUT(m_consult_area_4_local_8, it->consult_phone = "0755-87654321")
MUT(m_consult_short_local, it->consult_phone = "010-690412")
MUT(m_consult_long_local, it->consult_phone = "010-690412345")
MUT(m_consult_area_2, it->consult_phone = "01-69041234")
MUT(m_consult_area_5, it->consult_phone = "01234-6904123")
MUT(m_consult_no_zero, it->consult_phone = "110-69041234")
MUT(m_consult_space, it->consult_phone = "010 69041234")
MUT(m_consult_two_dashes, it->consult_phone = "010-6904-1234")
MUT(m_consult_letter, it->consult_phone = "010-6904123a")
MUT(m_complaint_empty, it->complaint_phone = "")
MUT(m_complaint_null, it->complaint_phone = NULL)
MUT(m_complaint_fixed, it->complaint_phone = "010-69041235")
MUT(m_complaint_same, it->complaint_phone = "010-69041234")
MUT(m_complaint_12315, it->complaint_phone = "12315")
MUT(m_complaint_no_area, it->complaint_phone = "69041235")
MUT(m_both_missing, it->consult_phone = ""; it->complaint_phone = "")
/* At least one way to receive the result (no visit would also trip rule 4, so one visit). */
MUT(m_no_delivery, it->deliveries = 0)
MUT(m_window_only, it->deliveries = BM_DELIVERY_WINDOW)
MUT(m_no_window_address, it->window_address = "")
MUT(m_null_window_address, it->window_address = NULL)
/* Rule 10 as implemented: a licence lists its process and FAQ. */
MUT(m_permit_no_process, it->process = "")
MUT(m_permit_no_faq, it->faq = NULL)
MUT(m_payment_no_process, it->type = 1; it->process = ""; it->faq = "")
/* An item that fails the draft check reports only that. */
MUT(m_bad_draft, it->code = ""; it->conditions = ""; it->consult_phone = "")
MUT(m_promise_beyond, it->promised_days = 21)

static void
test_item_check_publish(void **state)
{
    static const struct row rows[] = {
        {"the base item", NULL, {NULL}},
        {"conditions empty", m_conditions_empty, {"conditions"}},
        {"conditions NULL", m_conditions_null, {"conditions"}},
        {"legal basis empty", m_basis_empty, {"legal_basis"}},
        {"promised item without a statutory limit", m_no_legal_days, {"legal_days"}},
        {"rule 1: promise beyond the statutory limit", m_promise_beyond, {"promised_days"}},
        {"rule 2: immediate item, promise 0", m_immediate, {NULL}},
        {"rule 2: immediate item with a statutory limit", m_immediate_with_legal, {NULL}},
        {"rule 2: promise 0 on a promised item", m_promise_0_not_immediate, {"case_kind"}},
        {"rule 2: immediate item with a promise", m_immediate_with_promise, {"case_kind"}},
        {"rule 2: promise 0 on a forwarded item", m_forwarded_promise_0, {"case_kind"}},
        {"rule 3: a visit without a reason", m_visit_no_reason, {"visits_reason"}},
        {"rule 3: a visit with a NULL reason", m_visit_null_reason, {"visits_reason"}},
        {"rule 3: two visits with a reason", m_two_visits_reason, {NULL}},
        {"rule 3: no visit, no reason", m_no_visit_no_reason, {NULL}},
        {"rule 3: no visit, reason 无", m_no_visit_reason_none, {NULL}},
        {"rule 4: no visit, depth 2, no post", m_no_visit_no_post, {"delivery_methods"}},
        {"rule 4: no visit, offline, no post", m_no_visit_offline_no_post, {"delivery_methods"}},
        {"rule 4: no visit, depth 3, no post", m_no_visit_depth3_no_post, {"delivery_methods"}},
        {"rule 4: no visit, posted", m_no_visit_post, {NULL}},
        {"rule 4: no visit, fully online", m_no_visit_full_online, {NULL}},
        {"rule 5: fully online with a visit", m_full_online_visit, {"visits"}},
        {"online without an address", m_online_no_url, {"online_url"}},
        {"depth 1 with a NULL address", m_depth1_null_url, {"online_url"}},
        {"offline without an address", m_offline_no_url, {NULL}},
        {"rule 6: fee with standard and basis", m_fee_ok, {NULL}},
        {"rule 6: fee without a standard", m_fee_no_standard, {"fee_standard"}},
        {"rule 6: fee without a basis", m_fee_no_basis, {"fee_standard"}},
        {"rule 6: fee with neither", m_fee_nothing, {"fee_standard"}},
        {"rule 6: free item with a note", m_free_with_standard, {NULL}},
        {"rule 7: consult phone empty", m_consult_empty, {"consult_phone"}},
        {"rule 7: consult phone NULL", m_consult_null, {"consult_phone"}},
        {"rule 7: consult phone without area code", m_consult_no_area, {"consult_phone"}},
        {"rule 7: consult phone 12345 (and then equal to the complaint phone)", m_consult_12345,
         {"consult_phone", "complaint_phone"}},
        {"rule 7: consult phone a mobile", m_consult_mobile, {"consult_phone"}},
        {"rule 7: 4-digit area code, 7 digits", m_consult_area_4, {NULL}},
        {"rule 7: 4-digit area code, 8 digits", m_consult_area_4_local_8, {NULL}},
        {"rule 7: 6-digit local number", m_consult_short_local, {"consult_phone"}},
        {"rule 7: 9-digit local number", m_consult_long_local, {"consult_phone"}},
        {"rule 7: 2-digit area code", m_consult_area_2, {"consult_phone"}},
        {"rule 7: 5-digit area code", m_consult_area_5, {"consult_phone"}},
        {"rule 7: area code without 0", m_consult_no_zero, {"consult_phone"}},
        {"rule 7: space instead of dash", m_consult_space, {"consult_phone"}},
        {"rule 7: two dashes", m_consult_two_dashes, {"consult_phone"}},
        {"rule 7: a letter", m_consult_letter, {"consult_phone"}},
        {"rule 7: complaint phone empty", m_complaint_empty, {"complaint_phone"}},
        {"rule 7: complaint phone NULL", m_complaint_null, {"complaint_phone"}},
        {"rule 7: complaint phone a fixed line", m_complaint_fixed, {NULL}},
        {"rule 7: complaint phone equal to consult", m_complaint_same, {"complaint_phone"}},
        {"rule 7: complaint phone 12315", m_complaint_12315, {"complaint_phone"}},
        {"rule 7: complaint phone without area code", m_complaint_no_area, {"complaint_phone"}},
        {"rule 7: both phones missing", m_both_missing, {"consult_phone", "complaint_phone"}},
        {"no delivery method", m_no_delivery, {"delivery_methods"}},
        {"window delivery only, one visit", m_window_only, {NULL}},
        {"no window address", m_no_window_address, {"window_address"}},
        {"NULL window address", m_null_window_address, {"window_address"}},
        {"rule 10: licence without process", m_permit_no_process, {"process"}},
        {"rule 10: licence without FAQ", m_permit_no_faq, {"process"}},
        {"rule 10: payment without process or FAQ", m_payment_no_process, {NULL}},
        {"draft errors first", m_bad_draft, {"code"}},
    };

    (void)state;
    run_rows("bm_item_check_publish", bm_item_check_publish, rows, N(rows));
}

/* ---- bm_item_split_query -------------------------------------------------------------- */

/* Splits `q` into a heap buffer of exactly strlen(q) + 1 bytes, so ASan sees any overrun. */
static int
split(const char *q, const char **terms, int max, char **buf)
{
    size_t size = strlen(q) + 1;

    *buf = malloc(size);
    assert_non_null(*buf);
    return bm_item_split_query(q, *buf, size, terms, max);
}

static void
test_split_query(void **state)
{
    static const struct {
        const char *q;
        int max;
        int n; /* -1: refused */
        const char *terms[5];
    } cases[] = {
        {"低保", 4, 1, {"低保"}},
        {"低保 养老", 4, 2, {"低保", "养老"}},
        {"低保\xe3\x80\x80养老", 4, 2, {"低保", "养老"}},          /* U+3000 */
        {"低保,养老", 4, 2, {"低保", "养老"}},
        {"低保\xef\xbc\x8c养老", 4, 2, {"低保", "养老"}},          /* U+FF0C */
        {"低保\xe3\x80\x81养老", 4, 2, {"低保", "养老"}},          /* U+3001 */
        {"低保\t养老", 4, 2, {"低保", "养老"}},
        {"  低保", 4, 1, {"低保"}},
        {"低保  ", 4, 1, {"低保"}},
        {"\xe3\x80\x80低保\xef\xbc\x8c", 4, 1, {"低保"}},
        {" ,，、　低保 ,， 、　养老 ,，、　", 4, 2, {"低保", "养老"}},
        {"a,b c，d、e　f", 4, 4, {"a", "b", "c", "d"}},               /* extra terms dropped */
        {"一 二 三 四 五", 4, 4, {"一", "二", "三", "四"}},
        {"一 二 三", 2, 2, {"一", "二"}},
        {"一 二 三", 0, 0, {NULL}},
        {"养老。保险", 4, 1, {"养老。保险"}}, /* U+3002 shares a lead byte, is no separator */
        {"养老；保险", 4, 1, {"养老；保险"}},
        {"Ａ，Ｂ", 4, 2, {"Ａ", "Ｂ"}},
        {"100% a_b", 4, 2, {"100%", "a_b"}}, /* LIKE characters are left to the store */
        {"", 4, 0, {NULL}},
        {"   ", 4, 0, {NULL}},
        {",，、　", 4, 0, {NULL}},
    };

    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        const char *terms[5] = {NULL, NULL, NULL, NULL, NULL};
        char *buf;
        int n = split(cases[i].q, terms, cases[i].max, &buf);

        if (n != cases[i].n)
            fail_msg("\"%s\": %d terms, want %d", cases[i].q, n, cases[i].n);
        for (int k = 0; k < n; k++) {
            if (terms[k] == NULL || strcmp(terms[k], cases[i].terms[k]) != 0)
                fail_msg("\"%s\": term %d is \"%s\", want \"%s\"", cases[i].q, k,
                         terms[k] ? terms[k] : "(null)", cases[i].terms[k]);
            /* Terms live in the caller's buffer. */
            assert_true(terms[k] >= buf && terms[k] < buf + strlen(cases[i].q) + 1);
        }
        for (int k = n > 0 ? n : 0; k < 5; k++)
            assert_null(terms[k]);
        free(buf);
    }
}

static void
test_split_query_limits(void **state)
{
    char q[1024], t50[256], t49[256], t51[256];
    const char *terms[4];
    char *buf;
    char small[8];

    (void)state;
    repeat(t50, "办", 50);
    repeat(t49, "办", 49);
    repeat(t51, "办", 51);

    /* 100 characters (300+ bytes) is the limit; 101 is refused. */
    snprintf(q, sizeof(q), "%s %s", t50, t49);
    assert_int_equal(split(q, terms, 4, &buf), 2);
    assert_string_equal(terms[0], t50);
    assert_string_equal(terms[1], t49);
    free(buf);
    snprintf(q, sizeof(q), "%s %s", t50, t50);
    assert_int_equal(split(q, terms, 4, &buf), -1);
    free(buf);
    repeat(q, "a", 101);
    assert_int_equal(split(q, terms, 4, &buf), -1);
    free(buf);
    /* Separators count towards the 100 characters. */
    snprintf(q, sizeof(q), "a%sb", repeat(t51, " ", 99));
    assert_int_equal(split(q, terms, 4, &buf), -1);
    free(buf);
    repeat(t51, "办", 51);

    /* A term of 50 characters is fine, of 51 refused, also past the max-th term. */
    assert_int_equal(split(t50, terms, 4, &buf), 1);
    assert_string_equal(terms[0], t50);
    free(buf);
    assert_int_equal(split(t51, terms, 4, &buf), -1);
    free(buf);
    snprintf(q, sizeof(q), "低保 %s", t51);
    assert_int_equal(split(q, terms, 4, &buf), -1);
    free(buf);
    snprintf(q, sizeof(q), "一 二 三 四 %s", t51);
    assert_int_equal(split(q, terms, 4, &buf), -1);
    free(buf);
    repeat(q, "a", 51);
    assert_int_equal(split(q, terms, 4, &buf), -1);
    free(buf);

    /* A buffer too small for the text, or no text, is refused. */
    assert_int_equal(bm_item_split_query("低保 养老", small, sizeof(small), terms, 4), -1);
    assert_int_equal(bm_item_split_query("低保", small, sizeof(small), terms, 4), 1);
    assert_string_equal(terms[0], "低保");
    assert_int_equal(bm_item_split_query(NULL, small, sizeof(small), terms, 4), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_tables),
        cmocka_unit_test(test_code_valid),
        cmocka_unit_test(test_item_check),
        cmocka_unit_test(test_item_check_accumulates),
        cmocka_unit_test(test_item_check_publish),
        cmocka_unit_test(test_split_query),
        cmocka_unit_test(test_split_query_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
