/* The per-character loop of pipeline.sources.pdfiumchars, in C.
 *
 * pdfiumchars.page_chars reads about ten pdfium values per character; through ctypes
 * that is ~18 us per character (8 s CPU per 500 pages of a Chromium print, which
 * writes one text object per glyph). This module makes the same calls through the
 * function pointers of pypdfium2.raw (so it needs no pdfium headers or library to
 * build) and does the same arithmetic in the same order, returning packed arrays.
 * pdfiumchars._chars_python is the reference; tests/test_readers.py requires both
 * to give identical arrays on every PDF fixture.
 *
 * Functions (all take a tuple of function addresses, in the order of
 * pdfiumchars._C_FUNCTIONS, and handles as integers):
 *   chars(functions, textpage, count, rotation, left, low, width, height, hypot)
 *       -> (codes: bytes of int32, geometry: bytes of 6 doubles per character
 *           x0 x1 top bottom size baseline, flags: bytes, bit 0 upright, bit 1 generated,
 *           bits 2-3 the quarter turn of the glyph's writing direction (glyphs.quarter),
 *           unmapped: int, objects: bytes of uint64, each character's text object address)
 *   objects_over(functions, page, most) -> int or None
 *   drawn(functions, page) -> (images, path segments, bytes of uint64: the text objects'
 *       addresses in the order the page draws them), forms expanded to depth 8
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { float left, top, right, bottom; } RectF;
typedef struct { float a, b, c, d, e, f; } MatrixF;

typedef unsigned int (*GetUnicode)(void *, int);
typedef int (*CharInt)(void *, int);
typedef void *(*GetTextObject)(void *, int);
typedef int (*GetMatrix)(void *, int, MatrixF *);
typedef double (*GetFontSize)(void *, int);
typedef void *(*GetFont)(void *);
typedef int (*GetDescent)(void *, float, float *);
typedef int (*GetLooseCharBox)(void *, int, RectF *);
typedef int (*GetCharOrigin)(void *, int, double *, double *);
typedef int (*CountObjects)(void *);
typedef void *(*PageGetObject)(void *, int);
typedef int (*ObjInt)(void *);
typedef void *(*FormGetObject)(void *, unsigned long);

/* The order of pdfiumchars._C_FUNCTIONS. */
enum { F_UNICODE, F_GENERATED, F_MAPERROR, F_TEXTOBJECT, F_MATRIX, F_FONTSIZE, F_FONT, F_DESCENT,
       F_LOOSEBOX, F_ORIGIN, F_PAGE_COUNT, F_PAGE_OBJECT, F_OBJ_TYPE, F_PATH_SEGMENTS, F_FORM_COUNT,
       F_FORM_OBJECT, F_COUNT };

/* pdfium's page object types (FPDF_PAGEOBJ_*). */
enum { OBJ_TEXT = 1, OBJ_PATH = 2, OBJ_IMAGE = 3, OBJ_FORM = 5 };

static int read_functions(PyObject *seq, void **out) {
    if (!PyTuple_Check(seq) || PyTuple_GET_SIZE(seq) != F_COUNT) {
        PyErr_Format(PyExc_TypeError, "expected a tuple of %d function addresses", F_COUNT);
        return -1;
    }
    for (int k = 0; k < F_COUNT; k++) {
        out[k] = PyLong_AsVoidPtr(PyTuple_GET_ITEM(seq, k));
        if (out[k] == NULL) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null function address");
            return -1;
        }
    }
    return 0;
}

/* What is constant for one text object (pdfiumchars: `objects`), keyed by its address. */
typedef struct { void *key; double size, descent; int upright, quarter; } ObjectInfo;

/* Python's min(a, b) and max(a, b): the first argument unless the second beats it. */
static double py_min(double a, double b) { return b < a ? b : a; }
static double py_max(double a, double b) { return b > a ? b : a; }

/* pdfiumchars._unrotate: pdfium's unrotated page space (y up) -> the displayed page. */
static void to_page(int rotation, double left, double low, double width, double height,
                    double x, double y, double *px, double *py) {
    x = x - left;
    y = y - low;
    if (rotation == 90) { *px = y; *py = x; }
    else if (rotation == 180) { *px = width - x; *py = y; }
    else if (rotation == 270) { *px = height - y; *py = width - x; }
    else { *px = x; *py = height - y; }
}

static PyObject *chars(PyObject *self, PyObject *args) {
    PyObject *functions, *hypot;
    void *fn[F_COUNT];
    unsigned long long textpage_address;
    int count, rotation;
    double left, low, width, height;
    if (!PyArg_ParseTuple(args, "OKiiddddO", &functions, &textpage_address, &count, &rotation, &left, &low,
                          &width, &height, &hypot))
        return NULL;
    if (read_functions(functions, fn) < 0) return NULL;
    void *tp = (void *)(uintptr_t)textpage_address;
    if (count < 0) count = 0;

    int32_t *codes = malloc(sizeof(int32_t) * (count + 1));
    double *geometry = malloc(sizeof(double) * 6 * (count + 1));
    unsigned char *flags = malloc(count + 1);
    uint64_t *objects = malloc(sizeof(uint64_t) * (count + 1));
    /* Open addressing on the object's address; a table at least twice the glyph count. */
    size_t slots = 16;
    while (slots < 2 * (size_t)count) slots <<= 1;
    ObjectInfo *table = calloc(slots, sizeof(ObjectInfo));
    if (!codes || !geometry || !flags || !table || !objects) {
        free(codes); free(geometry); free(flags); free(table); free(objects);
        return PyErr_NoMemory();
    }
    RectF rect = {0, 0, 0, 0};          /* reused, as the Python loop reuses its ctypes structs */
    MatrixF matrix = {0, 0, 0, 0, 0, 0};
    double ox = 0, oy = 0;
    Py_ssize_t n = 0;
    long unmapped = 0;
    PyObject *failure = NULL;
    for (int i = 0; i < count; i++) {
        long long code = ((GetUnicode)fn[F_UNICODE])(tp, i);
        int generated = ((CharInt)fn[F_GENERATED])(tp, i) == 1;
        if (generated && code != 0x20) continue;
        if (0xD800 <= code && code <= 0xDBFF)   /* a surrogate pair: pdfium gives each half its index */
            code = 0x10000 + ((code - 0xD800) << 10) + ((long long)((GetUnicode)fn[F_UNICODE])(tp, i + 1) - 0xDC00);
        else if (0xDC00 <= code && code <= 0xDFFF)
            continue;
        if (code < 0 || code > 0x10FFFF) {     /* chr() refuses it: the page is damaged */
            failure = PyExc_ValueError;
            break;
        }
        if (code == '\r' || code == '\n' || code == 0x02) continue;
        if (((CharInt)fn[F_MAPERROR])(tp, i) == 1) unmapped++;
        void *obj = ((GetTextObject)fn[F_TEXTOBJECT])(tp, i);
        ObjectInfo *info = NULL, fresh;
        if (obj != NULL) {
            size_t h = ((uintptr_t)obj >> 4) * 0x9E3779B97F4A7C15ull & (slots - 1);
            while (table[h].key != NULL && table[h].key != obj) h = (h + 1) & (slots - 1);
            info = &table[h];
        } else {
            info = &fresh;                  /* no object: the Python loop keys it by -i, never shared */
            info->key = NULL;
        }
        if (info->key == NULL) {
            ((GetMatrix)fn[F_MATRIX])(tp, i, &matrix);
            double a = matrix.a, b = matrix.b, c = matrix.c, d = matrix.d, ta, tb, tc, td;
            if (rotation == 90) { ta = b; tb = -a; tc = d; td = -c; }
            else if (rotation == 180) { ta = -a; tb = -b; tc = -c; td = -d; }
            else if (rotation == 270) { ta = -b; tb = a; tc = -d; td = c; }
            else { ta = a; tb = b; tc = c; td = d; }
            double norm;
            if (tc == 0.0) norm = fabs(td);     /* math.hypot(0, d) is |d| exactly */
            else if (td == 0.0) norm = fabs(tc);
            else {                              /* skewed or rotated glyphs: Python's own hypot */
                PyObject *value = PyObject_CallFunction(hypot, "dd", tc, td);
                if (value == NULL) { failure = Py_None; break; }
                norm = PyFloat_AsDouble(value);
                Py_DECREF(value);
            }
            double size = ((GetFontSize)fn[F_FONTSIZE])(tp, i) * norm;
            void *font = obj != NULL ? ((GetFont)fn[F_FONT])(obj) : NULL;
            float found = 0;
            double descent = (font != NULL && ((GetDescent)fn[F_DESCENT])(font, 1.0f, &found)) ? (double)found : 0.0;
            descent = -fabs(descent);          /* some fonts state it positive; pdfminer flips it too */
            info->size = size;
            info->descent = descent * size;
            /* glyphs.is_upright (LEVEL: tan 5 degrees) */
            info->upright = ta > 0 && td > 0 && fabs(tb) <= 0.0875 * ta && tb * tc <= 0;
            /* glyphs.quarter: where the glyph's x axis points on the displayed page */
            info->quarter = fabs(ta) >= fabs(tb) ? (ta >= 0 ? 0 : 2) : (tb > 0 ? 1 : 3);
            info->key = obj;
        }
        ((GetLooseCharBox)fn[F_LOOSEBOX])(tp, i, &rect);
        ((GetCharOrigin)fn[F_ORIGIN])(tp, i, &ox, &oy);
        double x0, top, x1, bottom, x_origin, baseline;
        to_page(rotation, left, low, width, height, rect.left, rect.top, &x0, &top);
        to_page(rotation, left, low, width, height, rect.right, rect.bottom, &x1, &bottom);
        to_page(rotation, left, low, width, height, ox, oy, &x_origin, &baseline);
        double size = info->size;
        if (info->upright) {
            /* As pdfminer: the advance from the origin, the em box from the font's descent. */
            double right = py_max(py_max(x_origin, x0), x1);
            x0 = x_origin;
            x1 = right;
            bottom = baseline - info->descent;
            top = baseline - info->descent - size;
        }
        codes[n] = (int32_t)code;
        double *g = geometry + 6 * n;
        g[0] = py_min(x0, x1); g[1] = py_max(x0, x1);
        g[2] = py_min(top, bottom); g[3] = py_max(top, bottom);
        g[4] = size; g[5] = baseline;
        flags[n] = (unsigned char)((info->upright ? 1 : 0) | (generated ? 2 : 0) | (info->quarter << 2));
        objects[n] = (uint64_t)(uintptr_t)obj;
        n++;
    }
    free(table);
    PyObject *result = NULL;
    if (failure == PyExc_ValueError)
        PyErr_SetString(PyExc_ValueError, "chr() arg not in range(0x110000)");
    else if (failure == NULL)
        result = Py_BuildValue("(y#y#y#ly#)", (char *)codes, (Py_ssize_t)(n * sizeof(int32_t)), (char *)geometry,
                               (Py_ssize_t)(n * 6 * sizeof(double)), (char *)flags, n, unmapped,
                               (char *)objects, (Py_ssize_t)(n * sizeof(uint64_t)));
    free(codes); free(geometry); free(flags); free(objects);
    return result;
}

/* pdfiumchars._objects_over: objects drawn, forms expanded, if more than `most`. */
typedef struct { int form; void *parent; int n; } Pending;

static PyObject *objects_over(PyObject *self, PyObject *args) {
    PyObject *functions;
    void *fn[F_COUNT];
    unsigned long long page_address;
    long long most;
    if (!PyArg_ParseTuple(args, "OKL", &functions, &page_address, &most)) return NULL;
    if (read_functions(functions, fn) < 0) return NULL;
    void *page = (void *)(uintptr_t)page_address;
    size_t size = 64, top = 0;
    Pending *stack = malloc(size * sizeof(Pending));
    if (!stack) return PyErr_NoMemory();
    stack[top++] = (Pending){0, page, ((CountObjects)fn[F_PAGE_COUNT])(page)};
    long long seen = 0;
    while (top > 0) {
        Pending p = stack[--top];
        seen += p.n;
        if (seen > most) { free(stack); return PyLong_FromLongLong(seen); }
        for (int k = 0; k < p.n; k++) {
            void *obj = p.form ? ((FormGetObject)fn[F_FORM_OBJECT])(p.parent, (unsigned long)k)
                               : ((PageGetObject)fn[F_PAGE_OBJECT])(p.parent, k);
            if (((ObjInt)fn[F_OBJ_TYPE])(obj) == OBJ_FORM) {
                if (top == size) {
                    Pending *grown = realloc(stack, 2 * size * sizeof(Pending));
                    if (!grown) { free(stack); return PyErr_NoMemory(); }
                    stack = grown;
                    size *= 2;
                }
                stack[top++] = (Pending){1, obj, ((ObjInt)fn[F_FORM_COUNT])(obj)};
            }
        }
    }
    free(stack);
    Py_RETURN_NONE;
}

/* pdfiumchars._drawn: image objects, path segments and the text objects' addresses in
 * drawing order, forms expanded to depth 8. */
typedef struct { long long images, segments; uint64_t *texts; Py_ssize_t n, size; } Drawn;

static int walk_drawn(void **fn, void *parent, int form, int depth, Drawn *out) {
    int n = form ? ((ObjInt)fn[F_FORM_COUNT])(parent) : ((CountObjects)fn[F_PAGE_COUNT])(parent);
    for (int k = 0; k < n; k++) {
        void *obj = form ? ((FormGetObject)fn[F_FORM_OBJECT])(parent, (unsigned long)k)
                         : ((PageGetObject)fn[F_PAGE_OBJECT])(parent, k);
        int kind = ((ObjInt)fn[F_OBJ_TYPE])(obj);
        if (kind == OBJ_IMAGE) out->images++;
        else if (kind == OBJ_PATH) {
            int s = ((ObjInt)fn[F_PATH_SEGMENTS])(obj);
            if (s > 0) out->segments += s;
        } else if (kind == OBJ_TEXT) {
            if (out->n == out->size) {
                Py_ssize_t size = out->size ? 2 * out->size : 256;
                uint64_t *grown = realloc(out->texts, sizeof(uint64_t) * size);
                if (grown == NULL) return -1;
                out->texts = grown;
                out->size = size;
            }
            out->texts[out->n++] = (uint64_t)(uintptr_t)obj;
        } else if (kind == OBJ_FORM && depth < 8) {
            if (walk_drawn(fn, obj, 1, depth + 1, out) < 0) return -1;
        }
    }
    return 0;
}

static PyObject *drawn(PyObject *self, PyObject *args) {
    PyObject *functions;
    void *fn[F_COUNT];
    unsigned long long page_address;
    if (!PyArg_ParseTuple(args, "OK", &functions, &page_address)) return NULL;
    if (read_functions(functions, fn) < 0) return NULL;
    Drawn out = {0, 0, NULL, 0, 0};
    if (walk_drawn(fn, (void *)(uintptr_t)page_address, 0, 0, &out) < 0) {
        free(out.texts);
        return PyErr_NoMemory();
    }
    /* y# of a NULL buffer is None, not b"": a page without text objects gives "". */
    PyObject *result = Py_BuildValue("(LLy#)", out.images, out.segments, out.texts ? (char *)out.texts : "",
                                     out.n * (Py_ssize_t)sizeof(uint64_t));
    free(out.texts);
    return result;
}

static PyMethodDef methods[] = {
    {"chars", chars, METH_VARARGS, "Characters of a pdfium text page as packed arrays."},
    {"objects_over", objects_over, METH_VARARGS, "Objects drawn on a page, forms expanded, if more than most."},
    {"drawn", drawn, METH_VARARGS, "(images, path segments, text object addresses) drawn on a page."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_loop", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pdfium_loop(void) { return PyModule_Create(&module); }
