/* The compiled rules of the dose-finding engine: BOIN's per-state decision and isotonic MTD
 * selection, weighted isotonic regression, and the exact computation's state graph (merging a
 * cohort's outcomes, propagating the probabilities, adding up the trials that stop).
 *
 * Sources: BOIN, Liu & Yuan 2015 (J R Stat Soc C 64:507), decision order and MTD selection as
 * the R package BOIN 2.7 `get.oc` and `select.mtd` (Yan, Pan, Zhang, Liu & Yuan 2020, J Stat
 * Softw 94(13)); isotonic regression by pool-adjacent-violators (Barlow, Bartholomew, Bremner &
 * Brunk 1972), which equals the max-min formula of Robertson, Wright & Dykstra 1988 (Order
 * Restricted Statistical Inference, Theorem 1.4.4); exact operating characteristics by merging
 * the trial's Markov states cohort by cohort (Lin & Shih 2001, Biostatistics 2:203).
 *
 * Plain C against the CPython API: arrays arrive as buffers (numpy arrays, through the buffer
 * protocol); outputs are written into buffers the caller allocates, except merge_cohort's, whose
 * size only the merge finds. Every index a buffer is read at is checked in each call before it is
 * used, and the GIL is released around the loops. The Python wrappers (boin.py, isotonic.py,
 * operating.py) turn the ValueError raised here, whose arguments are (field, value, rule), into
 * hyposti's InputError.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

/* BOIN decision codes; hyposti.design.boin.Reason takes its values from these. */
enum {
    ESCALATE = 1,
    STAY = 2,
    DEESCALATE = 3,
    STAY_AT_TOP = 4,
    STAY_AT_BOTTOM = 5,
    ELIMINATED = 6,
    NO_SAFE_DOSE = 7,
    EARLY_STOP = 8,
    CAP = 9,
};

/* ---- buffers ---------------------------------------------------------------------------- */

/* An integer array of one or two dimensions, any strides; kind is the item size, negated for
 * unsigned items. */
typedef struct {
    Py_buffer view;
    const char *data;
    Py_ssize_t rows, cols, row_stride, col_stride;
    int kind;
} IntArray;

static int
raise_input(const char *field, PyObject *value, const char *rule)
{
    PyObject *args = Py_BuildValue("(sOs)", field, value, rule);
    if (args != NULL) {
        PyErr_SetObject(PyExc_ValueError, args);
        Py_DECREF(args);
    }
    return -1;
}

static int
raise_input_int(const char *field, long long value, const char *rule)
{
    PyObject *number = PyLong_FromLongLong(value);
    if (number == NULL)
        return -1;
    raise_input(field, number, rule);
    Py_DECREF(number);
    return -1;
}

/* The item kind of a buffer format ("b", "<i8", "=q", ...): size, negated when unsigned; 0 when
 * the format is not a plain integer in native byte order. */
static int
int_kind(const char *format, Py_ssize_t itemsize)
{
    if (format == NULL)
        return 0;
    if (*format == '@' || *format == '=' || *format == '<')
        format++;
    if (format[0] == '\0' || format[1] != '\0')
        return 0;
    if (strchr("bhilqn", format[0]) != NULL)
        return (int)itemsize;
    if (strchr("BHILQN", format[0]) != NULL)
        return -(int)itemsize;
    return 0;
}

static int
get_int_array(PyObject *obj, const char *field, int ndim, IntArray *out)
{
    if (PyObject_GetBuffer(obj, &out->view, PyBUF_RECORDS_RO) < 0) {
        PyErr_Clear();
        return raise_input(field, Py_None, "must be an integer array");
    }
    Py_buffer *v = &out->view;
    out->kind = int_kind(v->format, v->itemsize);
    if (out->kind == 0 || !(abs(out->kind) == 1 || abs(out->kind) == 2 ||
                            abs(out->kind) == 4 || abs(out->kind) == 8)) {
        PyObject *format = PyUnicode_FromString(v->format == NULL ? "B" : v->format);
        PyBuffer_Release(v);
        if (format == NULL)
            return -1;
        raise_input(field, format,
                    "must be an array of integers (shown: its buffer item format)");
        Py_DECREF(format);
        return -1;
    }
    if (v->ndim != ndim) {
        PyBuffer_Release(v);
        return raise_input_int(field, v->ndim,
                               ndim == 1 ? "must be a 1-D array (one entry per state)"
                                         : "must be a 2-D array (states x doses)");
    }
    out->data = v->buf;
    out->rows = v->shape[0];
    out->row_stride = v->strides[0];
    out->cols = ndim == 2 ? v->shape[1] : 1;
    out->col_stride = ndim == 2 ? v->strides[1] : 0;
    return 0;
}

static inline long long
int_at(const IntArray *a, Py_ssize_t row, Py_ssize_t col)
{
    const char *p = a->data + row * a->row_stride + col * a->col_stride;
    switch (a->kind) {
    case 1: { int8_t x; memcpy(&x, p, 1); return x; }
    case 2: { int16_t x; memcpy(&x, p, 2); return x; }
    case 4: { int32_t x; memcpy(&x, p, 4); return x; }
    case 8: { int64_t x; memcpy(&x, p, 8); return x; }
    case -1: { uint8_t x; memcpy(&x, p, 1); return x; }
    case -2: { uint16_t x; memcpy(&x, p, 2); return x; }
    case -4: { uint32_t x; memcpy(&x, p, 4); return x; }
    default: { uint64_t x; memcpy(&x, p, 8); return x > INT64_MAX ? -1 : (long long)x; }
    }
}

/* A 1-D integer array of one entry per state (``size`` of them), every entry in low..high. */
static int
get_per_state(PyObject *obj, const char *field, Py_ssize_t size, long long low, long long high,
              const char *count_rule, const char *range_rule, IntArray *out)
{
    if (get_int_array(obj, field, 1, out) < 0)
        return -1;
    if (out->rows != size) {
        PyBuffer_Release(&out->view);
        return raise_input_int(field, out->rows, count_rule);
    }
    for (Py_ssize_t s = 0; s < size; s++) {
        long long value = int_at(out, s, 0);
        if (value < low || value > high) {
            PyBuffer_Release(&out->view);
            return raise_input_int(field, value, range_rule);
        }
    }
    return 0;
}

/* A C-contiguous buffer of ``count`` items of ``itemsize`` bytes and the given format letters. */
static int
get_flat(PyObject *obj, const char *field, int writable, Py_ssize_t itemsize,
         const char *formats, Py_ssize_t count, Py_buffer *view)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) {
        PyErr_Clear();
        return raise_input(field, Py_None,
                           writable ? "must be a writable C-contiguous array"
                                    : "must be a C-contiguous array");
    }
    const char *format = view->format == NULL ? "B" : view->format;
    if (*format == '@' || *format == '=' || *format == '<')
        format++;
    if (view->itemsize != itemsize || format[0] == '\0' || format[1] != '\0' ||
        strchr(formats, format[0]) == NULL) {
        PyBuffer_Release(view);
        return raise_input(field, Py_None, "has the wrong dtype for this kernel");
    }
    if (count >= 0 && view->len != count * itemsize) {
        PyBuffer_Release(view);
        return raise_input_int(field, view->len / itemsize, "has the wrong number of entries");
    }
    return 0;
}

/* ---- isotonic regression ---------------------------------------------------------------- */

/* Weighted non-decreasing fit of ``width`` values over the entries where mask is set (others get
 * nan), into fit, by pool-adjacent-violators (Barlow, Bartholomew, Bremner & Brunk 1972; equal
 * to the max-min formula of Robertson, Wright & Dykstra 1988, Theorem 1.4.4; R package Iso
 * `pava`, which BOIN's select.mtd calls): a block's value is its weighted mean, sum(w v) / sum(w)
 * (an entry alone keeps its own value), and a block whose mean exceeds the next block's merges
 * with it until the means rise. scratch holds 4 * width doubles. */
static void
isotonic_fit(Py_ssize_t width, const double *values, const double *weights,
             const unsigned char *mask, double *fit, double *scratch)
{
    /* The blocks so far, as a stack: weighted sum, weight and mean of each, and where each ends
     * (its last entry, so the fit is written back block by block). */
    double *sum_wv = scratch, *sum_w = scratch + width, *mean = scratch + 2 * width;
    Py_ssize_t *last = (Py_ssize_t *)(scratch + 3 * width);
    Py_ssize_t blocks = 0;
    for (Py_ssize_t j = 0; j < width; j++) {
        fit[j] = NAN;
        if (!mask[j])
            continue;
        sum_wv[blocks] = weights[j] * values[j];
        sum_w[blocks] = weights[j];
        mean[blocks] = values[j];
        last[blocks] = j;
        blocks++;
        while (blocks > 1 && mean[blocks - 2] > mean[blocks - 1]) {
            blocks--;
            sum_wv[blocks - 1] += sum_wv[blocks];
            sum_w[blocks - 1] += sum_w[blocks];
            mean[blocks - 1] = sum_wv[blocks - 1] / sum_w[blocks - 1];
            last[blocks - 1] = last[blocks];
        }
    }
    Py_ssize_t block = 0;
    for (Py_ssize_t j = 0; j < width; j++) {
        if (!mask[j])
            continue;
        while (last[block] < j)
            block++;
        fit[j] = mean[block];
    }
}

PyDoc_STRVAR(isotonic_doc,
"isotonic_increasing(width, values, weights, mask, fit)\n--\n\n"
"Weighted isotonic fit of each column of the (width, S) float64 arrays over the entries where the\n"
"(width, S) bool mask is set (others nan), written into fit (pool-adjacent-violators).");

static PyObject *
isotonic_increasing(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *values_obj, *weights_obj, *mask_obj, *fit_obj;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "nOOOO", &width, &values_obj, &weights_obj, &mask_obj, &fit_obj))
        return NULL;
    Py_buffer values, weights, mask, fit;
    if (width < 1)
        return raise_input_int("values", width, "needs at least one entry per sequence"), NULL;
    if (get_flat(values_obj, "values", 0, 8, "d", -1, &values) < 0)
        return NULL;
    Py_ssize_t total = values.len / 8;
    Py_ssize_t count = total / width;
    PyObject *result = NULL;
    double *row = NULL;
    if (total % width) {
        raise_input_int("values", total, "must hold the same number of entries per sequence");
        goto done_values;
    }
    if (get_flat(weights_obj, "weights", 0, 8, "d", total, &weights) < 0)
        goto done_values;
    if (get_flat(mask_obj, "mask", 0, 1, "?", total, &mask) < 0)
        goto done_weights;
    if (get_flat(fit_obj, "fit", 1, 8, "d", total, &fit) < 0)
        goto done_mask;
    row = PyMem_RawMalloc(sizeof(double) * 7 * (size_t)width);
    unsigned char *row_mask = PyMem_RawMalloc((size_t)width);
    if (row == NULL || row_mask == NULL) {
        PyMem_RawFree(row_mask);
        PyErr_NoMemory();
        goto done_fit;
    }
    Py_BEGIN_ALLOW_THREADS
    const double *v = values.buf, *w = weights.buf;
    const unsigned char *m = mask.buf;
    double *f = fit.buf, *row_w = row + width, *row_fit = row + 2 * width,
           *scratch = row + 3 * width;
    /* Entry j of sequence s lies at j * count + s: gather each sequence into a short row. */
    for (Py_ssize_t s = 0; s < count; s++) {
        for (Py_ssize_t j = 0; j < width; j++) {
            row[j] = v[j * count + s];
            row_w[j] = w[j * count + s];
            row_mask[j] = m[j * count + s] != 0;
        }
        isotonic_fit(width, row, row_w, row_mask, row_fit, scratch);
        for (Py_ssize_t j = 0; j < width; j++)
            f[j * count + s] = row_fit[j];
    }
    Py_END_ALLOW_THREADS
    PyMem_RawFree(row_mask);
    result = Py_NewRef(Py_None);
done_fit:
    PyBuffer_Release(&fit);
done_mask:
    PyBuffer_Release(&mask);
done_weights:
    PyBuffer_Release(&weights);
done_values:
    PyBuffer_Release(&values);
    PyMem_RawFree(row);
    return result;
}

/* ---- BOIN ------------------------------------------------------------------------------- */

/* A BOIN design's per-cell tables, cell = n * (max_n + 1) + y for n patients and y DLTs at a
 * dose (boin_tables in boin.py computes them from the boundary table and select.mtd's
 * estimates). */
typedef struct {
    Py_buffer move, eliminated, p_hat, weight;
    long long max_n;
} BoinTables;

static void
release_tables(BoinTables *t)
{
    PyBuffer_Release(&t->move);
    PyBuffer_Release(&t->eliminated);
    PyBuffer_Release(&t->p_hat);
    PyBuffer_Release(&t->weight);
}

static int
get_tables(PyObject *move, PyObject *eliminated, PyObject *p_hat, PyObject *weight,
           long long max_n, BoinTables *t)
{
    if (max_n < 1 || max_n > 100000)
        return raise_input_int("max_n", max_n, "the tables are sized for 1..100000 patients");
    Py_ssize_t cells = (Py_ssize_t)((max_n + 1) * (max_n + 1));
    t->max_n = max_n;
    if (get_flat(move, "move", 0, 1, "b", cells, &t->move) < 0)
        return -1;
    if (get_flat(eliminated, "eliminated", 0, 1, "?", cells, &t->eliminated) < 0)
        goto fail_move;
    if (get_flat(p_hat, "p_hat", 0, 8, "d", cells, &t->p_hat) < 0)
        goto fail_eliminated;
    if (get_flat(weight, "weight", 0, 8, "d", cells, &t->weight) < 0)
        goto fail_p_hat;
    return 0;
fail_p_hat:
    PyBuffer_Release(&t->p_hat);
fail_eliminated:
    PyBuffer_Release(&t->eliminated);
fail_move:
    PyBuffer_Release(&t->move);
    return -1;
}

/* Row s of an integer array into out (width entries), the item type decided once per row. */
static inline void
gather_row(const IntArray *a, Py_ssize_t s, Py_ssize_t width, long long *out)
{
    const char *p = a->data + s * a->row_stride;
    Py_ssize_t step = a->col_stride;
#define GATHER(type)                                                                          \
    for (Py_ssize_t j = 0; j < width; j++) {                                                  \
        type x;                                                                               \
        memcpy(&x, p + j * step, sizeof(type));                                               \
        out[j] = (long long)x;                                                                \
    }                                                                                         \
    break;
    switch (a->kind) {
    case 1: GATHER(int8_t)
    case 2: GATHER(int16_t)
    case 4: GATHER(int32_t)
    case 8: GATHER(int64_t)
    case -1: GATHER(uint8_t)
    case -2: GATHER(uint16_t)
    case -4: GATHER(uint32_t)
    default:
        for (Py_ssize_t j = 0; j < width; j++)
            out[j] = int_at(a, s, j);
    }
#undef GATHER
}

/* Counts of S states: n and y as (S, J) integer arrays. */
typedef struct {
    IntArray n, y;
} Counts;

/* Read n and y as (S, J) arrays of one shape; load_state checks each state's counts. */
static int
get_counts(PyObject *n_obj, PyObject *y_obj, Counts *c)
{
    if (get_int_array(n_obj, "n", 2, &c->n) < 0)
        return -1;
    if (get_int_array(y_obj, "y", 2, &c->y) < 0) {
        PyBuffer_Release(&c->n.view);
        return -1;
    }
    if (c->n.rows != c->y.rows || c->n.cols != c->y.cols || c->n.cols < 1) {
        raise_input_int("y", c->y.rows, "must have the shape of n (states x doses)");
        goto fail;
    }
    return 0;
fail:
    PyBuffer_Release(&c->n.view);
    PyBuffer_Release(&c->y.view);
    return -1;
}

static void
release_counts(Counts *c)
{
    PyBuffer_Release(&c->n.view);
    PyBuffer_Release(&c->y.view);
}

/* One state's counts, the cell n * (max_n + 1) + y of each dose, its patients in all and its
 * lowest eliminated dose (1-based; num_doses + 1 when none: it and every dose above are out,
 * Liu & Yuan 2015, section 2.3; R BOIN get.oc); the count that broke 0 <= y <= n <= max_n when
 * loading failed. */
typedef struct {
    long long *n, *y;
    Py_ssize_t *cell;
    long long total, first_out;
    const char *bad_field, *bad_rule;
    long long bad_value;
} State;

/* State s into state; -1 (GIL not needed, nothing raised) when a count is out of range, which
 * raise_bad_state then reports. */
static inline int
load_state(const Counts *c, const BoinTables *t, Py_ssize_t s, State *state)
{
    Py_ssize_t width = c->n.cols;
    const unsigned char *eliminated = t->eliminated.buf;
    gather_row(&c->n, s, width, state->n);
    gather_row(&c->y, s, width, state->y);
    long long total = 0, first_out = width + 1;
    for (Py_ssize_t j = 0; j < width; j++) {
        long long n = state->n[j], y = state->y[j];
        if ((unsigned long long)n > (unsigned long long)t->max_n ||
            (unsigned long long)y > (unsigned long long)n) {
            int bad_n = n < 0 || n > t->max_n;
            state->bad_field = bad_n ? "n" : "y";
            state->bad_value = bad_n ? n : y;
            state->bad_rule = bad_n ? "patients at a dose must lie in 0..max_n"
                                    : "DLTs at a dose must lie in 0..patients treated there";
            return -1;
        }
        Py_ssize_t cell = (Py_ssize_t)(n * (t->max_n + 1) + y);
        state->cell[j] = cell;
        total += n;
        first_out = first_out > width && eliminated[cell] ? j + 1 : first_out;
    }
    state->total = total;
    state->first_out = first_out;
    return 0;
}

static void
raise_bad_state(const State *state)
{
    raise_input_int(state->bad_field, state->bad_value, state->bad_rule);
}

/* R package BOIN select.mtd for one state: p_hat = (y + 0.05)/(n + 0.1) over treated doses below
 * first_out, isotonic (pava) with weights 1/variance, the estimate closest to the target with
 * 1e-10 times the rank among those doses added (a tie goes to the lower dose above the target,
 * the higher below it); the first minimum wins; 0 when no dose is admissible. scratch holds
 * 7 * J doubles, mask J bytes. */
static long long
select_mtd_of(const State *state, Py_ssize_t width, const BoinTables *t, long long first_out,
              double target, double *scratch, unsigned char *mask)
{
    const double *p_hat = t->p_hat.buf, *weight = t->weight.buf;
    double *values = scratch, *weights = scratch + width, *fit = scratch + 2 * width;
    for (Py_ssize_t j = 0; j < width; j++) {
        mask[j] = state->n[j] > 0 && j + 1 < first_out;
        values[j] = p_hat[state->cell[j]];
        weights[j] = weight[state->cell[j]];
    }
    isotonic_fit(width, values, weights, mask, fit, scratch + 3 * width);
    long long chosen = 0, rank = 0;
    double best = INFINITY;
    for (Py_ssize_t j = 0; j < width; j++) {
        rank += mask[j];
        double distance = mask[j] ? fabs(((double)rank * 1e-10 + fit[j]) - target) : INFINITY;
        int closer = distance < best;
        chosen = closer ? j + 1 : chosen;
        best = closer ? distance : best;
    }
    return chosen;
}

/* Scratch for one state's work: the state's counts and cells, the selection's doubles and mask. */
typedef struct {
    State state;
    double *doubles;
    unsigned char *mask;
    void *block;
} Scratch;

static int
make_scratch(Py_ssize_t width, Scratch *scratch)
{
    size_t w = (size_t)width;
    scratch->block = PyMem_RawMalloc((2 * sizeof(long long) + sizeof(Py_ssize_t)) * w +
                                     sizeof(double) * 7 * w + w);
    if (scratch->block == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    scratch->doubles = scratch->block;
    scratch->state.n = (long long *)(scratch->doubles + 7 * w);
    scratch->state.y = scratch->state.n + w;
    scratch->state.cell = (Py_ssize_t *)(scratch->state.y + w);
    scratch->mask = (unsigned char *)(scratch->state.cell + w);
    return 0;
}

PyDoc_STRVAR(boin_step_doc,
"boin_step(n, y, current, move, eliminated, p_hat, weight, max_n, n_earlystop, target,\n"
"          next_dose, mtd, code)\n--\n\n"
"One BOIN decision per state (Liu & Yuan 2015 section 2; R BOIN get.oc), written into next_dose\n"
"(int64, 0 = stop), mtd (int64, 0 = none) and code (int8, a Reason).");

static PyObject *
boin_step(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *n_obj, *y_obj, *current_obj, *move_obj, *elim_obj, *p_obj, *w_obj;
    PyObject *next_obj, *mtd_obj, *code_obj;
    long long max_n, early_n;
    double target;
    if (!PyArg_ParseTuple(args, "OOOOOOOLLdOOO", &n_obj, &y_obj, &current_obj, &move_obj,
                          &elim_obj, &p_obj, &w_obj, &max_n, &early_n, &target, &next_obj,
                          &mtd_obj, &code_obj))
        return NULL;
    BoinTables t;
    Counts c;
    IntArray current;
    Py_buffer next_view, mtd_view, code_view;
    PyObject *result = NULL;
    if (get_tables(move_obj, elim_obj, p_obj, w_obj, max_n, &t) < 0)
        return NULL;
    if (get_counts(n_obj, y_obj, &c) < 0)
        goto done_tables;
    Py_ssize_t size = c.n.rows, width = c.n.cols;
    if (get_per_state(current_obj, "current", size, 1, width, "needs one current dose per state",
                      "the current dose must be one of the doses", &current) < 0)
        goto done_counts;
    if (get_flat(next_obj, "next_dose", 1, 8, "lq", size, &next_view) < 0)
        goto done_current;
    if (get_flat(mtd_obj, "mtd", 1, 8, "lq", size, &mtd_view) < 0)
        goto done_next;
    if (get_flat(code_obj, "code", 1, 1, "b", size, &code_view) < 0)
        goto done_mtd;
    Scratch scratch;
    int bad = 0;
    if (make_scratch(width, &scratch) < 0)
        goto done_code;
    Py_BEGIN_ALLOW_THREADS
    int64_t *next_dose = next_view.buf, *mtd = mtd_view.buf;
    int8_t *code = code_view.buf;
    const int8_t *move = t.move.buf;
    const State *state = &scratch.state;
    for (Py_ssize_t s = 0; s < size; s++) {
        if (load_state(&c, &t, s, &scratch.state) < 0) {
            bad = 1;
            break;
        }
        long long d = int_at(&current, s, 0);
        long long first_out = state->first_out;
        int8_t moved = move[state->cell[d - 1]];
        /* Clipping into 1..first_out - 1 blocks escalation into an eliminated dose or past the
         * top one and de-escalation below dose 1, sends a dose at or above the lowest
         * eliminated dose just below it, and gives 0 (stop) when dose 1 is eliminated. */
        long long next = d + moved;
        next = next < 1 ? 1 : next;
        next = next > first_out - 1 ? first_out - 1 : next;
        long long change = next - d;
        int reason;
        if (d >= first_out)
            reason = ELIMINATED;
        else if (moved < 0)
            reason = change < 0 ? DEESCALATE : STAY_AT_BOTTOM;
        else if (moved > 0)
            reason = change > 0 ? ESCALATE : STAY_AT_TOP;
        else
            reason = STAY;
        int capped = state->total >= max_n;
        int early = state->n[d - 1] >= early_n && change == 0;
        if (capped)
            reason = CAP;
        if (early)
            reason = EARLY_STOP;
        /* With no safe dose no dose is admissible, so selection gives no MTD. */
        if (first_out == 1)
            reason = NO_SAFE_DOSE;
        mtd[s] = 0;
        if (early || capped) {
            mtd[s] = select_mtd_of(state, width, &t, first_out, target, scratch.doubles,
                                   scratch.mask);
            next = 0;
        }
        next_dose[s] = next;
        code[s] = (int8_t)reason;
    }
    Py_END_ALLOW_THREADS
    if (bad)
        raise_bad_state(&scratch.state);
    else
        result = Py_NewRef(Py_None);
    PyMem_RawFree(scratch.block);
done_code:
    PyBuffer_Release(&code_view);
done_mtd:
    PyBuffer_Release(&mtd_view);
done_next:
    PyBuffer_Release(&next_view);
done_current:
    PyBuffer_Release(&current.view);
done_counts:
    release_counts(&c);
done_tables:
    release_tables(&t);
    return result;
}

PyDoc_STRVAR(boin_select_doc,
"boin_select(n, y, first_out, move, eliminated, p_hat, weight, max_n, target, mtd)\n--\n\n"
"R package BOIN select.mtd per state over treated doses below first_out, into mtd (int64).");

static PyObject *
boin_select(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *n_obj, *y_obj, *out_obj, *move_obj, *elim_obj, *p_obj, *w_obj, *mtd_obj;
    long long max_n;
    double target;
    if (!PyArg_ParseTuple(args, "OOOOOOOLdO", &n_obj, &y_obj, &out_obj, &move_obj, &elim_obj,
                          &p_obj, &w_obj, &max_n, &target, &mtd_obj))
        return NULL;
    BoinTables t;
    Counts c;
    IntArray first_out;
    Py_buffer mtd_view;
    PyObject *result = NULL;
    if (get_tables(move_obj, elim_obj, p_obj, w_obj, max_n, &t) < 0)
        return NULL;
    if (get_counts(n_obj, y_obj, &c) < 0)
        goto done_tables;
    Py_ssize_t size = c.n.rows, width = c.n.cols;
    if (get_per_state(out_obj, "first_out", size, 1, width + 1, "needs one entry per state",
                      "the lowest eliminated dose lies in 1..doses + 1", &first_out) < 0)
        goto done_counts;
    if (get_flat(mtd_obj, "mtd", 1, 8, "lq", size, &mtd_view) < 0)
        goto done_first_out;
    Scratch scratch;
    int bad = 0;
    if (make_scratch(width, &scratch) < 0)
        goto done_mtd;
    Py_BEGIN_ALLOW_THREADS
    int64_t *mtd = mtd_view.buf;
    for (Py_ssize_t s = 0; s < size; s++) {
        if (load_state(&c, &t, s, &scratch.state) < 0) {
            bad = 1;
            break;
        }
        mtd[s] = select_mtd_of(&scratch.state, width, &t, int_at(&first_out, s, 0), target,
                               scratch.doubles, scratch.mask);
    }
    Py_END_ALLOW_THREADS
    if (bad)
        raise_bad_state(&scratch.state);
    else
        result = Py_NewRef(Py_None);
    PyMem_RawFree(scratch.block);
done_mtd:
    PyBuffer_Release(&mtd_view);
done_first_out:
    PyBuffer_Release(&first_out.view);
done_counts:
    release_counts(&c);
done_tables:
    release_tables(&t);
    return result;
}

PyDoc_STRVAR(boin_first_out_doc,
"boin_first_out(n, y, move, eliminated, p_hat, weight, max_n, first_out)\n--\n\n"
"Lowest eliminated dose per state (doses + 1 when none), into first_out (int64).");

static PyObject *
boin_first_out(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *n_obj, *y_obj, *move_obj, *elim_obj, *p_obj, *w_obj, *out_obj;
    long long max_n;
    if (!PyArg_ParseTuple(args, "OOOOOOLO", &n_obj, &y_obj, &move_obj, &elim_obj, &p_obj,
                          &w_obj, &max_n, &out_obj))
        return NULL;
    BoinTables t;
    Counts c;
    Py_buffer out_view;
    PyObject *result = NULL;
    if (get_tables(move_obj, elim_obj, p_obj, w_obj, max_n, &t) < 0)
        return NULL;
    if (get_counts(n_obj, y_obj, &c) < 0)
        goto done_tables;
    if (get_flat(out_obj, "first_out", 1, 8, "lq", c.n.rows, &out_view) < 0)
        goto done_counts;
    Scratch scratch;
    int bad = 0;
    if (make_scratch(c.n.cols, &scratch) < 0)
        goto done_out;
    Py_BEGIN_ALLOW_THREADS
    int64_t *out = out_view.buf;
    for (Py_ssize_t s = 0; s < c.n.rows; s++) {
        if (load_state(&c, &t, s, &scratch.state) < 0) {
            bad = 1;
            break;
        }
        out[s] = scratch.state.first_out;
    }
    Py_END_ALLOW_THREADS
    if (bad)
        raise_bad_state(&scratch.state);
    else
        result = Py_NewRef(Py_None);
    PyMem_RawFree(scratch.block);
done_out:
    PyBuffer_Release(&out_view);
done_counts:
    release_counts(&c);
done_tables:
    release_tables(&t);
    return result;
}

/* ---- the state graph -------------------------------------------------------------------- */

static inline uint64_t
mix64(uint64_t h)
{
    /* MurmurHash3's 64-bit finaliser (Appleby 2011): every input bit reaches every output bit. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* The hash of a key of ``words`` 64-bit words (a row of counts and a dose, zero-padded): one
 * multiply per word, then MurmurHash3's finaliser. */
static inline uint64_t
hash_key(const uint64_t *key, Py_ssize_t words)
{
    uint64_t h = 0;
    for (Py_ssize_t i = 0; i < words; i++)
        h = (h ^ key[i]) * 0x9e3779b97f4a7c15ULL;
    return mix64(h);
}

/* The 64-bit word, within a row's key, that holds ``amount`` in the bytes of count ``column``
 * and zeros elsewhere. */
static inline uint64_t
count_word(Py_ssize_t itemsize, Py_ssize_t column, long long amount)
{
    uint64_t word = 0;
    unsigned char *p = (unsigned char *)&word + column * itemsize % 8;
    switch (itemsize) {
    case 1: { int8_t x = (int8_t)amount; memcpy(p, &x, 1); break; }
    case 2: { int16_t x = (int16_t)amount; memcpy(p, &x, 2); break; }
    case 4: { int32_t x = (int32_t)amount; memcpy(p, &x, 4); break; }
    default: { int64_t x = amount; memcpy(p, &x, 8); break; }
    }
    return word;
}

/* Scratch memory merge_cohort reuses from call to call, up to ARENA_LIMIT bytes: memory
 * allocated afresh each call was returned to the system when freed and faulted in again on the
 * next call (about 200 page faults, a fifth of a first exact BOIN OC call). One caller at a time
 * holds it; another, or a larger request, allocates its own. */
#define ARENA_LIMIT ((size_t)16 << 20)
static PyThread_type_lock arena_lock;
static void *arena;
static size_t arena_bytes;

static void *
scratch_take(size_t bytes, int *from_arena)
{
    *from_arena = 0;
    if (bytes <= ARENA_LIMIT && PyThread_acquire_lock(arena_lock, NOWAIT_LOCK)) {
        if (arena_bytes < bytes) {
            void *grown = PyMem_RawMalloc(bytes);
            if (grown == NULL) {
                PyThread_release_lock(arena_lock);
                return NULL;
            }
            PyMem_RawFree(arena);
            arena = grown;
            arena_bytes = bytes;
        }
        *from_arena = 1;
        return arena;
    }
    return PyMem_RawMalloc(bytes);
}

static void
scratch_give(void *memory, int from_arena)
{
    if (from_arena)
        PyThread_release_lock(arena_lock);
    else
        PyMem_RawFree(memory);
}

/* The index of ``key`` among the keys found so far (keys, ``found`` of them), adding it as
 * index ``found`` when new. Linear probing in a table at most half full; a slot holds the upper
 * half of its key's hash and 1 + its index, so most probes read one slot only. */
static inline Py_ssize_t
find_or_add(uint64_t *table, size_t capacity, uint64_t *keys, Py_ssize_t words,
            const uint64_t *key, uint64_t h, Py_ssize_t found)
{
    uint64_t tag = h >> 32;
    for (size_t slot = (size_t)h & (capacity - 1);; slot = (slot + 1) & (capacity - 1)) {
        uint64_t entry = table[slot];
        if (entry == 0) {
            table[slot] = tag << 32 | (uint64_t)(found + 1);
            for (Py_ssize_t w = 0; w < words; w++)
                keys[found * words + w] = key[w];
            return found;
        }
        if (entry >> 32 == tag) {
            Py_ssize_t index = (Py_ssize_t)(entry & 0xffffffffu) - 1;
            const uint64_t *other = keys + index * words;
            Py_ssize_t w = 0;
            while (w < words && other[w] == key[w])
                w++;
            if (w == words)
                return index;
        }
    }
}

static inline long long
count_at(const unsigned char *row, Py_ssize_t itemsize, Py_ssize_t column)
{
    const unsigned char *p = row + column * itemsize;
    switch (itemsize) {
    case 1: { int8_t x; memcpy(&x, p, 1); return x; }
    case 2: { int16_t x; memcpy(&x, p, 2); return x; }
    case 4: { int32_t x; memcpy(&x, p, 4); return x; }
    default: { int64_t x; memcpy(&x, p, 8); return x; }
    }
}

static inline void
set_count(unsigned char *row, Py_ssize_t itemsize, Py_ssize_t column, long long value)
{
    unsigned char *p = row + column * itemsize;
    switch (itemsize) {
    case 1: { int8_t x = (int8_t)value; memcpy(p, &x, 1); break; }
    case 2: { int16_t x = (int16_t)value; memcpy(p, &x, 2); break; }
    case 4: { int32_t x = (int32_t)value; memcpy(p, &x, 4); break; }
    default: { int64_t x = value; memcpy(p, &x, 8); break; }
    }
}

/* The keys and hashes of one parent's children (0..size DLTs in a cohort at dose d). Each key
 * is the parent's row of counts with the cohort added, then the dose (two bytes; 0 when merging
 * by counts), zero-padded to whole words. Counts never reach their type's limit (the caller
 * sizes the type by the most patients a dose can hold), so adding a word that holds the amount
 * in a count's bytes adds it to that count alone. */
static inline void
child_keys_of(const unsigned char *row, Py_ssize_t row_bytes, Py_ssize_t itemsize,
              Py_ssize_t width, long long d, long long size, int by_counts, Py_ssize_t words,
              uint64_t *key, uint64_t *hash)
{
    uint16_t key_dose = by_counts ? 0 : (uint16_t)d;
    Py_ssize_t n_word = (d - 1) * itemsize / 8, y_word = (width + d - 1) * itemsize / 8;
    uint64_t y_step = count_word(itemsize, width + d - 1, 1);
    memcpy(key, row, (size_t)row_bytes);
    memcpy((unsigned char *)key + row_bytes, &key_dose, 2);
    key[n_word] += count_word(itemsize, d - 1, size);
    for (long long k = 0; k <= size; k++, key += words) {
        if (k > 0) {
            for (Py_ssize_t w = 0; w < words; w++)
                key[w] = key[w - words];
            key[y_word] += y_step;
        }
        hash[k] = hash_key(key, words);
    }
}

PyDoc_STRVAR(merge_cohort_doc,
"merge_cohort(counts, dose, cohort_size, by_counts, group)\n--\n\n"
"Give every state (a row n_1..n_J, y_1..y_J of counts, and its dose) each outcome of one cohort,\n"
"child c being parent c // (cohort_size + 1) with c % (cohort_size + 1) DLTs, and merge the\n"
"children that reach the same counts at the same dose (by counts alone when by_counts), in order\n"
"of first appearance (Lin & Shih 2001). Writes each child's merged state into group (int32) and\n"
"returns the merged states' rows of counts and their doses (int64) as bytearrays of their exact\n"
"size: memory allocated afresh for an upper bound was faulted in anew on every call.");

static PyObject *
merge_cohort(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *counts_obj, *dose_obj, *group_obj;
    long long size;
    int by_counts;
    if (!PyArg_ParseTuple(args, "OOLpO", &counts_obj, &dose_obj, &size, &by_counts, &group_obj))
        return NULL;
    Py_buffer counts, dose_view, group_view;
    PyObject *result = NULL;
    if (size < 1 || size > 1000)
        return raise_input_int("cohort_size", size, "must lie in 1..1000"), NULL;
    if (PyObject_GetBuffer(counts_obj, &counts, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    Py_ssize_t itemsize = counts.itemsize;
    if (counts.ndim != 2 || counts.shape[1] % 2 ||
        int_kind(counts.format, itemsize) != (int)itemsize) {
        raise_input_int("counts", counts.ndim, "must be a (states, 2 * doses) signed array");
        goto done_counts;
    }
    Py_ssize_t states = counts.shape[0], width = counts.shape[1] / 2;
    Py_ssize_t row_bytes = 2 * width * itemsize, children = states * (Py_ssize_t)(size + 1);
    if (children >= INT32_MAX) {
        raise_input_int("counts", states, "too many states for one cohort");
        goto done_counts;
    }
    if (width > 65535) {
        raise_input_int("counts", width, "a state key holds doses 1..65535");
        goto done_counts;
    }
    if (get_flat(dose_obj, "dose", 0, 8, "lq", states, &dose_view) < 0)
        goto done_counts;
    const int64_t *dose = dose_view.buf;
    for (Py_ssize_t i = 0; i < states; i++)
        if (dose[i] < 1 || dose[i] > width) {
            raise_input_int("dose", dose[i], "must be one of the doses");
            goto done_dose;
        }
    if (get_flat(group_obj, "group", 1, 4, "i", children, &group_view) < 0)
        goto done_dose;

    /* A child's key is its row of counts followed by its dose (child_keys_of), hashed and
     * compared a word at a time in a table at most half full (find_or_add). */
    Py_ssize_t words = (row_bytes + 2 + 7) / 8, per_parent = (Py_ssize_t)(size + 1);
    size_t capacity = 16;
    while (capacity < 2 * (size_t)(by_counts ? children : states))
        capacity *= 2;
    /* The table, the keys found, one parent's children's keys and hashes, per parent its group,
     * its DLTs at the cohort's dose, and its group's range of those DLTs and first slot, and
     * the merged states' doses and rows. */
    size_t table_words = capacity, key_words = (size_t)(children * words);
    size_t child_words = (size_t)(per_parent * words), hash_words = (size_t)per_parent;
    size_t per_state = (size_t)states, per_child = (size_t)children;
    size_t row_words = ((size_t)(children * row_bytes) + 7) / 8;
    int from_arena;
    uint64_t *table = scratch_take(sizeof(uint64_t) * (table_words + key_words + child_words +
                                                       hash_words + 5 * per_state + per_child +
                                                       row_words),
                                   &from_arena);
    Py_ssize_t found = 0;
    int out_of_memory = 0;
    if (table == NULL) {
        PyErr_NoMemory();
        goto done_scratch;
    }
    uint64_t *keys = table + table_words, *child_keys = keys + key_words;
    uint64_t *child_hash = child_keys + child_words;
    int64_t *parent_group = (int64_t *)(child_hash + hash_words);
    int64_t *parent_y = parent_group + per_state, *low = parent_y + per_state;
    int64_t *high = low + per_state, *first_slot = high + per_state;
    int64_t *current = first_slot + per_state;
    unsigned char *rows = (unsigned char *)(current + per_child);
    Py_BEGIN_ALLOW_THREADS
    memset(table, 0, sizeof(uint64_t) * table_words);
    memset(child_keys, 0, sizeof(uint64_t) * child_words);
    const unsigned char *parents = counts.buf;
    int32_t *group = group_view.buf;
    if (by_counts) {
        /* Children at different doses may reach the same counts: every child is looked up. */
        for (Py_ssize_t parent = 0; parent < states; parent++) {
            child_keys_of(parents + parent * row_bytes, row_bytes, itemsize, width,
                          dose[parent], size, 1, words, child_keys, child_hash);
            for (Py_ssize_t k = 0; k < per_parent; k++) {
                Py_ssize_t state = find_or_add(table, capacity, keys, words,
                                               child_keys + k * words, child_hash[k], found);
                if (state == found) {
                    found++;
                    memcpy(rows + state * row_bytes, keys + state * words, (size_t)row_bytes);
                    current[state] = dose[parent];
                }
                group[parent * per_parent + k] = (int32_t)state;
            }
        }
    }
    else {
        /* Two children share their counts and dose exactly when their parents, at the same
         * dose, differ at most in their DLTs there: parents are grouped by their children's
         * key without those DLTs (the key of the child with none, y_d cleared), and a group's
         * children are told apart by their DLTs at the dose alone, y_d + k, without hashing. */
        Py_ssize_t groups = 0;
        for (Py_ssize_t parent = 0; parent < states; parent++) {
            long long d = dose[parent];
            const unsigned char *row = parents + parent * row_bytes;
            child_keys_of(row, row_bytes, itemsize, width, d, 0, 0, words, child_keys,
                          child_hash);
            Py_ssize_t y_word = (width + d - 1) * itemsize / 8;
            child_keys[y_word] &= ~count_word(itemsize, width + d - 1, -1);
            Py_ssize_t g = find_or_add(table, capacity, keys, words, child_keys,
                                       hash_key(child_keys, words), groups);
            long long y = count_at(row, itemsize, width + d - 1);
            if (g == groups) {
                groups++;
                low[g] = high[g] = y;
            }
            low[g] = y < low[g] ? y : low[g];
            high[g] = y > high[g] ? y : high[g];
            parent_group[parent] = g;
            parent_y[parent] = y;
        }
        int64_t slots = 0;
        for (Py_ssize_t g = 0; g < groups; g++) {
            first_slot[g] = slots - low[g];
            slots += high[g] - low[g] + size + 1;
        }
        int32_t *slot_state = PyMem_RawMalloc(sizeof(int32_t) * (size_t)slots);
        if (slot_state == NULL)
            out_of_memory = 1;
        else {
            memset(slot_state, 0xff, sizeof(int32_t) * (size_t)slots);
            for (Py_ssize_t parent = 0; parent < states; parent++) {
                long long d = dose[parent];
                int64_t g = parent_group[parent];
                for (long long k = 0; k <= size; k++) {
                    int64_t y = parent_y[parent] + k, slot = first_slot[g] + y;
                    if (slot_state[slot] < 0) {
                        unsigned char *out = rows + found * row_bytes;
                        slot_state[slot] = (int32_t)found;
                        memcpy(out, keys + g * words, (size_t)row_bytes);
                        set_count(out, itemsize, d - 1, count_at(out, itemsize, d - 1) + size);
                        set_count(out, itemsize, width + d - 1, y);
                        current[found++] = d;
                    }
                    group[parent * per_parent + k] = slot_state[slot];
                }
            }
            PyMem_RawFree(slot_state);
        }
    }
    Py_END_ALLOW_THREADS
    if (out_of_memory)
        PyErr_NoMemory();
    else {
        PyObject *merged_rows = PyByteArray_FromStringAndSize((char *)rows, found * row_bytes);
        PyObject *merged_doses = PyByteArray_FromStringAndSize(
            (char *)current, found * (Py_ssize_t)sizeof(int64_t));
        if (merged_rows != NULL && merged_doses != NULL)
            result = PyTuple_Pack(2, merged_rows, merged_doses);
        Py_XDECREF(merged_rows);
        Py_XDECREF(merged_doses);
    }
    scratch_give(table, from_arena);
done_scratch:
    PyBuffer_Release(&group_view);
done_dose:
    PyBuffer_Release(&dose_view);
done_counts:
    PyBuffer_Release(&counts);
    return result;
}

PyDoc_STRVAR(propagate_doc,
"propagate(prob, dose, group, pmf, cohort_size, merged_prob)\n--\n\n"
"Probability of each merged state after a cohort: merged_prob[group[c]] sums prob[parent] times\n"
"pmf[(dose[parent] - 1) * (cohort_size + 1) + DLTs] over its children c (merge_cohort's child\n"
"order), the binomial cohort outcomes of the exact computation (Lin & Shih 2001).");

static PyObject *
propagate(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *prob_obj, *dose_obj, *group_obj, *pmf_obj, *out_obj;
    long long size;
    if (!PyArg_ParseTuple(args, "OOOOLO", &prob_obj, &dose_obj, &group_obj, &pmf_obj, &size,
                          &out_obj))
        return NULL;
    Py_buffer prob_view, dose_view, group_view, pmf_view, out_view;
    PyObject *result = NULL;
    if (size < 1 || size > 1000)
        return raise_input_int("cohort_size", size, "must lie in 1..1000"), NULL;
    if (get_flat(prob_obj, "prob", 0, 8, "d", -1, &prob_view) < 0)
        return NULL;
    Py_ssize_t states = prob_view.len / 8, children = states * (Py_ssize_t)(size + 1);
    if (get_flat(dose_obj, "dose", 0, 8, "lq", states, &dose_view) < 0)
        goto done_prob;
    if (get_flat(group_obj, "group", 0, 4, "i", children, &group_view) < 0)
        goto done_dose;
    if (get_flat(pmf_obj, "pmf", 0, 8, "d", -1, &pmf_view) < 0)
        goto done_group;
    if (get_flat(out_obj, "merged_prob", 1, 8, "d", -1, &out_view) < 0)
        goto done_pmf;
    Py_ssize_t doses = pmf_view.len / 8 / (size + 1), merged = out_view.len / 8;
    const int64_t *dose = dose_view.buf;
    const int32_t *group = group_view.buf;
    for (Py_ssize_t i = 0; i < states; i++)
        if (dose[i] < 1 || dose[i] > doses) {
            raise_input_int("dose", dose[i], "must be one of the doses of pmf");
            goto done_out;
        }
    for (Py_ssize_t c = 0; c < children; c++)
        if (group[c] < 0 || group[c] >= merged) {
            raise_input_int("group", group[c], "must index a merged state");
            goto done_out;
        }
    Py_BEGIN_ALLOW_THREADS
    const double *prob = prob_view.buf, *pmf = pmf_view.buf;
    double *out = out_view.buf;
    memset(out, 0, sizeof(double) * (size_t)merged);
    Py_ssize_t child = 0;
    for (Py_ssize_t i = 0; i < states; i++) {
        const double *outcomes = pmf + (dose[i] - 1) * (size + 1);
        for (long long k = 0; k <= size; k++, child++)
            out[group[child]] += prob[i] * outcomes[k];
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done_out:
    PyBuffer_Release(&out_view);
done_pmf:
    PyBuffer_Release(&pmf_view);
done_group:
    PyBuffer_Release(&group_view);
done_dose:
    PyBuffer_Release(&dose_view);
done_prob:
    PyBuffer_Release(&prob_view);
    return result;
}

PyDoc_STRVAR(accumulate_ended_doc,
"accumulate_ended(prob, ended, mtd, counts, prob_select, n_at_dose)\n--\n\n"
"Add the trials that stop after a cohort to the operating characteristics: for each ended state e\n"
"(prob[ended[e]], or prob[e] when ended is None), its probability to prob_select[mtd[e]] and,\n"
"times its counts (row e of counts: n_1..n_J, y_1..y_J), to n_at_dose; returns the sum of its\n"
"probability times its DLTs (Lin & Shih 2001).");

static PyObject *
accumulate_ended(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *prob_obj, *ended_obj, *mtd_obj, *counts_obj, *select_obj, *n_obj;
    if (!PyArg_ParseTuple(args, "OOOOOO", &prob_obj, &ended_obj, &mtd_obj, &counts_obj,
                          &select_obj, &n_obj))
        return NULL;
    Py_buffer prob_view, ended_view = {0}, mtd_view, counts, select_view, n_view;
    PyObject *result = NULL;
    int all = ended_obj == Py_None;
    if (get_flat(prob_obj, "prob", 0, 8, "d", -1, &prob_view) < 0)
        return NULL;
    Py_ssize_t states = prob_view.len / 8, count = states;
    if (!all) {
        if (get_flat(ended_obj, "ended", 0, 8, "lq", -1, &ended_view) < 0)
            goto done_prob;
        count = ended_view.len / 8;
    }
    if (get_flat(mtd_obj, "mtd", 0, 8, "lq", count, &mtd_view) < 0)
        goto done_ended;
    if (PyObject_GetBuffer(counts_obj, &counts, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        goto done_mtd;
    Py_ssize_t itemsize = counts.itemsize;
    if (counts.ndim != 2 || counts.shape[0] != count || counts.shape[1] % 2 ||
        int_kind(counts.format, itemsize) != (int)itemsize) {
        raise_input_int("counts", counts.ndim, "must be an (ended states, 2 * doses) array");
        goto done_counts;
    }
    Py_ssize_t width = counts.shape[1] / 2;
    if (get_flat(select_obj, "prob_select", 1, 8, "d", width + 1, &select_view) < 0)
        goto done_counts;
    if (get_flat(n_obj, "n_at_dose", 1, 8, "d", width, &n_view) < 0)
        goto done_select;
    const int64_t *ended = all ? NULL : ended_view.buf, *mtd = mtd_view.buf;
    for (Py_ssize_t e = 0; e < count; e++) {
        if (!all && (ended[e] < 0 || ended[e] >= states)) {
            raise_input_int("ended", ended[e], "must index a state");
            goto done_n;
        }
        if (mtd[e] < 0 || mtd[e] > width) {
            raise_input_int("mtd", mtd[e], "must be 0 (none) or one of the doses");
            goto done_n;
        }
    }
    double dlt = 0.0;
    Py_BEGIN_ALLOW_THREADS
    const double *prob = prob_view.buf;
    double *prob_select = select_view.buf, *n_at_dose = n_view.buf;
    const char *rows = counts.buf;
    IntArray row = {
        .kind = (int)itemsize, .col_stride = itemsize, .row_stride = 2 * width * itemsize};
    for (Py_ssize_t e = 0; e < count; e++) {
        double w = prob[all ? e : ended[e]];
        prob_select[mtd[e]] += w;
        row.data = rows;
        for (Py_ssize_t j = 0; j < width; j++) {
            n_at_dose[j] += w * (double)int_at(&row, e, j);
            dlt += w * (double)int_at(&row, e, width + j);
        }
    }
    Py_END_ALLOW_THREADS
    result = PyFloat_FromDouble(dlt);
done_n:
    PyBuffer_Release(&n_view);
done_select:
    PyBuffer_Release(&select_view);
done_counts:
    PyBuffer_Release(&counts);
done_mtd:
    PyBuffer_Release(&mtd_view);
done_ended:
    if (!all)
        PyBuffer_Release(&ended_view);
done_prob:
    PyBuffer_Release(&prob_view);
    return result;
}

PyDoc_STRVAR(split_stopped_doc,
"split_stopped(next_dose, ended, go)\n--\n\n"
"The states whose next dose is 0 (the trial stops) into ended, the others into go, each in\n"
"order; returns how many stopped.");

static PyObject *
split_stopped(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *next_obj, *ended_obj, *go_obj;
    if (!PyArg_ParseTuple(args, "OOO", &next_obj, &ended_obj, &go_obj))
        return NULL;
    Py_buffer next_view, ended_view, go_view;
    PyObject *result = NULL;
    if (get_flat(next_obj, "next_dose", 0, 8, "lq", -1, &next_view) < 0)
        return NULL;
    Py_ssize_t size = next_view.len / 8, stopped = 0;
    if (get_flat(ended_obj, "ended", 1, 8, "lq", size, &ended_view) < 0)
        goto done_next;
    if (get_flat(go_obj, "go", 1, 8, "lq", size, &go_view) < 0)
        goto done_ended;
    Py_BEGIN_ALLOW_THREADS
    const int64_t *next_dose = next_view.buf;
    int64_t *ended = ended_view.buf, *go = go_view.buf;
    Py_ssize_t going = 0;
    for (Py_ssize_t s = 0; s < size; s++) {
        if (next_dose[s] == 0)
            ended[stopped++] = s;
        else
            go[going++] = s;
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(stopped);
    PyBuffer_Release(&go_view);
done_ended:
    PyBuffer_Release(&ended_view);
done_next:
    PyBuffer_Release(&next_view);
    return result;
}

/* ---- module ----------------------------------------------------------------------------- */

static PyMethodDef kernel_methods[] = {
    {"isotonic_increasing", isotonic_increasing, METH_VARARGS, isotonic_doc},
    {"boin_step", boin_step, METH_VARARGS, boin_step_doc},
    {"boin_select", boin_select, METH_VARARGS, boin_select_doc},
    {"boin_first_out", boin_first_out, METH_VARARGS, boin_first_out_doc},
    {"merge_cohort", merge_cohort, METH_VARARGS, merge_cohort_doc},
    {"propagate", propagate, METH_VARARGS, propagate_doc},
    {"accumulate_ended", accumulate_ended, METH_VARARGS, accumulate_ended_doc},
    {"split_stopped", split_stopped, METH_VARARGS, split_stopped_doc},
    {NULL, NULL, 0, NULL},
};

static int
kernel_exec(PyObject *module)
{
    if (arena_lock == NULL && (arena_lock = PyThread_allocate_lock()) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    static const struct { const char *name; int value; } reasons[] = {
        {"ESCALATE", ESCALATE}, {"STAY", STAY}, {"DEESCALATE", DEESCALATE},
        {"STAY_AT_TOP", STAY_AT_TOP}, {"STAY_AT_BOTTOM", STAY_AT_BOTTOM},
        {"ELIMINATED", ELIMINATED}, {"NO_SAFE_DOSE", NO_SAFE_DOSE},
        {"EARLY_STOP", EARLY_STOP}, {"CAP", CAP},
    };
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (PyModule_AddIntConstant(module, reasons[i].name, reasons[i].value) < 0)
            return -1;
    return 0;
}

static PyModuleDef_Slot kernel_slots[] = {
    {Py_mod_exec, kernel_exec},
    {0, NULL},
};

PyDoc_STRVAR(kernel_doc,
"Compiled rules of the dose-finding engine: BOIN's decision and isotonic MTD selection (Liu &\n"
"Yuan 2015; R package BOIN get.oc and select.mtd), weighted isotonic regression (Robertson,\n"
"Wright & Dykstra 1988, Theorem 1.4.4) and the merging of cohort outcomes in the exact\n"
"computation's state graph (Lin & Shih 2001). Arrays are passed as buffers; outputs are written\n"
"into arrays the caller allocates. Bad input raises ValueError(field, value, rule).");

static struct PyModuleDef kernel_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hyposti.design._kernel",
    .m_doc = kernel_doc,
    .m_size = 0,
    .m_methods = kernel_methods,
    .m_slots = kernel_slots,
};

PyMODINIT_FUNC
PyInit__kernel(void)
{
    return PyModuleDef_Init(&kernel_module);
}
