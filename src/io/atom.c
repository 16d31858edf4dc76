/*
 * Atom feed writer. Every value goes through bm_xml_escape; element names are constants.
 */
#include "io/atom.h"

#include <stdbool.h>
#include <string.h>

#include "util/time.h"

enum bm_rc
bm_xml_escape(struct bm_buf *b, const char *s)
{
    enum bm_rc rc = BM_OK;
    const char *run = s;

    for (const char *p = s; rc == BM_OK && p != NULL && *p; p++) {
        unsigned char c = (unsigned char)*p;
        const char *rep = NULL;
        bool drop = false;

        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default:
            /* XML 1.0 allows no C0 control characters but tab, line feed and return. */
            drop = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
        }
        if (rep == NULL && !drop)
            continue;
        rc = bm_buf_append(b, run, (size_t)(p - run));
        if (rc == BM_OK && rep != NULL)
            rc = bm_buf_puts(b, rep);
        run = p + 1;
    }
    if (rc == BM_OK && run != NULL)
        rc = bm_buf_puts(b, run);
    return rc;
}

/* <name>escaped text</name> */
static enum bm_rc
element(struct bm_buf *b, const char *indent, const char *name, const char *attrs,
        const char *text)
{
    enum bm_rc rc = bm_buf_printf(b, "%s<%s%s>", indent, name, attrs);
    if (rc == BM_OK)
        rc = bm_xml_escape(b, text != NULL ? text : "");
    if (rc == BM_OK)
        rc = bm_buf_printf(b, "</%s>\n", name);
    return rc;
}

static enum bm_rc
time_element(struct bm_buf *b, const char *indent, const char *name, int64_t t)
{
    char buf[40];
    bm_time_rfc3339(t, buf, sizeof(buf));
    return element(b, indent, name, "", buf);
}

/* <name attr="escaped" .../> with up to two attributes (NULL value: left out). */
static enum bm_rc
empty_element(struct bm_buf *b, const char *indent, const char *name, const char *a1,
              const char *v1, const char *a2, const char *v2)
{
    enum bm_rc rc = bm_buf_printf(b, "%s<%s", indent, name);
    if (rc == BM_OK && v1 != NULL) {
        rc = bm_buf_printf(b, " %s=\"", a1);
        if (rc == BM_OK)
            rc = bm_xml_escape(b, v1);
        if (rc == BM_OK)
            rc = bm_buf_puts(b, "\"");
    }
    if (rc == BM_OK && v2 != NULL) {
        rc = bm_buf_printf(b, " %s=\"", a2);
        if (rc == BM_OK)
            rc = bm_xml_escape(b, v2);
        if (rc == BM_OK)
            rc = bm_buf_puts(b, "\"");
    }
    if (rc == BM_OK)
        rc = bm_buf_puts(b, "/>\n");
    return rc;
}

enum bm_rc
bm_io_atom(const struct bm_atom_feed *f, struct bm_buf *out, struct bm_err *err)
{
    enum bm_rc rc = bm_buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                     "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    if (rc == BM_OK)
        rc = element(out, "  ", "id", "", f->id);
    if (rc == BM_OK)
        rc = element(out, "  ", "title", " type=\"text\"", f->title);
    if (rc == BM_OK && f->subtitle != NULL)
        rc = element(out, "  ", "subtitle", " type=\"text\"", f->subtitle);
    if (rc == BM_OK)
        rc = time_element(out, "  ", "updated", f->updated);
    if (rc == BM_OK)
        rc = empty_element(out, "  ", "link", "rel", "self", "href", f->self);
    if (rc == BM_OK)
        rc = bm_buf_puts(out, "  <generator>Bianmin</generator>\n");
    for (size_t i = 0; rc == BM_OK && i < f->n_entries; i++) {
        const struct bm_atom_entry *e = &f->entries[i];
        rc = bm_buf_puts(out, "  <entry>\n");
        if (rc == BM_OK)
            rc = element(out, "    ", "id", "", e->id);
        if (rc == BM_OK)
            rc = element(out, "    ", "title", " type=\"text\"", e->title);
        if (rc == BM_OK)
            rc = time_element(out, "    ", "updated", e->updated);
        if (rc == BM_OK)
            rc = time_element(out, "    ", "published", e->published);
        if (rc == BM_OK)
            rc = bm_buf_puts(out, "    <author>\n");
        if (rc == BM_OK)
            rc = element(out, "      ", "name", "", e->author);
        if (rc == BM_OK)
            rc = bm_buf_puts(out, "    </author>\n");
        if (rc == BM_OK)
            rc = empty_element(out, "    ", "link", "rel", "alternate", "href", e->link);
        if (rc == BM_OK && e->category != NULL)
            rc = empty_element(out, "    ", "category", "term", e->category, "label",
                               e->category_label);
        if (rc == BM_OK)
            rc = element(out, "    ", "content", " type=\"text\"", e->content);
        if (rc == BM_OK)
            rc = bm_buf_puts(out, "  </entry>\n");
    }
    if (rc == BM_OK)
        rc = bm_buf_puts(out, "</feed>\n");
    return rc == BM_OK ? BM_OK : bm_err_set(err, rc, "订阅内容过大");
}
