/*
 * The working-day calendar of docs/domain.md 2.4 and 8: proleptic Gregorian day numbers,
 * the per-year tables of days off and make-up working days (and their text format, 8.3),
 * deadlines counted in working days with special procedures paused, and deadline lights
 * (3.2). Used by the case workflow, the API and the loader in cli/. Pure: no clock, no files.
 */
#include "core/calendar.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/time.h"
#include "util/utf8.h"

#define SECS_PER_DAY 86400
#define CST_OFFSET_S (8 * 3600) /* China Standard Time is UTC+8 all year */
#define NAME_MAX_CHARS 20

/* ---- Day arithmetic ------------------------------------------------------------------ */

/* Floor division and modulo for b > 0 (C division truncates toward zero). */
static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

static int64_t
floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

static bool
is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return mdays[m - 1] + (m == 2 && is_leap(y));
}

/*
 * days_from_civil and civil_from_days after Howard Hinnant, "chrono-Compatible Low-Level
 * Date Algorithms": years are shifted to start on March 1 so the leap day is last, and
 * split into 400-year eras of 146097 days. 719468 is the day number of 0000-03-01.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = y - era * 400;                                   /* [0, 399] */
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;                                      /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool
bm_day_from_ymd(int year, int month, int mday, bm_day *out)
{
    int64_t z;

    if (month < 1 || month > 12 || mday < 1 || mday > month_days(year, month))
        return false;
    z = days_from_civil(year, month, mday);
    /* INT32_MIN itself is BM_DAY_NONE, never a date. */
    if (z <= INT32_MIN || z > INT32_MAX)
        return false;
    *out = (bm_day)z;
    return true;
}

void
bm_day_to_ymd(bm_day d, int *year, int *month, int *mday)
{
    int64_t y;
    int m, dd;

    civil_from_days(d, &y, &m, &dd);
    if (year != NULL)
        *year = (int)y; /* |y| < 6 million for any int32 day */
    if (month != NULL)
        *month = m;
    if (mday != NULL)
        *mday = dd;
}

bool
bm_day_parse(const char *s, bm_day *out)
{
    static const int width[3] = {4, 2, 2};
    int v[3] = {0, 0, 0};
    const char *p = s;

    if (s == NULL)
        return false;
    for (int f = 0; f < 3; f++) {
        if (f > 0 && *p++ != '-')
            return false;
        for (int i = 0; i < width[f]; i++, p++) {
            if (*p < '0' || *p > '9')
                return false;
            v[f] = v[f] * 10 + (*p - '0');
        }
    }
    if (*p != '\0' || v[0] < BM_CAL_MIN_YEAR || v[0] > BM_CAL_MAX_YEAR)
        return false;
    return bm_day_from_ymd(v[0], v[1], v[2], out);
}

void
bm_day_format(bm_day d, char out[11])
{
    int y, m, dd;

    bm_day_to_ymd(d, &y, &m, &dd);
    /* Outside years 0..9999 there is no YYYY form; "0000-00-00" is never parsed back. */
    if (y < 0 || y > 9999)
        y = m = dd = 0;
    bm_put_digits(out, y, 4);
    out[4] = '-';
    bm_put_digits(out + 5, m, 2);
    out[7] = '-';
    bm_put_digits(out + 8, dd, 2);
    out[10] = '\0';
}

bm_day
bm_day_of_instant(int64_t t)
{
    /* Split before adding the offset so that no value near INT64_MAX can overflow. */
    int64_t q = floor_div(t, SECS_PER_DAY);
    int64_t r = floor_mod(t, SECS_PER_DAY) + CST_OFFSET_S;

    if (r >= SECS_PER_DAY)
        q++;
    if (q <= INT32_MIN)
        return INT32_MIN + 1;
    if (q > INT32_MAX)
        return INT32_MAX;
    return (bm_day)q;
}

int
bm_day_weekday(bm_day d)
{
    /* Day 0, 1970-01-01, was a Thursday. */
    return (int)floor_mod((int64_t)d + 3, 7) + 1;
}

int
bm_day_year(bm_day d)
{
    int y;

    bm_day_to_ymd(d, &y, NULL, NULL);
    return y;
}

/* ---- The loaded calendar ------------------------------------------------------------- */

bool
bm_cal_has_year(const struct bm_calendar *cal, int year)
{
    if (cal == NULL)
        return false;
    for (size_t i = 0; i < cal->n_years; i++)
        if (cal->years[i] == year)
            return true;
    return false;
}

/* Index of the first entry on or after day `d` (n_entries if none). */
static size_t
lower_bound(const struct bm_calendar *cal, int64_t d)
{
    size_t lo = 0, hi = cal->n_entries;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->entries[mid].day < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool
bm_cal_is_working_day(const struct bm_calendar *cal, bm_day d)
{
    if (cal != NULL) {
        size_t i = lower_bound(cal, d);
        if (i < cal->n_entries && cal->entries[i].day == d) {
            /* domain.md 2.4 step 2: a make-up day works, a listed day off does not. */
            if (cal->entries[i].kind == BM_CAL_WORK)
                return true;
            if (cal->entries[i].kind == BM_CAL_OFF)
                return false;
        }
    }
    return bm_day_weekday(d) <= 5;
}

/* ---- Checking and parsing one year's table ------------------------------------------- */

static const char *const weekday_zh[8] = {"", "一", "二", "三", "四", "五", "六", "日"};

static bool
name_ok(const char *name)
{
    size_t n;

    if (name == NULL || !bm_utf8_valid(name, strlen(name)))
        return false;
    n = bm_utf8_count(name);
    return n >= 1 && n <= NAME_MAX_CHARS;
}

enum bm_rc
bm_cal_check_year(int year, const struct bm_cal_entry *e, size_t n, struct bm_err *err)
{
    int n_bad = 0;
    char f[48], ds[11];

    if (year < BM_CAL_MIN_YEAR || year > BM_CAL_MAX_YEAR) {
        (void)bm_err_field(err, "year", "年份应在%d至%d之间", BM_CAL_MIN_YEAR, BM_CAL_MAX_YEAR);
        n_bad++;
    }
    /* The cap also bounds the quadratic duplicate search below. */
    if (n > BM_CAL_MAX_ENTRIES) {
        (void)bm_err_field(err, "days", "每年最多列出%d天", BM_CAL_MAX_ENTRIES);
        return BM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        bm_day d = e[i].day;

        (void)snprintf(f, sizeof(f), "days[%zu].date", i);
        bm_day_format(d, ds);
        if (d == BM_DAY_NONE || bm_day_year(d) != year) {
            (void)bm_err_field(err, f, "日期%s不在%d年内", ds, year);
            n_bad++;
        } else {
            for (size_t j = 0; j < i; j++) {
                if (e[j].day == d) {
                    (void)bm_err_field(err, f, "日期%s与第%zu项重复", ds, j + 1);
                    n_bad++;
                    break;
                }
            }
        }
        if (e[i].kind != BM_CAL_OFF && e[i].kind != BM_CAL_WORK) {
            (void)snprintf(f, sizeof(f), "days[%zu].kind", i);
            (void)bm_err_field(err, f, "类型应为放假（off）或调休上班（work）");
            n_bad++;
        } else if (e[i].kind == BM_CAL_WORK && d != BM_DAY_NONE && bm_day_weekday(d) <= 5) {
            (void)bm_err_field(err, f, "%s是星期%s，调休上班日只能是周六或周日", ds,
                               weekday_zh[bm_day_weekday(d)]);
            n_bad++;
        }
        if (!name_ok(e[i].name)) {
            (void)snprintf(f, sizeof(f), "days[%zu].name", i);
            (void)bm_err_field(err, f, "名称应为1至%d个字", NAME_MAX_CHARS);
            n_bad++;
        }
    }
    return n_bad > 0 ? BM_EINVAL : BM_OK;
}

#define MAX_TOKENS 5

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Splits `s` in place at blanks, NUL-terminating each token; a token starting with '#'
 * ends the line (a comment). Stores at most `max` tokens and returns how many there were.
 */
static int
split(char *s, char **tok, int max)
{
    int n = 0;

    for (;;) {
        while (is_blank(*s))
            s++;
        if (*s == '\0' || *s == '#')
            return n;
        if (n < max)
            tok[n] = s;
        n++;
        while (*s != '\0' && !is_blank(*s))
            s++;
        if (*s == '\0')
            return n;
        *s++ = '\0';
    }
}

static int
cmp_entry(const void *a, const void *b)
{
    bm_day x = ((const struct bm_cal_entry *)a)->day, y = ((const struct bm_cal_entry *)b)->day;
    return (x > y) - (x < y);
}

/* One entry per day of from..to, checked against the year, the entries so far and the cap. */
static enum bm_rc
add_days(int line, int year, enum bm_cal_kind kind, bm_day from, bm_day to, const char *name,
         struct bm_cal_entry *out, size_t cap, size_t *count, struct bm_err *err)
{
    char ds[11];

    for (bm_day d = from; d <= to; d++) {
        bm_day_format(d, ds);
        if (bm_day_year(d) != year)
            return bm_err_set(err, BM_EINVAL, "第%d行：日期%s不在%d年内", line, ds, year);
        for (size_t j = 0; j < *count; j++)
            if (out[j].day == d)
                return bm_err_set(err, BM_EINVAL, "第%d行：日期%s已在前面列出（重复或重叠）", line,
                                  ds);
        if (kind == BM_CAL_WORK && bm_day_weekday(d) <= 5)
            return bm_err_set(err, BM_EINVAL, "第%d行：%s是星期%s，调休上班日只能是周六或周日",
                              line, ds, weekday_zh[bm_day_weekday(d)]);
        if (*count >= cap)
            return bm_err_set(err, BM_EINVAL, "第%d行：日期条目超过%zu个", line, cap);
        out[*count] = (struct bm_cal_entry){.day = d, .kind = kind, .name = name};
        (*count)++;
    }
    return BM_OK;
}

/* Parses one line's tokens (at least one). */
static enum bm_rc
parse_line(int line, char **tok, int n_tok, int year, struct bm_cal_entry *out, size_t cap,
           size_t *count, struct bm_err *err)
{
    enum bm_cal_kind kind;
    bm_day from, to, probe;
    const char *name;

    if (strcmp(tok[0], "off") == 0)
        kind = BM_CAL_OFF;
    else if (strcmp(tok[0], "work") == 0)
        kind = BM_CAL_WORK;
    else
        return bm_err_set(err, BM_EINVAL, "第%d行格式错误：应以 off（放假）或 work（调休上班）开头",
                          line);
    if (n_tok < 3)
        return bm_err_set(err, BM_EINVAL, "第%d行格式错误：缺少日期或名称", line);
    if (n_tok > (kind == BM_CAL_OFF ? 4 : 3))
        return bm_err_set(err, BM_EINVAL,
                          kind == BM_CAL_OFF ? "第%d行格式错误：应为“off 起始日期 [结束日期] 名称”"
                                             : "第%d行格式错误：应为“work 日期 名称”，每行一天",
                          line);
    if (!bm_day_parse(tok[1], &from))
        return bm_err_set(err, BM_EINVAL, "第%d行格式错误：日期应为YYYY-MM-DD格式的有效日期", line);
    to = from;
    name = tok[n_tok - 1];
    if (n_tok == 4 && !bm_day_parse(tok[2], &to))
        return bm_err_set(err, BM_EINVAL, "第%d行格式错误：结束日期应为YYYY-MM-DD格式的有效日期",
                          line);
    /* "off FROM TO" without a name would otherwise make TO the name. */
    if (n_tok == 3 && bm_day_parse(name, &probe))
        return bm_err_set(err, BM_EINVAL, "第%d行格式错误：缺少名称", line);
    if (to < from)
        return bm_err_set(err, BM_EINVAL, "第%d行：结束日期早于起始日期", line);
    if (!name_ok(name))
        return bm_err_set(err, BM_EINVAL, "第%d行：名称应为1至%d个字的UTF-8文本", line,
                          NAME_MAX_CHARS);
    return add_days(line, year, kind, from, to, name, out, cap, count, err);
}

enum bm_rc
bm_cal_parse_text(const char *text, int year, char *buf, size_t buf_size, struct bm_cal_entry *out,
                  size_t max, size_t *n, struct bm_err *err)
{
    size_t len, count = 0;
    /* A longer table fails bm_cal_check_year anyway; capping here names the line. */
    size_t cap = max < BM_CAL_MAX_ENTRIES ? max : BM_CAL_MAX_ENTRIES;
    char *p;
    int line = 0;
    enum bm_rc rc;

    BM_ASSERT(text != NULL && buf != NULL && n != NULL && (out != NULL || max == 0));
    len = strlen(text);
    if (len >= buf_size)
        return bm_err_set(err, BM_ETOOBIG, "日历文本过长");
    memcpy(buf, text, len + 1);
    p = buf;
    /* Editors on Windows may save with a byte order mark. */
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;
    while (p != NULL) {
        char *nl = strchr(p, '\n');
        char *tok[MAX_TOKENS];
        int n_tok;

        if (nl != NULL)
            *nl = '\0';
        line++;
        n_tok = split(p, tok, MAX_TOKENS);
        if (n_tok > 0) {
            rc = parse_line(line, tok, n_tok, year, out, cap, &count, err);
            if (rc != BM_OK)
                return rc;
        }
        p = nl != NULL ? nl + 1 : NULL;
    }
    if (count > 0)
        qsort(out, count, sizeof(out[0]), cmp_entry);
    rc = bm_cal_check_year(year, out, count, err);
    if (rc != BM_OK)
        return rc;
    *n = count;
    return BM_OK;
}

/* ---- Counting working days ----------------------------------------------------------- */

/* The first day on or after `d` that lies in no pause (pauses may overlap, any order). */
static int64_t
skip_pauses(int64_t d, const struct bm_pause *pauses, size_t n_pauses)
{
    bool moved = true;

    while (moved) {
        moved = false;
        for (size_t i = 0; i < n_pauses; i++) {
            if (pauses[i].from <= d && d <= pauses[i].to) {
                d = (int64_t)pauses[i].to + 1;
                moved = true;
            }
        }
    }
    return d;
}

bm_day
bm_cal_add_working_days(const struct bm_calendar *cal, bm_day start, int n,
                        const struct bm_pause *pauses, size_t n_pauses, bool *provisional)
{
    int64_t d = start;
    bool is_prov = false, year_has_table = true;
    int year = INT_MIN;

    /* domain.md 2.4 step 1: the day of acceptance is not counted; n <= 0 is due that day. */
    while (start != BM_DAY_NONE && n > 0) {
        d = skip_pauses(d + 1, pauses, n_pauses);
        if (d > INT32_MAX) {
            d = INT32_MAX;
            break;
        }
        if (bm_day_year((bm_day)d) != year) {
            year = bm_day_year((bm_day)d);
            year_has_table = bm_cal_has_year(cal, year);
        }
        /* domain.md 8.3: Monday to Friday stands in for a missing table, provisionally. */
        if (!year_has_table)
            is_prov = true;
        if (bm_cal_is_working_day(cal, (bm_day)d))
            n--;
    }
    if (provisional != NULL)
        *provisional = is_prov;
    return (bm_day)d;
}

/*
 * Mondays to Fridays up to and including day x, counted from an arbitrary origin, so that
 * the number in [a, b] is weekdays_upto(b) - weekdays_upto(a - 1). k = x + 3 makes k = 0 a
 * Monday.
 */
static int64_t
weekdays_upto(int64_t x)
{
    int64_t k = x + 3;
    int64_t r = floor_mod(k, 7) + 1;

    return 5 * floor_div(k, 7) + (r < 5 ? r : 5);
}

/* Working days in [a, b] with no pauses: weekdays corrected by the table entries. */
static int64_t
count_plain(const struct bm_calendar *cal, int64_t a, int64_t b)
{
    int64_t total = weekdays_upto(b) - weekdays_upto(a - 1);

    if (cal == NULL)
        return total;
    for (size_t i = lower_bound(cal, a); i < cal->n_entries && cal->entries[i].day <= b; i++) {
        bool weekday = bm_day_weekday(cal->entries[i].day) <= 5;
        /* Must agree with bm_cal_is_working_day for every kind of entry. */
        if (cal->entries[i].kind == BM_CAL_WORK && !weekday)
            total++;
        else if (cal->entries[i].kind == BM_CAL_OFF && weekday)
            total--;
    }
    return total;
}

int
bm_cal_working_days_between(const struct bm_calendar *cal, bm_day from, bm_day to,
                            const struct bm_pause *pauses, size_t n_pauses)
{
    int64_t cur, total = 0;

    if (from == BM_DAY_NONE || to == BM_DAY_NONE || to <= from)
        return 0;
    /* Count the unpaused stretches of (from, to] whole rather than day by day. */
    cur = skip_pauses((int64_t)from + 1, pauses, n_pauses);
    while (cur <= to) {
        int64_t end = to;

        for (size_t i = 0; i < n_pauses; i++)
            if (pauses[i].from <= pauses[i].to && pauses[i].from > cur && pauses[i].from <= end)
                end = (int64_t)pauses[i].from - 1;
        total += count_plain(cal, cur, end);
        cur = skip_pauses(end + 1, pauses, n_pauses);
    }
    return total > INT_MAX ? INT_MAX : (int)total;
}

/* ---- Deadline lights (domain.md 3.2) ------------------------------------------------- */

enum bm_light
bm_cal_light(const struct bm_calendar *cal, bm_day accepted, bm_day due, int limit_days,
             bm_day today, const struct bm_pause *pauses, size_t n_pauses)
{
    int left, used;

    if (accepted == BM_DAY_NONE || due == BM_DAY_NONE || today == BM_DAY_NONE)
        return BM_LIGHT_NONE;
    /* Today inside a special procedure: the clock is stopped (BM_LIGHT_NONE). */
    if (skip_pauses(today, pauses, n_pauses) != today)
        return BM_LIGHT_NONE;
    /* Overdue after 24:00 of the due day (2.4 step 6). */
    if (today > due)
        return BM_LIGHT_RED;
    left = bm_cal_working_days_between(cal, today, due, pauses, n_pauses);
    /* The due day already skips past pauses, so the days used are the limit less those
     * left: callers need not load a running case's past pauses to colour it. */
    used = limit_days - left;
    /* A 即办件 (limit 0) has left = 0 on its day, so it is yellow without the 80 % rule. */
    if (left <= 1 || (limit_days > 0 && (int64_t)used * 10 >= (int64_t)limit_days * 8))
        return BM_LIGHT_YELLOW;
    return BM_LIGHT_GREEN;
}

bm_day
bm_cal_warn_day(const struct bm_calendar *cal, bm_day due, int limit_days)
{
    int k = limit_days / 5 > 1 ? limit_days / 5 : 1, seen = 0;
    bm_day d = due;

    if (due == BM_DAY_NONE)
        return BM_DAY_NONE;
    /* Bounded: k is at most a fifth of a limit of a few hundred days. */
    for (int guard = 0; guard < 4000; guard++, d--) {
        if (bm_cal_is_working_day(cal, d) && ++seen == k + 1)
            return d;
    }
    return d;
}

const char *
bm_light_code(enum bm_light l)
{
    static const char *const codes[] = {
        [BM_LIGHT_NONE] = "none",
        [BM_LIGHT_GREEN] = "green",
        [BM_LIGHT_YELLOW] = "yellow",
        [BM_LIGHT_RED] = "red",
    };

    BM_ASSERT((unsigned)l < sizeof(codes) / sizeof(codes[0]));
    return codes[l];
}
