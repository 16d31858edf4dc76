/*
 * Unit tests for src/core/calendar.c: day arithmetic, the shipped 2025 and 2026 tables
 * (data/calendar/, docs/domain.md 8), the worked examples of domain.md 2.4, the text format
 * of 8.3 and the deadline lights of 3.2. Run from the repository root: the group setup reads
 * the two shipped files, the only file access in these tests.
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

#include "core/calendar.h"
#include "util/time.h"
#include "util/utf8.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Fixture: both shipped years, merged the way a loader would ---------------------- */

struct year_table {
    int year;
    char *text;
    char *buf;
    struct bm_cal_entry entries[BM_CAL_MAX_ENTRIES];
    size_t n;
};

static struct year_table y2025 = {.year = 2025}, y2026 = {.year = 2026};
static struct bm_cal_entry merged[2 * BM_CAL_MAX_ENTRIES];
static const int loaded_years[] = {2025, 2026};
static struct bm_calendar cal;
static const struct bm_calendar empty_cal = {NULL, 0, NULL, 0};

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long len;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    text = malloc((size_t)len + 1);
    if (text != NULL && fread(text, 1, (size_t)len, f) != (size_t)len) {
        free(text);
        text = NULL;
    }
    if (text != NULL)
        text[len] = '\0';
    fclose(f);
    return text;
}

static int
load_year(struct year_table *t)
{
    char path[64];
    struct bm_err err;
    size_t size;

    snprintf(path, sizeof(path), "data/calendar/%d.txt", t->year);
    t->text = read_file(path);
    if (t->text == NULL) {
        fprintf(stderr, "cannot read %s (run from the repository root)\n", path);
        return -1;
    }
    size = strlen(t->text) + 1;
    t->buf = malloc(size);
    bm_err_clear(&err);
    if (t->buf == NULL || bm_cal_parse_text(t->text, t->year, t->buf, size, t->entries,
                                            N_OF(t->entries), &t->n, &err) != BM_OK) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        return -1;
    }
    return 0;
}

static int
load_calendars(void **state)
{
    (void)state;
    if (load_year(&y2025) != 0 || load_year(&y2026) != 0)
        return -1;
    memcpy(merged, y2025.entries, y2025.n * sizeof(merged[0]));
    memcpy(merged + y2025.n, y2026.entries, y2026.n * sizeof(merged[0]));
    cal = (struct bm_calendar){merged, y2025.n + y2026.n, loaded_years, N_OF(loaded_years)};
    return 0;
}

static int
free_calendars(void **state)
{
    (void)state;
    free(y2025.text);
    free(y2025.buf);
    free(y2026.text);
    free(y2026.buf);
    return 0;
}

/* A date the test writes as text; a typo in a test is a failure, not a silent zero. */
static bm_day
D(const char *s)
{
    bm_day d = BM_DAY_NONE;

    if (!bm_day_parse(s, &d))
        fail_msg("bad date in test: %s", s);
    return d;
}

static void
assert_day(bm_day got, const char *want)
{
    char s[11];

    bm_day_format(got, s);
    assert_string_equal(s, want);
}

/* ---- Day arithmetic ------------------------------------------------------------------ */

static bool
ref_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void
test_ymd_known_days(void **state)
{
    static const struct {
        int y, m, d;
        bm_day day;
    } cases[] = {
        {1970, 1, 1, 0},         {1969, 12, 31, -1},       {1970, 1, 2, 1},
        {2000, 3, 1, 11017},     {2026, 1, 1, 20454},      {2026, 11, 26, 20783},
        {1900, 1, 1, -25567},    {1600, 2, 29, -135081},   {1, 1, 1, -719162},
        {1, 3, 1, -719103},      {2024, 2, 29, 19782},     {2000, 2, 29, 11016},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        bm_day d = 12345;
        int y, m, dd;

        assert_true(bm_day_from_ymd(cases[i].y, cases[i].m, cases[i].d, &d));
        assert_int_equal(d, cases[i].day);
        bm_day_to_ymd(cases[i].day, &y, &m, &dd);
        assert_int_equal(y, cases[i].y);
        assert_int_equal(m, cases[i].m);
        assert_int_equal(dd, cases[i].d);
        assert_int_equal(bm_day_year(cases[i].day), cases[i].y);
    }
}

static void
test_ymd_invalid(void **state)
{
    static const int bad[][3] = {
        {2023, 2, 29}, {1900, 2, 29}, {2100, 2, 29}, {2026, 0, 1},   {2026, 13, 1},
        {2026, 1, 0},  {2026, 1, 32}, {2026, 4, 31}, {2026, 2, 30},  {2026, -1, 1},
        {2026, 6, -3}, {9999999, 1, 1}, {-9999999, 1, 1},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(bad); i++) {
        bm_day d = 777;
        if (bm_day_from_ymd(bad[i][0], bad[i][1], bad[i][2], &d))
            fail_msg("%d-%d-%d accepted", bad[i][0], bad[i][1], bad[i][2]);
        assert_int_equal(d, 777); /* not written on failure */
    }
    /* Year 0 and 400-year multiples are leap years in the proleptic calendar. */
    {
        bm_day d;
        assert_true(bm_day_from_ymd(0, 2, 29, &d));
        assert_true(bm_day_from_ymd(2400, 2, 29, &d));
        assert_true(bm_day_from_ymd(-4, 2, 29, &d));
        assert_false(bm_day_from_ymd(-1, 2, 29, &d));
    }
}

/* Every day of about 4400 years, each the successor of the one before. */
static void
test_ymd_round_trip(void **state)
{
    int py, pm, pd;

    (void)state;
    bm_day_to_ymd(-800001, &py, &pm, &pd);
    for (bm_day d = -800000; d <= 800000; d++) {
        static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int y, m, dd, ey = py, em = pm, ed = pd + 1;
        bm_day back;

        if (ed > mdays[em - 1] + (em == 2 && ref_leap(ey))) {
            ed = 1;
            if (++em > 12) {
                em = 1;
                ey++;
            }
        }
        bm_day_to_ymd(d, &y, &m, &dd);
        if (y != ey || m != em || dd != ed)
            fail_msg("day %d: %d-%d-%d, want %d-%d-%d", (int)d, y, m, dd, ey, em, ed);
        if (!bm_day_from_ymd(y, m, dd, &back) || back != d)
            fail_msg("day %d does not round-trip", (int)d);
        py = y;
        pm = m;
        pd = dd;
    }
}

static void
test_weekday(void **state)
{
    static const struct {
        const char *date;
        int y, m, d;
        int wd;
    } cases[] = {
        {"2026-11-26", 2026, 11, 26, 4}, /* Thursday */
        {"1970-01-01", 1970, 1, 1, 4},   {"1969-12-31", 1969, 12, 31, 3},
        {"2000-01-01", 2000, 1, 1, 6},   {"1900-01-01", 1900, 1, 1, 1},
        {"2026-02-14", 2026, 2, 14, 6},  {"2026-02-28", 2026, 2, 28, 6},
        {"2025-09-28", 2025, 9, 28, 7},  {"2025-09-26", 2025, 9, 26, 5},
        {"2026-02-10", 2026, 2, 10, 2},  {"2025-12-30", 2025, 12, 30, 2},
        {"1601-01-01", 1601, 1, 1, 1},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        bm_day d;
        assert_true(bm_day_from_ymd(cases[i].y, cases[i].m, cases[i].d, &d));
        if (bm_day_weekday(d) != cases[i].wd)
            fail_msg("%s: weekday %d, want %d", cases[i].date, bm_day_weekday(d), cases[i].wd);
    }
    /* Negative day numbers cycle like positive ones. */
    for (bm_day d = -30; d < 30; d++)
        assert_int_equal(bm_day_weekday(d + 1), bm_day_weekday(d) % 7 + 1);
    assert_int_equal(bm_day_weekday(-7), 4);
    assert_int_equal(bm_day_weekday(INT32_MAX) >= 1 && bm_day_weekday(INT32_MAX) <= 7, 1);
    assert_int_equal(bm_day_weekday(INT32_MIN) >= 1 && bm_day_weekday(INT32_MIN) <= 7, 1);
}

static void
test_parse_format(void **state)
{
    static const char *const good[] = {"2026-11-26", "2000-01-01", "2100-12-31", "2024-02-29",
                                       "2000-02-29", "2026-02-28", "2025-12-31"};
    static const char *const bad[] = {
        "2026-2-3",    "2026-02-30", "2026-02-03x", "",            "2026/02/03", " 2026-02-03",
        "2026-02-03 ", "1999-12-31", "2101-01-01",  "2026-13-01",  "2026-00-10", "2026-01-00",
        "+026-01-01",  "2026-1-011", "20260203",    "2026-02-29",  "2100-02-29", "2026-02-3",
        "2026-02-",    "2026",       "2026-0a-01",  "２０２６-01-01", "2026-01-01\n", "-2026-01-01",
    };
    char out[11];

    (void)state;
    for (size_t i = 0; i < N_OF(good); i++) {
        bm_day d;
        assert_true(bm_day_parse(good[i], &d));
        bm_day_format(d, out);
        assert_string_equal(out, good[i]);
    }
    for (size_t i = 0; i < N_OF(bad); i++) {
        bm_day d = 42;
        if (bm_day_parse(bad[i], &d))
            fail_msg("\"%s\" accepted", bad[i]);
        assert_int_equal(d, 42);
    }
    {
        bm_day d = 42;
        assert_false(bm_day_parse(NULL, &d));
        assert_int_equal(d, 42);
    }

    /* Every day of the supported range formats and parses back. */
    for (bm_day d = D("2000-01-01"); d <= D("2100-12-31"); d++) {
        bm_day back;
        bm_day_format(d, out);
        assert_true(bm_day_parse(out, &back));
        assert_int_equal(back, d);
    }
    bm_day_format(0, out);
    assert_string_equal(out, "1970-01-01");
    bm_day_format(-1, out);
    assert_string_equal(out, "1969-12-31");
    bm_day_format(-719162, out);
    assert_string_equal(out, "0001-01-01");
    /* No YYYY form: a fixed non-date that never parses back. */
    bm_day_format(BM_DAY_NONE, out);
    assert_string_equal(out, "0000-00-00");
    bm_day_format(INT32_MAX, out);
    assert_string_equal(out, "0000-00-00");
}

static void
test_day_of_instant(void **state)
{
    bm_day nov26 = D("2026-11-26");
    int64_t midnight = (int64_t)nov26 * 86400 - 8 * 3600; /* 00:00 CST */

    (void)state;
    assert_int_equal(bm_day_of_instant(0), 0); /* 08:00 CST */
    assert_int_equal(bm_day_of_instant(57599), 0);
    assert_int_equal(bm_day_of_instant(57600), 1); /* 16:00 UTC = 00:00 CST next day */
    assert_int_equal(bm_day_of_instant(-1), 0);
    assert_int_equal(bm_day_of_instant(-28800), 0);
    assert_int_equal(bm_day_of_instant(-28801), -1); /* 1969-12-31 23:59:59 CST */
    assert_int_equal(bm_day_of_instant(-86400 - 28800), -1);
    assert_int_equal(bm_day_of_instant(-86400 - 28801), -2);
    assert_int_equal(bm_day_of_instant(midnight), nov26);
    assert_int_equal(bm_day_of_instant(midnight - 1), nov26 - 1);
    assert_int_equal(bm_day_of_instant(midnight + 86399), nov26);
    assert_int_equal(bm_day_of_instant(1767196800), D("2026-01-01")); /* 2025-12-31T16:00Z */
    assert_int_equal(bm_day_of_instant(1767196799), D("2025-12-31"));
    assert_int_equal(bm_day_of_instant(INT64_MAX), INT32_MAX);
    assert_int_equal(bm_day_of_instant(INT64_MIN), INT32_MIN + 1);
}

/* ---- The shipped tables -------------------------------------------------------------- */

static void
check_table(const struct year_table *t, size_t want_n, size_t want_off, size_t want_work)
{
    size_t off = 0, work = 0;
    struct bm_err err;

    assert_int_equal(t->n, want_n);
    for (size_t i = 0; i < t->n; i++) {
        const struct bm_cal_entry *e = &t->entries[i];
        assert_int_equal(bm_day_year(e->day), t->year);
        if (i > 0)
            assert_true(t->entries[i - 1].day < e->day);
        /* Names live in the caller's buffer, not in the text. */
        assert_true(e->name >= t->buf && e->name < t->buf + strlen(t->text) + 1);
        if (e->kind == BM_CAL_OFF)
            off++;
        else
            work++;
    }
    assert_int_equal(off, want_off);
    assert_int_equal(work, want_work);
    bm_err_clear(&err);
    assert_int_equal(bm_cal_check_year(t->year, t->entries, t->n, &err), BM_OK);
    assert_int_equal(err.n_fields, 0);
}

static void
test_shipped_files(void **state)
{
    (void)state;
    /* 8.1: 1 + 8 + 3 + 5 + 3 + 8 days off, 5 make-up days. */
    check_table(&y2025, 33, 28, 5);
    /* 8.2: 3 + 9 + 3 + 5 + 3 + 3 + 7 days off, 6 make-up days. */
    check_table(&y2026, 39, 33, 6);

    assert_day(y2025.entries[0].day, "2025-01-01");
    assert_string_equal(y2025.entries[0].name, "元旦");
    assert_int_equal(y2025.entries[1].kind, BM_CAL_WORK); /* 01-26 before 01-28 */
    assert_day(y2025.entries[1].day, "2025-01-26");
    assert_string_equal(y2025.entries[1].name, "春节调休");
    assert_day(y2025.entries[32].day, "2025-10-11");
    assert_int_equal(y2025.entries[32].kind, BM_CAL_WORK);
    assert_string_equal(y2025.entries[32].name, "国庆节、中秋节调休");

    assert_day(y2026.entries[0].day, "2026-01-01");
    assert_string_equal(y2026.entries[0].name, "元旦");
    assert_day(y2026.entries[3].day, "2026-01-04");
    assert_string_equal(y2026.entries[3].name, "元旦调休");
    assert_day(y2026.entries[38].day, "2026-10-10");
    assert_string_equal(y2026.entries[38].name, "国庆节调休");

    /* Both files open with the source comment of 8.3. */
    assert_true(strncmp(y2025.text, "# year 2025, source: ", 21) == 0);
    assert_true(strncmp(y2026.text, "# year 2026, source: ", 21) == 0);
    assert_true(bm_cal_has_year(&cal, 2025));
    assert_true(bm_cal_has_year(&cal, 2026));
    assert_false(bm_cal_has_year(&cal, 2027));
    assert_false(bm_cal_has_year(&empty_cal, 2026));
    assert_false(bm_cal_has_year(NULL, 2026));
}

/* Every boundary of both tables of domain.md 8.1 and 8.2. */
static void
test_is_working_day(void **state)
{
    static const struct {
        const char *date;
        bool working;
    } cases[] = {
        {"2024-12-31", true},  {"2025-01-01", false}, {"2025-01-02", true},
        {"2025-01-24", true},  {"2025-01-25", false}, {"2025-01-26", true}, /* Sun, make-up */
        {"2025-01-27", true},  {"2025-01-28", false}, {"2025-02-04", false},
        {"2025-02-05", true},  {"2025-02-08", true},  {"2025-02-09", false},
        {"2025-04-03", true},  {"2025-04-04", false}, {"2025-04-06", false},
        {"2025-04-07", true},  {"2025-04-27", true},  {"2025-04-30", true},
        {"2025-05-01", false}, {"2025-05-05", false}, {"2025-05-06", true},
        {"2025-05-30", true},  {"2025-05-31", false}, {"2025-06-02", false},
        {"2025-06-03", true},  {"2025-09-27", false}, {"2025-09-28", true},
        {"2025-09-30", true},  {"2025-10-01", false}, {"2025-10-08", false},
        {"2025-10-09", true},  {"2025-10-11", true},  {"2025-10-12", false},
        {"2026-01-01", false}, {"2026-01-02", false}, {"2026-01-03", false},
        {"2026-01-04", true},  {"2026-01-05", true},  {"2026-02-13", true},
        {"2026-02-14", true},  {"2026-02-15", false}, {"2026-02-16", false},
        {"2026-02-17", false}, {"2026-02-18", false}, {"2026-02-19", false},
        {"2026-02-20", false}, {"2026-02-21", false}, {"2026-02-22", false},
        {"2026-02-23", false}, {"2026-02-24", true},  {"2026-02-27", true},
        {"2026-02-28", true},  {"2026-03-01", false}, {"2026-04-03", true},
        {"2026-04-04", false}, {"2026-04-06", false}, {"2026-04-07", true},
        {"2026-04-30", true},  {"2026-05-01", false}, {"2026-05-05", false},
        {"2026-05-06", true},  {"2026-05-09", true},  {"2026-05-10", false},
        {"2026-06-18", true},  {"2026-06-19", false}, {"2026-06-21", false},
        {"2026-06-22", true},  {"2026-09-20", true},  {"2026-09-24", true},
        {"2026-09-25", false}, {"2026-09-27", false}, {"2026-09-28", true},
        {"2026-09-30", true},  {"2026-10-01", false}, {"2026-10-07", false},
        {"2026-10-08", true},  {"2026-10-10", true},  {"2026-10-11", false},
        {"2026-12-31", true},  {"2027-01-01", true}, /* no 2027 table: Mon..Fri */
        {"2027-01-02", false},
    };

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        if (bm_cal_is_working_day(&cal, D(cases[i].date)) != cases[i].working)
            fail_msg("%s: want %s", cases[i].date, cases[i].working ? "working" : "day off");
    }
    /* Without tables, Monday to Friday. */
    assert_false(bm_cal_is_working_day(&empty_cal, D("2026-02-14")));
    assert_true(bm_cal_is_working_day(&empty_cal, D("2026-02-16")));
    assert_true(bm_cal_is_working_day(NULL, D("2026-01-01")));
}

/* 248 working days in each year (domain.md 8.2), counted as (Dec 31 before, Dec 31]. */
static void
test_working_days_per_year(void **state)
{
    (void)state;
    assert_int_equal(bm_cal_working_days_between(&cal, D("2024-12-31"), D("2025-12-31"), NULL, 0),
                     248);
    assert_int_equal(bm_cal_working_days_between(&cal, D("2025-12-31"), D("2026-12-31"), NULL, 0),
                     248);
    /* 261 weekdays in each year without a table. */
    assert_int_equal(
        bm_cal_working_days_between(&empty_cal, D("2024-12-31"), D("2025-12-31"), NULL, 0), 261);
    assert_int_equal(
        bm_cal_working_days_between(&empty_cal, D("2025-12-31"), D("2026-12-31"), NULL, 0), 261);
    /* Day by day agrees. */
    {
        int n = 0;
        for (bm_day d = D("2026-01-01"); d <= D("2026-12-31"); d++)
            n += bm_cal_is_working_day(&cal, d);
        assert_int_equal(n, 248);
    }
}

/* ---- Deadlines: the worked examples of domain.md 2.4 --------------------------------- */

static void
test_example_a(void **state)
{
    static const char *const counted[] = {"2025-09-28", "2025-09-29", "2025-09-30",
                                          "2025-10-09", "2025-10-10"};
    bool prov = true;

    (void)state;
    for (size_t i = 0; i < N_OF(counted); i++)
        assert_day(bm_cal_add_working_days(&cal, D("2025-09-26"), (int)i + 1, NULL, 0, NULL),
                   counted[i]);
    assert_day(bm_cal_add_working_days(&cal, D("2025-09-26"), 5, NULL, 0, &prov), "2025-10-10");
    assert_false(prov);
}

static void
test_example_b(void **state)
{
    const struct bm_pause review = {D("2026-02-12"), D("2026-02-27")};
    bm_day accepted = D("2026-02-10");
    bool prov = true;

    (void)state;
    assert_day(bm_cal_add_working_days(&cal, accepted, 20, &review, 1, &prov), "2026-03-25");
    assert_false(prov);
    assert_day(bm_cal_add_working_days(&cal, accepted, 1, &review, 1, NULL), "2026-02-11");
    assert_day(bm_cal_add_working_days(&cal, accepted, 2, &review, 1, NULL), "2026-02-28");
    assert_day(bm_cal_add_working_days(&cal, accepted, 3, &review, 1, NULL), "2026-03-02");
    assert_day(bm_cal_add_working_days(&cal, accepted, 20, NULL, 0, NULL), "2026-03-16");
    /* Pauses in any order, overlapping, and empty ones (from > to) change nothing else. */
    {
        const struct bm_pause split[] = {
            {D("2026-02-20"), D("2026-02-27")},
            {D("2026-03-30"), D("2026-03-01")}, /* empty */
            {D("2026-02-12"), D("2026-02-16")},
            {D("2026-02-14"), D("2026-02-21")},
        };
        assert_day(bm_cal_add_working_days(&cal, accepted, 20, split, N_OF(split), NULL),
                   "2026-03-25");
        assert_int_equal(
            bm_cal_working_days_between(&cal, accepted, D("2026-03-25"), split, N_OF(split)), 20);
    }
    assert_int_equal(bm_cal_working_days_between(&cal, accepted, D("2026-03-25"), &review, 1), 20);
    assert_int_equal(bm_cal_working_days_between(&cal, accepted, D("2026-03-16"), NULL, 0), 20);
}

static void
test_example_c(void **state)
{
    bool prov = true;

    (void)state;
    assert_day(bm_cal_add_working_days(&cal, D("2025-12-30"), 1, NULL, 0, NULL), "2025-12-31");
    assert_day(bm_cal_add_working_days(&cal, D("2025-12-30"), 2, NULL, 0, NULL), "2026-01-04");
    assert_day(bm_cal_add_working_days(&cal, D("2025-12-30"), 3, NULL, 0, &prov), "2026-01-05");
    assert_false(prov);
}

static void
test_n_zero(void **state)
{
    static const char *const days[] = {"2026-03-02", "2026-02-15", "2026-02-14", "2026-03-01",
                                       "2027-06-05"};
    bool prov = true;

    (void)state;
    /* 即办件: due the day it is accepted, whatever kind of day that is. */
    for (size_t i = 0; i < N_OF(days); i++) {
        prov = true;
        assert_day(bm_cal_add_working_days(&cal, D(days[i]), 0, NULL, 0, &prov), days[i]);
        assert_false(prov);
    }
    assert_int_equal(bm_cal_add_working_days(&cal, BM_DAY_NONE, 5, NULL, 0, NULL), BM_DAY_NONE);
}

static void
test_year_boundary(void **state)
{
    (void)state;
    /* 2025-12-31 is the last working day of 2025; 2026 opens with three days off. */
    assert_day(bm_cal_add_working_days(&cal, D("2025-12-31"), 1, NULL, 0, NULL), "2026-01-04");
    assert_day(bm_cal_add_working_days(&cal, D("2025-12-26"), 4, NULL, 0, NULL), "2026-01-04");
    assert_day(bm_cal_add_working_days(&cal, D("2025-12-26"), 5, NULL, 0, NULL), "2026-01-05");
    assert_int_equal(bm_cal_working_days_between(&cal, D("2025-12-26"), D("2026-01-05"), NULL, 0),
                     5);
    /* Spring Festival 2026 spans 9 days off around a make-up Saturday. */
    assert_day(bm_cal_add_working_days(&cal, D("2026-02-13"), 1, NULL, 0, NULL), "2026-02-14");
    assert_day(bm_cal_add_working_days(&cal, D("2026-02-14"), 1, NULL, 0, NULL), "2026-02-24");
}

static void
test_provisional(void **state)
{
    bool prov = false;

    (void)state;
    /* 2027 has no table: Mon..Fri stands in and the result is provisional (domain.md 8.3). */
    assert_day(bm_cal_add_working_days(&cal, D("2026-12-30"), 3, NULL, 0, &prov), "2027-01-04");
    assert_true(prov);
    /* Assigned, not only raised: a walk inside 2026 clears it. */
    assert_day(bm_cal_add_working_days(&cal, D("2026-12-30"), 1, NULL, 0, &prov), "2026-12-31");
    assert_false(prov);
    /* A walk starting in a year without a table. */
    prov = false;
    assert_day(bm_cal_add_working_days(&cal, D("2024-12-30"), 1, NULL, 0, &prov), "2024-12-31");
    assert_true(prov);
    /* Reaching 2027 only to look at a weekend still depends on the missing table. */
    prov = false;
    assert_day(bm_cal_add_working_days(&cal, D("2027-01-01"), 1, NULL, 0, &prov), "2027-01-04");
    assert_true(prov);
    /* Only a weekend of a year without a table is looked at, and the day counted is in a
     * year with one: still provisional, that weekend might have been a make-up day. */
    {
        static const int only_2024[] = {2024};
        const struct bm_calendar c2024 = {NULL, 0, only_2024, 1};
        prov = false;
        assert_day(bm_cal_add_working_days(&c2024, D("2023-12-29"), 1, NULL, 0, &prov),
                   "2024-01-01");
        assert_true(prov);
        prov = true;
        assert_day(bm_cal_add_working_days(&c2024, D("2024-01-01"), 1, NULL, 0, &prov),
                   "2024-01-02");
        assert_false(prov);
    }
    /* No tables at all. */
    prov = false;
    assert_day(bm_cal_add_working_days(&empty_cal, D("2026-02-13"), 1, NULL, 0, &prov),
               "2026-02-16");
    assert_true(prov);
    prov = false;
    assert_day(bm_cal_add_working_days(NULL, D("2026-02-13"), 1, NULL, 0, &prov), "2026-02-16");
    assert_true(prov);
    /* Days of 2027 inside a pause are never looked at. */
    {
        const struct bm_pause p = {D("2026-12-31"), D("2027-01-10")};
        prov = true;
        assert_day(bm_cal_add_working_days(&cal, D("2026-12-30"), 1, &p, 1, &prov), "2027-01-11");
        assert_true(prov); /* 2027-01-11 itself is in 2027 */
        prov = true;
        assert_day(bm_cal_add_working_days(&cal, D("2026-12-28"), 2, &p, 1, &prov), "2026-12-30");
        assert_false(prov);
    }
}

/* The definition, day by day, as a reference for the faster counting. */
static bool
ref_paused(bm_day d, const struct bm_pause *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].from <= d && d <= p[i].to)
            return true;
    return false;
}

static int
ref_between(const struct bm_calendar *c, bm_day from, bm_day to, const struct bm_pause *p,
            size_t n)
{
    int k = 0;
    for (bm_day d = from + 1; d <= to; d++)
        if (!ref_paused(d, p, n) && bm_cal_is_working_day(c, d))
            k++;
    return k;
}

static bm_day
ref_add(const struct bm_calendar *c, bm_day d, int n, const struct bm_pause *p, size_t np)
{
    while (n > 0) {
        d++;
        if (!ref_paused(d, p, np) && bm_cal_is_working_day(c, d))
            n--;
    }
    return d;
}

static void
test_working_days_between(void **state)
{
    bm_day lo = D("2024-12-01"), hi = D("2027-02-01");
    uint32_t seed = 12345;

    (void)state;
    assert_int_equal(bm_cal_working_days_between(&cal, D("2026-03-02"), D("2026-03-02"), NULL, 0),
                     0);
    assert_int_equal(bm_cal_working_days_between(&cal, D("2026-03-09"), D("2026-03-02"), NULL, 0),
                     0);
    assert_int_equal(bm_cal_working_days_between(&cal, D("2026-03-02"), D("2026-03-03"), NULL, 0),
                     1);
    assert_int_equal(bm_cal_working_days_between(&cal, D("2026-02-13"), D("2026-02-24"), NULL, 0),
                     2); /* 02-14 (make-up Saturday) and 02-24 */
    assert_int_equal(bm_cal_working_days_between(&cal, D("2026-02-14"), D("2026-02-23"), NULL, 0),
                     0);
    assert_int_equal(bm_cal_working_days_between(&cal, BM_DAY_NONE, D("2026-02-23"), NULL, 0), 0);
    assert_int_equal(bm_cal_working_days_between(&cal, D("2026-02-23"), BM_DAY_NONE, NULL, 0), 0);
    {
        /* A pause reaching past `to`, and one covering everything. */
        const struct bm_pause a = {D("2026-03-04"), D("2026-12-31")};
        const struct bm_pause all = {INT32_MIN + 1, INT32_MAX};
        assert_int_equal(bm_cal_working_days_between(&cal, D("2026-03-01"), D("2026-03-20"), &a, 1),
                         2);
        assert_int_equal(
            bm_cal_working_days_between(&cal, D("2026-03-01"), D("2026-03-20"), &all, 1), 0);
    }

    /* add and between are inverse: due is a working day and exactly n days are counted. */
    for (bm_day start = D("2025-01-01"); start <= D("2026-12-31"); start++) {
        static const int ns[] = {1, 2, 5, 20, 60};
        for (size_t i = 0; i < N_OF(ns); i++) {
            bm_day due = bm_cal_add_working_days(&cal, start, ns[i], NULL, 0, NULL);
            assert_true(bm_cal_is_working_day(&cal, due));
            assert_int_equal(bm_cal_working_days_between(&cal, start, due, NULL, 0), ns[i]);
            assert_int_equal(bm_cal_working_days_between(&cal, start, due - 1, NULL, 0), ns[i] - 1);
        }
    }

    /* Against the day-by-day definition, with random pauses (unsorted, overlapping, empty). */
    for (int round = 0; round < 3000; round++) {
        struct bm_pause p[4];
        size_t np;
        bm_day from, to;
        int n;

#define NEXT() (seed = seed * 1103515245u + 12345u, (seed >> 8) & 0xFFFF)
        from = lo + (bm_day)(NEXT() % (uint32_t)(hi - lo));
        to = from - 5 + (bm_day)(NEXT() % 400);
        np = NEXT() % 5;
        for (size_t i = 0; i < np; i++) {
            p[i].from = from - 10 + (bm_day)(NEXT() % 300);
            p[i].to = p[i].from - 3 + (bm_day)(NEXT() % 40);
        }
        n = (int)(NEXT() % 120);
#undef NEXT
        assert_int_equal(bm_cal_working_days_between(&cal, from, to, p, np),
                         ref_between(&cal, from, to, p, np));
        assert_int_equal(bm_cal_add_working_days(&cal, from, n, p, np, NULL),
                         ref_add(&cal, from, n, p, np));
    }
}

/* ---- The text format (domain.md 8.3) ------------------------------------------------- */

static void
test_parse_text_ok(void **state)
{
    static const char text[] = "\xEF\xBB\xBF# year 2026, source: test\r\n"
                               "\r\n"
                               "work 2026-01-04\t元旦调休\r\n"
                               "off  2026-01-01 2026-01-03  元旦   # three days\r\n"
                               "   # an indented comment\n"
                               "\t\n"
                               "off 2026-10-01 国庆节";
    static const char *const want_days[] = {"2026-01-01", "2026-01-02", "2026-01-03",
                                            "2026-01-04", "2026-10-01"};
    static const char *const want_names[] = {"元旦", "元旦", "元旦", "元旦调休", "国庆节"};
    char buf[sizeof(text)];
    struct bm_cal_entry out[8];
    struct bm_err err;
    size_t n = 99;

    (void)state;
    bm_err_clear(&err);
    assert_int_equal(bm_cal_parse_text(text, 2026, buf, sizeof(buf), out, N_OF(out), &n, &err),
                     BM_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        assert_day(out[i].day, want_days[i]);
        assert_string_equal(out[i].name, want_names[i]);
        assert_int_equal(out[i].kind, i == 3 ? BM_CAL_WORK : BM_CAL_OFF);
        assert_true(out[i].name >= buf && out[i].name < buf + sizeof(buf));
    }
    /* The text itself is untouched. */
    assert_true(strstr(text, "元旦调休\r\noff") != NULL);

    /* Exactly `max` entries fit; an empty table is a table. */
    n = 99;
    assert_int_equal(bm_cal_parse_text("off 2026-01-01 2026-01-03 元旦", 2026, buf, sizeof(buf),
                                       out, 3, &n, &err),
                     BM_OK);
    assert_int_equal(n, 3);
    n = 99;
    assert_int_equal(bm_cal_parse_text("# nothing yet\n", 2027, buf, sizeof(buf), out, 0, &n, &err),
                     BM_OK);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(bm_cal_parse_text("", 2026, buf, 1, out, N_OF(out), &n, &err), BM_OK);
    assert_int_equal(n, 0);
    /* 20 characters is the longest name. */
    assert_int_equal(bm_cal_parse_text("off 2026-01-01 一二三四五六七八九十一二三四五六七八九十",
                                       2026, buf, sizeof(buf), out, N_OF(out), &n, &err),
                     BM_OK);
}

static void
test_parse_text_errors(void **state)
{
    static const struct {
        const char *text;
        size_t max;
        int line;
        const char *fragment;
    } cases[] = {
        {"off 2026-01-01 元旦\nholiday 2026-01-02 元旦", 20, 2, "off"},
        {"OFF 2026-01-01 元旦", 20, 1, "off"},
        {"off 2026-2-3 春节", 20, 1, "YYYY-MM-DD"},
        {"off 2026-02-30 春节", 20, 1, "YYYY-MM-DD"},
        {"off 2026-02-03x 春节", 20, 1, "YYYY-MM-DD"},
        {"off 2026-02-16 2026-2-20 春节", 20, 1, "结束日期"},
        {"# comment\noff 2026-01-01", 20, 2, "缺少"},
        {"off 2026-01-01 2026-01-03", 20, 1, "缺少名称"},
        {"off 2026-01-01元旦", 20, 1, "缺少"},
        {"work 2026-01-05 调休", 20, 1, "星期一"},
        {"off 2026-01-01 元旦\nwork 2026-10-09 国庆节调休", 20, 2, "星期五"},
        {"off 2025-12-31 元旦", 20, 1, "不在2026年内"},
        {"off 2026-12-31 2027-01-01 元旦", 20, 1, "2027-01-01不在2026年内"},
        {"off 2026-01-01 元旦\n\noff 2026-01-01 元旦", 20, 3, "2026-01-01"},
        {"off 2026-01-01 2026-01-03 元旦\nwork 2026-01-03 调休", 20, 2, "重复"},
        {"off 2026-02-15 2026-02-23 春节\noff 2026-02-20 2026-02-25 春节", 20, 2, "2026-02-20"},
        {"off 2026-01-03 2026-01-01 元旦", 20, 1, "早于"},
        {"off 2026-01-01 一二三四五六七八九十一二三四五六七八九十一", 20, 1, "名称"},
        {"off 2026-01-01 \xff\xfe", 20, 1, "名称"},
        {"off 2026-01-01 2026-01-02 元旦 多余", 20, 1, "off 起始日期"},
        {"work 2026-01-04 2026-01-05 调休", 20, 1, "每行一天"},
        {"off 2026-01-01 2026-01-03 元旦", 2, 1, "超过2个"},
        {"off 2026-01-01 元旦\noff 2026-02-01 2026-05-31 春节", 500, 2, "超过120个"},
        {"work\n", 20, 1, "缺少"},
    };
    char buf[256];
    struct bm_cal_entry out[BM_CAL_MAX_ENTRIES];

    (void)state;
    for (size_t i = 0; i < N_OF(cases); i++) {
        struct bm_err err;
        char want_line[32];
        size_t n = 777;
        enum bm_rc rc;

        bm_err_clear(&err);
        rc = bm_cal_parse_text(cases[i].text, 2026, buf, sizeof(buf), out, cases[i].max, &n,
                               &err);
        snprintf(want_line, sizeof(want_line), "第%d行", cases[i].line);
        if (rc != BM_EINVAL || strstr(err.message, want_line) == NULL ||
            strstr(err.message, cases[i].fragment) == NULL)
            fail_msg("case %zu: rc %d, message \"%s\"; want %s and \"%s\"", i, (int)rc,
                     err.message, want_line, cases[i].fragment);
        assert_int_equal(err.rc, BM_EINVAL);
        assert_int_equal(n, 777); /* *n is written only on success */
        /* The message goes to the user as JSON: always valid UTF-8. */
        assert_true(bm_utf8_valid(err.message, strlen(err.message)));
    }
}

static void
test_parse_text_buffer_and_year(void **state)
{
    static const char text[] = "off 2026-01-01 元旦";
    char buf[sizeof(text)];
    struct bm_cal_entry out[4];
    struct bm_err err;
    size_t n = 777;

    (void)state;
    bm_err_clear(&err);
    /* The copy needs strlen(text) + 1 bytes. */
    assert_int_equal(bm_cal_parse_text(text, 2026, buf, sizeof(buf) - 1, out, 4, &n, &err),
                     BM_ETOOBIG);
    assert_int_equal(n, 777);
    bm_err_clear(&err);
    assert_int_equal(bm_cal_parse_text(text, 2026, buf, sizeof(buf), out, 4, &n, &err), BM_OK);
    assert_int_equal(n, 1);
    /* A year outside the supported range is refused even with nothing listed. */
    bm_err_clear(&err);
    n = 777;
    assert_int_equal(bm_cal_parse_text("", 2101, buf, sizeof(buf), out, 4, &n, &err), BM_EINVAL);
    assert_int_equal(n, 777);
    assert_int_equal(err.n_fields, 1);
    assert_string_equal(err.fields[0].field, "year");
}

/* ---- bm_cal_check_year --------------------------------------------------------------- */

static bool
has_field(const struct bm_err *err, const char *field)
{
    for (int i = 0; i < err->n_fields && i < BM_ERR_FIELDS; i++)
        if (strcmp(err->fields[i].field, field) == 0)
            return true;
    return false;
}

static void
test_check_year(void **state)
{
    const struct bm_cal_entry bad[] = {
        {D("2026-01-01"), BM_CAL_OFF, "元旦"},
        {D("2025-12-31"), BM_CAL_OFF, "元旦"},                /* outside 2026 */
        {D("2026-01-01"), BM_CAL_OFF, "元旦"},                /* duplicate of days[0] */
        {D("2026-01-05"), BM_CAL_WORK, "调休"},               /* Monday */
        {D("2026-01-10"), BM_CAL_WORK, ""},                   /* empty name */
        {D("2026-01-11"), BM_CAL_OFF, "一二三四五六七八九十一二三四五六七八九十一"}, /* 21 */
        {D("2026-01-12"), (enum bm_cal_kind)7, "假日"},       /* unknown kind */
        {D("2026-01-13"), BM_CAL_OFF, NULL},                  /* no name */
    };
    const struct bm_cal_entry good[] = {
        {D("2026-02-28"), BM_CAL_WORK, "春节调休"}, /* unsorted is fine */
        {D("2026-01-01"), BM_CAL_OFF, "元旦"},
        {D("2026-01-04"), BM_CAL_WORK, "元旦调休"}, /* a Sunday */
        {D("2026-01-03"), BM_CAL_OFF, "元旦"},      /* a day off on a Saturday */
    };
    static struct bm_cal_entry many[BM_CAL_MAX_ENTRIES + 1];
    struct bm_err err;

    (void)state;
    bm_err_clear(&err);
    assert_int_equal(bm_cal_check_year(2026, bad, N_OF(bad), &err), BM_EINVAL);
    assert_int_equal(err.rc, BM_EINVAL);
    assert_int_equal(err.n_fields, 7);
    assert_false(has_field(&err, "days[0].date"));
    assert_true(has_field(&err, "days[1].date"));
    assert_true(has_field(&err, "days[2].date"));
    assert_true(has_field(&err, "days[3].date"));
    assert_true(has_field(&err, "days[4].name"));
    assert_true(has_field(&err, "days[5].name"));
    assert_true(has_field(&err, "days[6].kind"));
    assert_true(has_field(&err, "days[7].name"));
    for (int i = 0; i < err.n_fields; i++)
        assert_true(bm_utf8_valid(err.fields[i].message, strlen(err.fields[i].message)));
    assert_string_equal(err.fields[0].field, "days[1].date");
    assert_non_null(strstr(err.fields[0].message, "2025-12-31"));
    assert_non_null(strstr(err.fields[1].message, "重复"));
    assert_non_null(strstr(err.fields[2].message, "星期一"));

    bm_err_clear(&err);
    assert_int_equal(bm_cal_check_year(2026, good, N_OF(good), &err), BM_OK);
    assert_int_equal(err.n_fields, 0);
    assert_int_equal(bm_cal_check_year(2026, NULL, 0, &err), BM_OK);
    /* The same table is wrong for another year. */
    assert_int_equal(bm_cal_check_year(2025, good, N_OF(good), &err), BM_EINVAL);
    assert_int_equal(err.n_fields, 4);
    assert_true(has_field(&err, "days[3].date"));

    /* At most BM_CAL_MAX_ENTRIES days in a year. */
    for (size_t i = 0; i < N_OF(many); i++)
        many[i] = (struct bm_cal_entry){D("2026-01-01") + (bm_day)i, BM_CAL_OFF, "假"};
    bm_err_clear(&err);
    assert_int_equal(bm_cal_check_year(2026, many, BM_CAL_MAX_ENTRIES, &err), BM_OK);
    assert_int_equal(bm_cal_check_year(2026, many, N_OF(many), &err), BM_EINVAL);
    assert_true(has_field(&err, "days"));
    bm_err_clear(&err);
    assert_int_equal(bm_cal_check_year(1999, NULL, 0, &err), BM_EINVAL);
    assert_true(has_field(&err, "year"));
}

/* ---- Deadline lights (domain.md 3.2) ------------------------------------------------- */

struct light_case {
    const char *today;
    enum bm_light want;
};

static void
run_lights(const char *what, bm_day accepted, bm_day due, int limit, const struct bm_pause *p,
           size_t np, const struct light_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum bm_light got = bm_cal_light(&cal, accepted, due, limit, D(cases[i].today), p, np);
        if (got != cases[i].want)
            fail_msg("%s, today %s: %s, want %s", what, cases[i].today, bm_light_code(got),
                     bm_light_code(cases[i].want));
    }
}

static void
test_lights(void **state)
{
    /* 10 working days from Monday 2026-03-02: due Monday 03-16. */
    static const struct light_case ten[] = {
        {"2026-02-25", BM_LIGHT_GREEN},  /* before acceptance: nothing used */
        {"2026-03-02", BM_LIGHT_GREEN},  /* used 0, left 10 */
        {"2026-03-10", BM_LIGHT_GREEN},  /* used 6 */
        {"2026-03-11", BM_LIGHT_GREEN},  /* used 7 = 70 %, left 3 */
        {"2026-03-12", BM_LIGHT_YELLOW}, /* used 8 = 80 %, left 2: the 80 % rule */
        {"2026-03-13", BM_LIGHT_YELLOW}, /* left 1 */
        {"2026-03-14", BM_LIGHT_YELLOW}, /* Saturday, left 1 */
        {"2026-03-16", BM_LIGHT_YELLOW}, /* the due day, left 0 */
        {"2026-03-17", BM_LIGHT_RED},
        {"2027-01-01", BM_LIGHT_RED},
    };
    /* 3 working days: the 1-day-left rule fires before 80 % is reached. */
    static const struct light_case three[] = {
        {"2026-03-02", BM_LIGHT_GREEN},  /* used 0, left 3 */
        {"2026-03-03", BM_LIGHT_GREEN},  /* used 1 = 33 %, left 2 */
        {"2026-03-04", BM_LIGHT_YELLOW}, /* used 2 = 67 %, left 1 */
        {"2026-03-05", BM_LIGHT_YELLOW},
        {"2026-03-06", BM_LIGHT_RED},
    };
    /* 即办件. */
    static const struct light_case immediate[] = {
        {"2026-03-02", BM_LIGHT_YELLOW},
        {"2026-03-03", BM_LIGHT_RED},
    };
    static const struct light_case immediate_makeup[] = {
        {"2026-02-14", BM_LIGHT_YELLOW}, /* a make-up Saturday */
        {"2026-02-15", BM_LIGHT_RED},
    };
    /* Worked example B with its pause: due 03-25. */
    static const struct light_case paused[] = {
        {"2026-02-11", BM_LIGHT_GREEN},  /* used 1 */
        {"2026-02-12", BM_LIGHT_NONE},   /* inside the special procedure */
        {"2026-02-20", BM_LIGHT_NONE},
        {"2026-02-27", BM_LIGHT_NONE},
        {"2026-02-28", BM_LIGHT_GREEN},  /* used 2 */
        {"2026-03-16", BM_LIGHT_GREEN},  /* used 13 = 65 %, left 7 */
        {"2026-03-18", BM_LIGHT_GREEN},  /* used 15 = 75 %, left 5 */
        {"2026-03-19", BM_LIGHT_YELLOW}, /* used 16 = 80 % */
        {"2026-03-25", BM_LIGHT_YELLOW},
        {"2026-03-26", BM_LIGHT_RED},
    };
    /* After the pause, the due day alone is enough: days used = limit - days left. */
    static const struct light_case unpaused[] = {
        {"2026-03-16", BM_LIGHT_GREEN},  /* left 7, used 13 */
        {"2026-03-19", BM_LIGHT_YELLOW}, /* left 4, used 16 = 80 % */
        {"2026-03-26", BM_LIGHT_RED},
    };
    const struct bm_pause review = {D("2026-02-12"), D("2026-02-27")};
    bm_day mar2 = D("2026-03-02");

    (void)state;
    assert_day(bm_cal_add_working_days(&cal, mar2, 10, NULL, 0, NULL), "2026-03-16");
    run_lights("10 days", mar2, D("2026-03-16"), 10, NULL, 0, ten, N_OF(ten));
    assert_day(bm_cal_add_working_days(&cal, mar2, 3, NULL, 0, NULL), "2026-03-05");
    run_lights("3 days", mar2, D("2026-03-05"), 3, NULL, 0, three, N_OF(three));
    run_lights("immediate", mar2, mar2, 0, NULL, 0, immediate, N_OF(immediate));
    run_lights("immediate on a make-up day", D("2026-02-14"), D("2026-02-14"), 0, NULL, 0,
               immediate_makeup, N_OF(immediate_makeup));
    run_lights("example B", D("2026-02-10"), D("2026-03-25"), 20, &review, 1, paused,
               N_OF(paused));
    run_lights("example B without its pause", D("2026-02-10"), D("2026-03-25"), 20, NULL, 0,
               unpaused, N_OF(unpaused));
    /* An extension raises limit_days (and the due day): 8 of 15 used is green again. */
    assert_int_equal(bm_cal_light(&cal, mar2, D("2026-03-23"), 15, D("2026-03-12"), NULL, 0),
                     BM_LIGHT_GREEN);

    /* No running clock. */
    assert_int_equal(bm_cal_light(&cal, BM_DAY_NONE, mar2, 10, mar2, NULL, 0), BM_LIGHT_NONE);
    assert_int_equal(bm_cal_light(&cal, mar2, BM_DAY_NONE, 10, mar2, NULL, 0), BM_LIGHT_NONE);
    assert_int_equal(bm_cal_light(&cal, mar2, mar2, 0, BM_DAY_NONE, NULL, 0), BM_LIGHT_NONE);
}

/*
 * The warning day agrees with the light on every day: for many acceptance days across
 * 2025-2026 (Spring Festival and National Day included) and limits from 即办件 to 120 days,
 * the light is yellow or red exactly from bm_cal_warn_day on.
 */
static void
test_warn_day_matches_light(void **state)
{
    static const int limits[] = {0, 1, 2, 4, 5, 9, 10, 14, 15, 20, 22, 30, 45, 60, 120};
    int checked = 0;

    (void)state;
    for (bm_day accepted = D("2025-01-02"); accepted < D("2026-10-20"); accepted += 11) {
        for (size_t i = 0; i < N_OF(limits); i++) {
            bool prov = false;
            bm_day due = bm_cal_add_working_days(&cal, accepted, limits[i], NULL, 0, &prov);
            bm_day warn = bm_cal_warn_day(&cal, due, limits[i]);

            assert_true(warn <= due);
            for (bm_day today = accepted; today <= due + 3; today++) {
                enum bm_light l = bm_cal_light(&cal, accepted, due, limits[i], today, NULL, 0);
                bool warned = l == BM_LIGHT_YELLOW || l == BM_LIGHT_RED;
                if (warned != (today >= warn)) {
                    char a[11], t[11];
                    bm_day_format(accepted, a);
                    bm_day_format(today, t);
                    print_error("accepted %s limit %d on %s: light %s, warn day %d\n", a,
                                limits[i], t, bm_light_code(l), (int)warn);
                }
                assert_int_equal(warned, today >= warn);
                checked++;
            }
        }
    }
    assert_true(checked > 10000);
    /* By hand: due Mon 2026-03-23 with 15 days, k = 3: yellow from the 4th working day
     * back, Wed 03-18 (left after 03-18: 19, 20, 23). */
    assert_int_equal(bm_cal_warn_day(&cal, D("2026-03-23"), 15), D("2026-03-18"));
    /* k is at least 1: a 3-day case is yellow from the working day before it is due; over
     * the Spring Festival that day is the make-up Saturday 2026-02-14. */
    assert_int_equal(bm_cal_warn_day(&cal, D("2026-02-24"), 3), D("2026-02-14"));
    assert_int_equal(bm_cal_warn_day(&cal, BM_DAY_NONE, 3), BM_DAY_NONE);
}

static void
test_light_codes(void **state)
{
    (void)state;
    assert_string_equal(bm_light_code(BM_LIGHT_NONE), "none");
    assert_string_equal(bm_light_code(BM_LIGHT_GREEN), "green");
    assert_string_equal(bm_light_code(BM_LIGHT_YELLOW), "yellow");
    assert_string_equal(bm_light_code(BM_LIGHT_RED), "red");
}

/* Instants are shown in China Standard Time, digits written by hand; outside years
 * 0..9999 or with a short buffer the snprintf path answers, truncated. */
static void
test_time_format(void **state)
{
    char buf[40];
    (void)state;

    bm_time_rfc3339(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T08:00:00+08:00");
    bm_time_rfc3339(1795701666, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-26T22:01:06+08:00");
    bm_time_rfc3339(253402271999, buf, sizeof(buf));
    assert_string_equal(buf, "9999-12-31T23:59:59+08:00");
    bm_time_rfc3339(253402271999 + 1, buf, sizeof(buf));
    assert_string_equal(buf, "10000-01-01T00:00:00+08:00");
    bm_time_rfc3339(1795701666, buf, 11);
    assert_string_equal(buf, "2026-11-26");
    bm_time_date(1795701666, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-26");
    bm_time_date(1795701666 - 22 * 3600 - 67, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-25");
    bm_time_date(1795701666, buf, 5);
    assert_string_equal(buf, "2026");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ymd_known_days),
        cmocka_unit_test(test_ymd_invalid),
        cmocka_unit_test(test_ymd_round_trip),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_day_of_instant),
        cmocka_unit_test(test_shipped_files),
        cmocka_unit_test(test_is_working_day),
        cmocka_unit_test(test_working_days_per_year),
        cmocka_unit_test(test_example_a),
        cmocka_unit_test(test_example_b),
        cmocka_unit_test(test_example_c),
        cmocka_unit_test(test_n_zero),
        cmocka_unit_test(test_year_boundary),
        cmocka_unit_test(test_provisional),
        cmocka_unit_test(test_working_days_between),
        cmocka_unit_test(test_parse_text_ok),
        cmocka_unit_test(test_parse_text_errors),
        cmocka_unit_test(test_parse_text_buffer_and_year),
        cmocka_unit_test(test_check_year),
        cmocka_unit_test(test_lights),
        cmocka_unit_test(test_light_codes),
        cmocka_unit_test(test_warn_day_matches_light),
        cmocka_unit_test(test_time_format),
    };
    return cmocka_run_group_tests(tests, load_calendars, free_calendars);
}
