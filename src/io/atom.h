/*
 * Atom 1.0 (RFC 4287) feeds, written through a tiny XML writer that escapes every text and
 * attribute value (& < > " ') and drops characters XML 1.0 cannot carry. Used by the public
 * disclosure feed (api/disclosure.c); pure, no I/O.
 */
#ifndef BM_IO_ATOM_H
#define BM_IO_ATOM_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* Appends `s` escaped for XML text or a quoted attribute. BM_ETOOBIG past the buffer's max. */
BM_MUST_CHECK enum bm_rc bm_xml_escape(struct bm_buf *b, const char *s);

struct bm_atom_entry {
    const char *id;             /* an IRI, e.g. the publication's public URL */
    const char *title;          /* plain text */
    const char *link;           /* alternate link */
    const char *author;
    const char *category;       /* term */
    const char *category_label;
    const char *content;        /* plain text (type="text") */
    int64_t published, updated; /* epoch seconds */
};

struct bm_atom_feed {
    const char *id, *title, *subtitle, *self;
    int64_t updated;
    const struct bm_atom_entry *entries;
    size_t n_entries;
};

/* Writes the whole feed document into `out`. BM_ETOOBIG past its max. */
BM_MUST_CHECK enum bm_rc bm_io_atom(const struct bm_atom_feed *f, struct bm_buf *out,
                                    struct bm_err *err);

#endif
