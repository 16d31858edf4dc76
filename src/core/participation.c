/*
 * Public participation rules: campaign periods, hearing schedules, registration, minutes,
 * household coverage. Pure functions; the api layer supplies the clock.
 */
#include "core/participation.h"

#include <string.h>

#include "core/org.h"
#include "core/roles.h"
#include "util/time.h"

#define SECS_PER_DAY 86400
#define MAX_CAMPAIGN_DAYS 366

enum bm_campaign_state
bm_campaign_state_on(bm_day from, bm_day until, bm_day today)
{
    if (today < from)
        return BM_CAMPAIGN_UPCOMING;
    return today <= until ? BM_CAMPAIGN_OPEN : BM_CAMPAIGN_CLOSED;
}

const char *
bm_campaign_state_code(enum bm_campaign_state s)
{
    static const char *const codes[] = {"upcoming", "open", "closed"};
    return (unsigned)s < 3 ? codes[s] : "closed";
}

const char *
bm_campaign_state_name_zh(enum bm_campaign_state s)
{
    static const char *const names[] = {"未开始", "征集中", "已结束"};
    return (unsigned)s < 3 ? names[s] : "已结束";
}

enum bm_rc
bm_campaign_check_period(bm_day from, bm_day until, bm_day today, struct bm_err *err)
{
    if (until < from)
        (void)bm_err_field(err, "open_until", "截止日期不能早于开始日期");
    else if (until < today)
        (void)bm_err_field(err, "open_until", "截止日期已过");
    else if (until - from >= MAX_CAMPAIGN_DAYS)
        (void)bm_err_field(err, "open_until", "征集期不能超过一年");
    return err->n_fields > 0 ? BM_EINVAL : BM_OK;
}

enum bm_rc
bm_campaign_check_submit(bm_day from, bm_day until, bm_day today, struct bm_err *err)
{
    char day[11];

    switch (bm_campaign_state_on(from, until, today)) {
    case BM_CAMPAIGN_UPCOMING:
        bm_day_format(from, day);
        return bm_err_set(err, BM_ECONFLICT, "本次征集尚未开始（%s 开始）", day);
    case BM_CAMPAIGN_CLOSED:
        bm_day_format(until, day);
        return bm_err_set(err, BM_ECONFLICT, "本次征集已于 %s 结束，不再接收建议", day);
    default:
        return BM_OK;
    }
}

static const struct {
    const char *code, *name;
} hearing_kinds[] = {{"hearing", "听证会"}, {"meeting", "旁听会议"}};

bool
bm_hearing_kind_parse(const char *code, enum bm_hearing_kind *out)
{
    for (int i = 0; code != NULL && i < 2; i++)
        if (strcmp(code, hearing_kinds[i].code) == 0) {
            *out = (enum bm_hearing_kind)i;
            return true;
        }
    return false;
}

const char *
bm_hearing_kind_code(enum bm_hearing_kind k)
{
    return (unsigned)k < 2 ? hearing_kinds[k].code : "hearing";
}

const char *
bm_hearing_kind_name_zh(enum bm_hearing_kind k)
{
    return (unsigned)k < 2 ? hearing_kinds[k].name : "听证会";
}

static const struct {
    const char *code, *name;
} roles[] = {{"resident", "群众代表"},
             {"interested", "利害关系人"},
             {"expert", "专家"},
             {"deputy", "人大代表、政协委员"}};

bool
bm_participant_role_parse(const char *code, enum bm_participant_role *out)
{
    for (int i = 0; code != NULL && i < 4; i++)
        if (strcmp(code, roles[i].code) == 0) {
            *out = (enum bm_participant_role)i;
            return true;
        }
    return false;
}

const char *
bm_participant_role_code(enum bm_participant_role r)
{
    return (unsigned)r < 4 ? roles[r].code : "resident";
}

const char *
bm_participant_role_name_zh(enum bm_participant_role r)
{
    return (unsigned)r < 4 ? roles[r].name : "群众代表";
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool
bm_participation_instant(bm_day d, const char *hhmm, int64_t *out)
{
    int h, m;

    if (hhmm == NULL || strlen(hhmm) != 5 || !is_digit(hhmm[0]) || !is_digit(hhmm[1]) ||
        hhmm[2] != ':' || !is_digit(hhmm[3]) || !is_digit(hhmm[4]))
        return false;
    h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
    m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    if (h > 23 || m > 59)
        return false;
    /* Day numbers count CST days from 1970-01-01; the wall clock is 8 hours ahead of UTC. */
    *out = (int64_t)d * SECS_PER_DAY + h * 3600 + m * 60 - BM_CST_OFFSET_S;
    return true;
}

enum bm_rc
bm_hearing_check_schedule(int64_t starts_at, bm_day register_until, int64_t capacity,
                          int64_t now, struct bm_err *err)
{
    if (starts_at <= now)
        (void)bm_err_field(err, "date", "举行时间应晚于现在");
    if (register_until < bm_day_of_instant(now))
        (void)bm_err_field(err, "register_until", "报名截止日期已过");
    else if (register_until > bm_day_of_instant(starts_at))
        (void)bm_err_field(err, "register_until", "报名截止日期不能晚于举行日期");
    if (capacity < 1 || capacity > BM_HEARING_CAPACITY_MAX)
        (void)bm_err_field(err, "capacity", "名额应为 1 到 %d", BM_HEARING_CAPACITY_MAX);
    return err->n_fields > 0 ? BM_EINVAL : BM_OK;
}

enum bm_rc
bm_hearing_check_register(int64_t starts_at, bm_day register_until, int64_t capacity,
                          int64_t registered, int64_t now, struct bm_err *err)
{
    char day[11];

    if (bm_day_of_instant(now) > register_until || now >= starts_at) {
        bm_day_format(register_until, day);
        return bm_err_set(err, BM_ECONFLICT, "报名已截止（截止日期 %s）", day);
    }
    if (registered >= capacity)
        return bm_err_set(err, BM_ECONFLICT, "名额已满（共 %lld 个名额）", (long long)capacity);
    return BM_OK;
}

enum bm_rc
bm_hearing_check_record(int64_t starts_at, int64_t recorded_at, int64_t now, struct bm_err *err)
{
    if (now < starts_at)
        return bm_err_set(err, BM_ETRANSITION, "会议尚未举行，举行后才能记录纪要和结果");
    if (recorded_at != 0)
        return bm_err_set(err, BM_ECONFLICT, "纪要和结果已经记录，不能重复记录");
    return BM_OK;
}

double
bm_coverage_rate(int64_t covered, int64_t households)
{
    int64_t scaled;

    if (households <= 0)
        return -1;
    /* Integer rounding, so that equal counts give equal figures on every machine. */
    scaled = (covered * 10000 * 2 + households) / (households * 2);
    return (double)scaled / 10000.0;
}

bool
bm_household_cadre_fits(unsigned cadre_roles, bool cadre_active, const char *cadre_path,
                        const char *village_path)
{
    char town[64];

    if (!cadre_active || (cadre_roles & ~(unsigned)BM_ROLE_CITIZEN) == 0 ||
        (cadre_roles & BM_ROLE_CITIZEN) || cadre_path == NULL || village_path == NULL)
        return false;
    if (!bm_org_path_prefix(village_path, 2, town, sizeof(town)))
        return false;
    return strncmp(cadre_path, town, strlen(town)) == 0;
}

static const struct {
    const char *code, *name;
} reception_kinds[] = {{"reception", "接访"}, {"visit", "下访"}};

bool
bm_reception_kind_parse(const char *code, enum bm_reception_kind *out)
{
    for (int i = 0; code != NULL && i < 2; i++)
        if (strcmp(code, reception_kinds[i].code) == 0) {
            *out = (enum bm_reception_kind)i;
            return true;
        }
    return false;
}

const char *
bm_reception_kind_code(enum bm_reception_kind k)
{
    return (unsigned)k < 2 ? reception_kinds[k].code : "reception";
}

const char *
bm_reception_kind_name_zh(enum bm_reception_kind k)
{
    return (unsigned)k < 2 ? reception_kinds[k].name : "接访";
}

enum bm_rc
bm_reception_check_day(bm_day day, bm_day today, struct bm_err *err)
{
    if (day < today)
        return bm_err_field(err, "day", "接访日期已过");
    return BM_OK;
}

enum bm_rc
bm_reception_check_visit(bm_day reception_day, bm_day follow_up_due, bm_day today,
                         struct bm_err *err)
{
    if (today < reception_day)
        return bm_err_set(err, BM_ETRANSITION, "接访日尚未到来，不能登记来访");
    if (follow_up_due != BM_DAY_NONE && follow_up_due < today)
        return bm_err_field(err, "follow_up_due", "回访日期不能早于今天");
    return BM_OK;
}

enum bm_rc
bm_reception_check_follow_up(bm_day follow_up_due, int64_t followed_up_at, struct bm_err *err)
{
    if (follow_up_due == BM_DAY_NONE)
        return bm_err_set(err, BM_ETRANSITION, "该来访已当场办结，无需回访");
    if (followed_up_at != 0)
        return bm_err_set(err, BM_ECONFLICT, "回访结果已经登记，不能重复登记");
    return BM_OK;
}

static const struct {
    const char *code, *name;
} deputy_bodies[] = {{"npc", "人大代表"}, {"cppcc", "政协委员"}};

bool
bm_deputy_body_parse(const char *code, enum bm_deputy_body *out)
{
    for (int i = 0; code != NULL && i < 2; i++)
        if (strcmp(code, deputy_bodies[i].code) == 0) {
            *out = (enum bm_deputy_body)i;
            return true;
        }
    return false;
}

const char *
bm_deputy_body_code(enum bm_deputy_body b)
{
    return (unsigned)b < 2 ? deputy_bodies[b].code : "npc";
}

const char *
bm_deputy_body_name_zh(enum bm_deputy_body b)
{
    return (unsigned)b < 2 ? deputy_bodies[b].name : "人大代表";
}

const char *
bm_matter_status_name_zh(const char *status)
{
    if (status != NULL && strcmp(status, "assigned") == 0)
        return "办理中";
    if (status != NULL && strcmp(status, "answered") == 0)
        return "已答复";
    return "待交办";
}
