/* Token strings of the text notations in C: the same list as the quick patterns' findall.
 *
 * hlxl(text), lct(text), lcr(text) return exactly `_QUICK.findall(text)` of plugins/hlxl.py,
 * lc_t.py and lc_r.py (the patterns stay the reference: tests/test_hostile.py compares both on
 * generated texts, and HELIXC_NO_NATIVE=1 or a missing build uses the pattern). The regex costs
 * ~75-110 ns per token; this loop a few ns plus the token object (one-character tokens are
 * CPython's cached strings). Each function mirrors its pattern's alternatives in order; the
 * possessive loops of the pattern are plain loops here (no backtracking into them).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { HLXL = 0, LCT = 1, LCR = 2 };

#define CH(i) PyUnicode_READ(kind, data, (i))
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
#define ALPHA(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || (c) == '_')
#define ALNUM(c) (ALPHA(c) || DIGIT(c))
#define HEXU(c) (DIGIT(c) || ((c) >= 'A' && (c) <= 'F') || ((c) >= 'a' && (c) <= 'f'))
#define HEXL(c) (DIGIT(c) || ((c) >= 'a' && (c) <= 'f'))
#define WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')

/* -?(?:0|[1-9][0-9]*) from i: the end, or -1 */
static Py_ssize_t
int_part(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    if (i < n && CH(i) == '-')
        i++;
    if (i >= n)
        return -1;
    Py_UCS4 c = CH(i);
    if (c == '0')
        return i + 1;
    if (c < '1' || c > '9')
        return -1;
    i++;
    while (i < n && DIGIT(CH(i)))
        i++;
    return i;
}

/* digits+ from i: the end, or -1 */
static Py_ssize_t
digits(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    if (i >= n || !DIGIT(CH(i)))
        return -1;
    while (i < n && DIGIT(CH(i)))
        i++;
    return i;
}

/* exponent from i (at e/E): [eE][+-]?[0-9]+ (LC-R: e[+-][0-9]+), the end or -1 */
static Py_ssize_t
exponent(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, int nt)
{
    if (i >= n)
        return -1;
    Py_UCS4 c = CH(i);
    if (!(c == 'e' || (c == 'E' && nt != LCR)))
        return -1;
    i++;
    if (i < n && (CH(i) == '+' || CH(i) == '-'))
        i++;
    else if (nt == LCR)
        return -1;
    return digits(kind, data, n, i);
}

/* the number token at i (float, HLXL radix, int in the pattern's order), the end or -1 */
static Py_ssize_t
number(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, int nt)
{
    Py_ssize_t e = int_part(kind, data, n, i);
    if (e < 0)
        return -1;
    /* float: int part, then .digits (exponent optional) or an exponent */
    if (e < n && CH(e) == '.') {
        Py_ssize_t f = digits(kind, data, n, e + 1);
        if (f >= 0) {
            Py_ssize_t x = exponent(kind, data, n, f, nt);
            return x >= 0 ? x : f;
        }
    }
    else {
        Py_ssize_t x = exponent(kind, data, n, e, nt);
        if (x >= 0)
            return x;
    }
    if (nt == HLXL) { /* -?0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+) */
        Py_ssize_t j = i;
        if (j < n && CH(j) == '-')
            j++;
        if (j + 2 < n && CH(j) == '0') {
            Py_UCS4 r = CH(j + 1);
            Py_ssize_t k = j + 2;
            if (r == 'x' || r == 'X') {
                while (k < n && HEXU(CH(k)))
                    k++;
            }
            else if (r == 'o' || r == 'O') {
                while (k < n && CH(k) >= '0' && CH(k) <= '7')
                    k++;
            }
            else if (r == 'b' || r == 'B') {
                while (k < n && (CH(k) == '0' || CH(k) == '1'))
                    k++;
            }
            if (k > j + 2)
                return k;
        }
    }
    return e; /* int */
}

/* a string token at i (at '"'): the end, or -1 */
static Py_ssize_t
string(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, int nt)
{
    i++;
    for (;;) {
        if (i >= n)
            return -1;
        Py_UCS4 c = CH(i);
        if (c == '"')
            return i + 1;
        if (c == '\\') {
            if (i + 1 >= n)
                return -1;
            Py_UCS4 d = CH(i + 1);
            if (d == '"' || d == '\\' || d == 'n' || d == 'r' || d == 't') {
                i += 2;
                continue;
            }
            if (d == 'u' && i + 5 < n) {
                int ok = 1;
                for (int q = 2; q < 6; q++) {
                    Py_UCS4 h = CH(i + q);
                    if (!(nt == LCR ? HEXL(h) : HEXU(h)))
                        ok = 0;
                }
                if (ok) {
                    i += 6;
                    continue;
                }
            }
            return -1; /* the escape loop stops at a backslash: no closing quote there */
        }
        if (nt == LCT ? (c < 0x20 || c > 0x7e) : (c < 0x20 || c == 0x7f))
            return -1;
        i++;
    }
}

/* is c a character the "run" alternative excludes (one that some token starts with)? */
static int
run_stop(Py_UCS4 c, int nt)
{
    if (ALNUM(c) || c == '-' || c == '"')
        return 1;
    switch (nt) {
    case HLXL:
        return c == '[' || c == ']' || c == '{' || c == '}' || c == ':' || c == ',' || c == '&' || c == '@' || WS(c);
    case LCT:
        return c == '[' || c == ']' || c == '{' || c == '}' || c == ':' || c == ',' || c == '=' || c == '#' || c == '@' || WS(c);
    default:
        return c == ',' || c == ':' || c == ' ' || c == 0x22A0 || c == 0x27C1 || c == 0x1F70A || c == 0x1F701 ||
               c == 0x2205 || c == 0x22A4 || c == 0x22A5 || c == 0x1F703 || c == 0x1F704 || c == 0x1F702 ||
               c == 0x25C7 || c == 0x25C6;
    }
}

/* the end of the token at i (i < n; whitespace already skipped where the notation skips it) */
static Py_ssize_t
token_end(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, int nt)
{
    Py_UCS4 c = CH(i);
    Py_ssize_t e;
    if (nt == LCR) {
        if ((c == ',' || c == ':') && i + 1 < n && CH(i + 1) == ' ')
            return i + 2;
    }
    else if (c == '[' || c == ']' || c == '{' || c == '}' || c == ':' || c == ',' || (c == '=' && nt == LCT))
        return i + 1;
    if (c == '-' || DIGIT(c)) {
        e = number(kind, data, n, i, nt);
        if (e >= 0)
            return e;
    }
    if (c == '"') {
        e = string(kind, data, n, i, nt);
        if (e >= 0)
            return e;
    }
    switch (nt) {
    case HLXL:
        if (c == 'x' && i + 1 < n && CH(i + 1) == '"') { /* x"(?:hex hex)*+" */
            Py_ssize_t j = i + 2;
            while (j + 1 < n && HEXU(CH(j)) && HEXU(CH(j + 1)))
                j += 2;
            if (j < n && CH(j) == '"')
                return j + 1;
        }
        if (c == '&' && i + 3 < n && CH(i + 1) == 'h' && CH(i + 2) == '_' && ALNUM(CH(i + 3))) {
            Py_ssize_t j = i + 3;
            while (j < n && ALNUM(CH(j)))
                j++;
            return j;
        }
        if (c == '@' && i + 1 < n && DIGIT(CH(i + 1))) {
            if (CH(i + 1) == '0')
                return i + 2;
            Py_ssize_t j = i + 1;
            while (j < n && DIGIT(CH(j)))
                j++;
            return j;
        }
        break;
    case LCT:
        if (c == '#') {
            Py_ssize_t j = i + 1;
            while (j + 1 < n && HEXU(CH(j)) && HEXU(CH(j + 1)))
                j += 2;
            return j;
        }
        if (c == '@' && i + 1 < n && ALNUM(CH(i + 1))) {
            Py_ssize_t j = i + 1;
            while (j < n && ALNUM(CH(j)))
                j++;
            return j;
        }
        break;
    default:
        if (c == 0x22A0) { /* bytes: lower-case hex pairs */
            Py_ssize_t j = i + 1;
            while (j + 1 < n && HEXL(CH(j)) && HEXL(CH(j + 1)))
                j += 2;
            return j;
        }
        if (c == 0x27C1 && i + 1 < n && ALNUM(CH(i + 1))) { /* handle */
            Py_ssize_t j = i + 1;
            while (j < n && ALNUM(CH(j)))
                j++;
            return j;
        }
        if ((c == 0x1F70A || c == 0x1F701) && i + 1 < n && DIGIT(CH(i + 1))) { /* 🜊N, 🜁N + space */
            Py_ssize_t j = i + 2;
            if (CH(i + 1) != '0')
                while (j < n && DIGIT(CH(j)))
                    j++;
            if (c == 0x1F70A)
                return j;
            if (j < n && CH(j) == ' ')
                return j + 1;
        }
        break;
    }
    if (ALPHA(c)) {
        Py_ssize_t j = i + 1;
        while (j < n && ALNUM(CH(j)))
            j++;
        return j;
    }
    if (!run_stop(c, nt)) {
        Py_ssize_t j = i + 1;
        while (j < n && !run_stop(CH(j), nt))
            j++;
        return j;
    }
    return i + 1; /* . */
}

/* shared token objects for LC-R's separators and glyphs (CPython caches only Latin-1 characters) */
static const Py_UCS4 GLYPHS[] = {0x2205, 0x22A4, 0x22A5, 0x22A0, 0x27C1, 0x1F703, 0x1F704,
                                 0x1F70A, 0x1F701, 0x1F702, 0x25C7, 0x25C6};
#define NGLYPHS ((int)(sizeof(GLYPHS) / sizeof(GLYPHS[0])))
static PyObject *glyph_tok[NGLYPHS];
static PyObject *comma_tok, *colon_tok;

static PyObject *
token(PyObject *arg, int kind, const void *data, Py_ssize_t i, Py_ssize_t e)
{
    PyObject *shared = NULL;
    if (e - i == 1) {
        Py_UCS4 c = CH(i);
        if (c > 0xFF)
            for (int g = 0; g < NGLYPHS; g++)
                if (GLYPHS[g] == c)
                    shared = glyph_tok[g];
    }
    else if (e - i == 2 && CH(i + 1) == ' ') {
        Py_UCS4 c = CH(i);
        shared = c == ',' ? comma_tok : c == ':' ? colon_tok : NULL;
    }
    if (shared != NULL) {
        Py_INCREF(shared);
        return shared;
    }
    return PyUnicode_Substring(arg, i, e);
}

static PyObject *
tokens(PyObject *arg, int nt)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "a str is required");
        return NULL;
    }
    if (PyUnicode_READY(arg) < 0)
        return NULL;
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        if (nt != LCR) {
            Py_ssize_t j = i;
            while (j < n && WS(CH(j)))
                j++;
            if (j == n) { /* trailing whitespace: the pattern's last match is its last character */
                if (j > i)
                    i = n - 1;
                else
                    break;
                PyObject *tok = PyUnicode_Substring(arg, i, n);
                if (tok == NULL || PyList_Append(out, tok) < 0) {
                    Py_XDECREF(tok);
                    Py_DECREF(out);
                    return NULL;
                }
                Py_DECREF(tok);
                break;
            }
            i = j;
        }
        Py_ssize_t e = token_end(kind, data, n, i, nt);
        PyObject *tok = token(arg, kind, data, i, e);
        if (tok == NULL || PyList_Append(out, tok) < 0) {
            Py_XDECREF(tok);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(tok);
        i = e;
    }
    return out;
}

static PyObject *py_hlxl(PyObject *self, PyObject *arg) { return tokens(arg, HLXL); }
static PyObject *py_lct(PyObject *self, PyObject *arg) { return tokens(arg, LCT); }
static PyObject *py_lcr(PyObject *self, PyObject *arg) { return tokens(arg, LCR); }

static PyMethodDef methods[] = {
    {"hlxl", py_hlxl, METH_O, "HLXL's quick token strings (= plugins/hlxl.py _QUICK.findall)."},
    {"lct", py_lct, METH_O, "LC-T's quick token strings (= plugins/lc_t.py _QUICK.findall)."},
    {"lcr", py_lcr, METH_O, "LC-R's quick token strings (= plugins/lc_r.py _QUICK.findall)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textlex_native", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__textlex_native(void)
{
    for (int g = 0; g < NGLYPHS; g++)
        if ((glyph_tok[g] = PyUnicode_FromOrdinal((int)GLYPHS[g])) == NULL)
            return NULL;
    if ((comma_tok = PyUnicode_FromString(", ")) == NULL || (colon_tok = PyUnicode_FromString(": ")) == NULL)
        return NULL;
    return PyModule_Create(&module);
}
