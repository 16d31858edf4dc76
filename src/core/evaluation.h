/*
 * Township performance evaluation (绩效考核, policy section 十七; domain.md section 10): the
 * indicator tree and its validation, the scoring rules (linear between a floor and a target,
 * thresholds, rank among the townships), totals, ranks, grades and the veto cap. Pure: no
 * store, no clock. Used by api/evaluation*.c; see docs/guide/evaluation.md.
 *
 * Numbers cross the store as fixed point (value × BM_EVAL_SCALE, fields named *_e4) so that
 * both backends hold exactly the same figures; the computation itself runs in double and
 * is rounded back to fixed point once, so the same inputs always give the same results.
 */
#ifndef BM_CORE_EVALUATION_H
#define BM_CORE_EVALUATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/item.h"
#include "util/err.h"

#define BM_EVAL_SCALE 10000
#define BM_EVAL_MAX_INDICATORS 64 /* per indicator system */
#define BM_EVAL_MAX_DEPTH 4       /* dimension > indicator > sub-indicator > leaf */
#define BM_EVAL_MAX_STEPS 8       /* steps of a threshold rule */
#define BM_EVAL_TOTAL_E4 (100 * BM_EVAL_SCALE) /* top-level weights add up to 100 points */

/* Where a leaf indicator's value comes from. */
enum bm_eval_source {
    BM_EVAL_SRC_NONE,                /* an inner node: the sum of its children */
    BM_EVAL_SRC_MANUAL,              /* scored by a named county department (average) */
    BM_EVAL_SRC_SURVEY,              /* imported third-party survey score */
    BM_EVAL_SRC_ON_TIME_RATE,        /* 按时办结率, % of cases decided in the period */
    BM_EVAL_SRC_SATISFACTION_RATE,   /* 好差评满意率, % of initial ratings at level 3..5 */
    BM_EVAL_SRC_RECTIFICATION_RATE,  /* 差评整改率, % of rectification tasks completed */
    BM_EVAL_SRC_ONLINE_RATE,         /* 网办率, % of cases applied for online */
    BM_EVAL_SRC_DEMAND_RESPONSE_RATE, /* 诉求按时答复率, % of demands answered by the due time */
    BM_EVAL_SRC_HOUSEHOLD_COVERAGE,  /* 联系服务群众覆盖率, % of households with a contact cadre */
    BM_EVAL_SRC_PUBLIC_SATISFACTION, /* 群众满意度: ratings and survey blended (survey_share) */
    BM_EVAL_SRC_COUNT
};

extern const struct bm_code bm_eval_sources[]; /* codes in enum order, "" for NONE */
bool bm_eval_source_parse(const char *code, enum bm_eval_source *out);
const char *bm_eval_source_code(enum bm_eval_source s);
const char *bm_eval_source_name_zh(enum bm_eval_source s);
/* True for the sources computed from the platform's own data (frozen at closing). */
bool bm_eval_source_is_platform(enum bm_eval_source s);

enum bm_eval_rule {
    BM_EVAL_RULE_NONE,      /* inner node */
    BM_EVAL_RULE_LINEAR,    /* floor -> 0, target -> full, straight line between (either way) */
    BM_EVAL_RULE_THRESHOLD, /* the fraction of the first step whose minimum the value reaches */
    BM_EVAL_RULE_RANK,      /* best of n -> full, worst -> 0, evenly between */
};

extern const struct bm_code bm_eval_rules[];
bool bm_eval_rule_parse(const char *code, enum bm_eval_rule *out);

/* Township types, for the differentiated variants of an indicator system. */
extern const struct bm_code bm_eval_township_types[]; /* general, agricultural, ... */

/* Grades, best first. */
enum bm_eval_grade {
    BM_EVAL_EXCELLENT, /* 优秀 */
    BM_EVAL_GOOD,      /* 良好 */
    BM_EVAL_PASS,      /* 合格 */
    BM_EVAL_FAIL,      /* 不合格 */
};
extern const struct bm_code bm_eval_grades[];
bool bm_eval_grade_parse(const char *code, enum bm_eval_grade *out);

/* Period states: open (inputs accepted), closed (inputs frozen), published (公示). */
extern const struct bm_code bm_eval_period_statuses[];
/* Follow-up kinds: talk (约谈), rectify (整改), notice (通报). */
extern const struct bm_code bm_eval_followup_kinds[];

struct bm_eval_step {
    int64_t min_e4;      /* the value reaches at least this */
    int64_t fraction_e4; /* share of the indicator's weight, 0..BM_EVAL_SCALE */
};

/* One node of an indicator system (as stored; text borrowed). */
struct bm_eval_indicator {
    int64_t id;
    int ord;
    const char *code, *parent_code, *name; /* parent_code "" for a top-level dimension */
    int64_t weight_e4;
    const char *source, *rule;             /* codes; "" for inner nodes */
    int64_t floor_e4, target_e4;           /* linear */
    const char *steps;                     /* threshold: "95:1;90:0.6;80:0.3" best first */
    int64_t department_id;                 /* manual: the scoring department; 0 any */
    const char *department_name;           /* joined on read */
};

/*
 * Parses "min:fraction;..." (decimal numbers, best step first, minimums strictly falling,
 * fractions in 0..1). False for anything else.
 */
bool bm_eval_steps_parse(const char *s, struct bm_eval_step *out, int max, int *n);
/* Formats steps back into out (the canonical text the store keeps). */
void bm_eval_steps_format(const struct bm_eval_step *steps, int n, char *out, size_t out_size);

/*
 * Validates an indicator system: 1..BM_EVAL_MAX_INDICATORS nodes, unique non-empty codes,
 * every parent_code names a node, no cycles, depth at most BM_EVAL_MAX_DEPTH, weights
 * positive, the children of every node add up to its weight and the top level to 100 points,
 * leaves with a source and a rule, inner nodes with neither, and sane rule parameters
 * (linear: floor != target; threshold: parsable steps). BM_EINVAL with field errors named
 * "indicators[i].field".
 */
BM_MUST_CHECK enum bm_rc bm_eval_plan_check(const struct bm_eval_indicator *ind, size_t n,
                                            struct bm_err *err);

/* Grade thresholds: 0 < pass <= good <= excellent <= 100 points. */
BM_MUST_CHECK enum bm_rc bm_eval_thresholds_check(int64_t excellent_e4, int64_t good_e4,
                                                  int64_t pass_e4, struct bm_err *err);

/* True if node i has children. */
bool bm_eval_is_inner(const struct bm_eval_indicator *ind, size_t n, size_t i);

/*
 * The share (0..1) of its weight a leaf earns for `value` under a linear or threshold rule.
 * Rank leaves use bm_eval_rank_fraction.
 */
double bm_eval_fraction(const struct bm_eval_indicator *leaf, double value);
/* Rank rule: rank 1 of n earns 1, rank n earns 0, linearly between; 1 when n == 1. */
double bm_eval_rank_fraction(int rank, int n);

/*
 * Scores the townships evaluated by one indicator system. values[t * n + i] is the value of
 * indicator i for township t (used for leaves only), has[t * n + i] whether there is one; a
 * leaf without a value scores 0. Writes scores[t * n + i] (leaves: weight × fraction; inner
 * nodes: the sum of their children) and totals[t] (the sum of the top level). Rank leaves
 * rank the townships with a value among themselves. Expects a plan that passed
 * bm_eval_plan_check.
 */
void bm_eval_score(const struct bm_eval_indicator *ind, size_t n, size_t n_towns,
                   const double *values, const bool *has, double *scores, double *totals);

/* Competition ranks of totals, highest first (equal totals share a rank: 1, 2, 2, 4). */
void bm_eval_ranks(const int64_t *totals_e4, size_t n, int *ranks);

/* The grade of a total under the thresholds, no better than `cap` (a veto's cap). */
enum bm_eval_grade bm_eval_grade_of(int64_t total_e4, int64_t excellent_e4, int64_t good_e4,
                                    int64_t pass_e4, enum bm_eval_grade cap);

/* Rounds a double to fixed point (half away from zero). */
int64_t bm_eval_e4(double v);

/*
 * A veto item (一票否决) needs the approval of the provincial Party committee and government:
 * the document number, the approving body and the date must all be there. BM_EINVAL with
 * field errors (approval_doc_no, approving_body, approval_date) and a message saying so.
 */
BM_MUST_CHECK enum bm_rc bm_eval_veto_check(const char *doc_no, const char *body,
                                            bool has_date, struct bm_err *err);

#endif
