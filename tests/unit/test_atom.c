/*
 * Unit tests for src/io/atom.c: XML escaping of text and attributes, characters XML cannot
 * carry, and a whole feed read back with expat (well-formed, titles round-trip).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <expat.h>

#include "io/atom.h"

static void
test_escape(void **state)
{
    struct bm_buf b;
    (void)state;
    bm_buf_init(&b, 1024);
    assert_int_equal(bm_xml_escape(&b, "a<b>&\"c'd 公开"), BM_OK);
    assert_string_equal(b.ptr, "a&lt;b&gt;&amp;&quot;c&apos;d 公开");
    bm_buf_fini(&b);
    bm_buf_init(&b, 1024);
    assert_int_equal(bm_xml_escape(&b, "x\x01y\tz\n\x7f"), BM_OK);
    assert_string_equal(b.ptr, "xy\tz\n");
    bm_buf_fini(&b);
    bm_buf_init(&b, 4);
    assert_int_equal(bm_xml_escape(&b, "<<<<<<"), BM_ETOOBIG);
    bm_buf_fini(&b);
}

struct seen {
    int depth, entries;
    bool in_title;
    char title[256];
    char feed_title[256];
};

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct seen *s = ud;
    (void)attrs;
    s->depth++;
    if (strcmp(name, "http://www.w3.org/2005/Atom|entry") == 0)
        s->entries++;
    s->in_title = strcmp(name, "http://www.w3.org/2005/Atom|title") == 0;
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
    struct seen *s = ud;
    (void)name;
    s->depth--;
    s->in_title = false;
}

static void XMLCALL
on_text(void *ud, const XML_Char *t, int len)
{
    struct seen *s = ud;
    char *dst = s->entries > 0 ? s->title : s->feed_title;
    size_t have = strlen(dst);
    if (s->in_title && have + (size_t)len < 255)
        memcpy(dst + have, t, (size_t)len), dst[have + (size_t)len] = '\0';
}

static void
test_feed_well_formed(void **state)
{
    struct bm_atom_entry e = {
        .id = "http://x/api/v1/public/publications/1?a=1&b=2",
        .title = "关于<预算>&\"决算\"的'公告'",
        .link = "http://x/api/v1/public/publications/1?a=1&b=2",
        .author = "西田各庄镇",
        .category = "budget",
        .category_label = "财政预算和决算",
        .content = "第一行\n<script>alert(1)</script>",
        .published = 1772294400,
        .updated = 1772294400,
    };
    struct bm_atom_feed f = {
        .id = "http://x/feed", .title = "政务公开", .self = "http://x/feed?q=1&r=2",
        .updated = 1772294400, .entries = &e, .n_entries = 1,
    };
    struct bm_buf b;
    struct bm_err err;
    struct seen s = {0};
    XML_Parser p = XML_ParserCreateNS("UTF-8", '|');
    (void)state;

    bm_buf_init(&b, 1 << 16);
    assert_int_equal(bm_io_atom(&f, &b, &err), BM_OK);
    assert_non_null(strstr(b.ptr, "<updated>2026-03-01T00:00:00+08:00</updated>"));
    assert_null(strstr(b.ptr, "<script>"));
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    if (XML_Parse(p, b.ptr, (int)b.len, 1) != XML_STATUS_OK)
        fail_msg("not well-formed: %s at line %lu", XML_ErrorString(XML_GetErrorCode(p)),
                 (unsigned long)XML_GetCurrentLineNumber(p));
    XML_ParserFree(p);
    assert_int_equal(s.entries, 1);
    assert_string_equal(s.title, e.title);
    assert_string_equal(s.feed_title, "政务公开");
    bm_buf_fini(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_feed_well_formed),
    };
    return cmocka_run_group_tests_name("atom", tests, NULL, NULL);
}
