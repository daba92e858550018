/* Token strings of the text notations in C (and, below, the fast path of their error scans): the same list as the quick patterns' findall.
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

/* --------------------------------------------------------------------------- the scans' fast path
 *
 * skim_hlxl / skim_lct / skim_lcr(toks, k, state, stack, braces, sem) -> (k, state): the token loop of
 * the notation's `scan` (plugins/<name>/__init__.py) for as long as a token changes nothing but the
 * position, the state and the container stack: it stops (returns) *before* the first token that
 * could be an error or an error candidate, or whose check it does not make, and the Python loop
 * takes that token. `stack` and `braces` are the scan's own lists, changed as the Python loop
 * changes them (the same frames: arrays (0,), maps [1, start, None, seen] (LC-R: + last key),
 * contracts [2, start, None, seen, last, cid]; shared tuples where `sem` is false). Two regimes:
 * `sem` true (no error seen yet: every check runs) and `sem` false (after a depth error: syntax
 * only); the scan does not call it in between (an error seen, semantic checks still running).
 * The state numbers are those of each scan (`_V, _VA, _AV, ... = range(...)` there).
 */

enum { F_ARR = 0, F_MAP = 1, F_CON = 2 };
static PyObject *arr_frame, *map_frame4, *map_frame5, *con_frame; /* (0,), (1,-1,None,None)[+None], (2,-1,None,None,-1,0) */
#define FIELD_INDEX_MAX 65535
#define CONTRACT_ID_MAX 4294967295LL

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t len;
} Tok;

#define T(i) PyUnicode_READ(tk.kind, tk.data, (i))
#define IS1(ch) (tk.len == 1 && c == (ch))

static PyObject *
fitem(PyObject *fr, Py_ssize_t i)
{
    return PyList_Check(fr) ? PyList_GET_ITEM(fr, i) : PyTuple_GET_ITEM(fr, i);
}

static int
pop(PyObject *list)
{
    Py_ssize_t m = PyList_GET_SIZE(list);
    return PyList_SetSlice(list, m - 1, m, NULL);
}

static int
push(PyObject *list, PyObject *item) /* steals item */
{
    if (item == NULL)
        return -1;
    int r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

static int
set_top(PyObject *list, PyObject *item) /* steals item */
{
    if (item == NULL)
        return -1;
    return PyList_SetItem(list, PyList_GET_SIZE(list) - 1, item);
}

/* a scan's frame: maps [1, start, None, set()] (size 5: + None, the last key), contracts
 * [2, start, None, set() or None, -1, cid] */
static PyObject *
new_frame(int fk, Py_ssize_t start, Py_ssize_t size, int with_seen, long long cid)
{
    PyObject *items[6] = {PyLong_FromLong(fk), PyLong_FromSsize_t(start), Py_NewRef(Py_None),
                          with_seen ? PySet_New(NULL) : Py_NewRef(Py_None),
                          size == 5 ? Py_NewRef(Py_None) : PyLong_FromLong(-1), PyLong_FromLongLong(cid)};
    PyObject *fr = PyList_New(size);
    for (Py_ssize_t i = 0; i < 6; i++) {
        if (fr != NULL && i < size && items[i] != NULL) {
            PyList_SET_ITEM(fr, i, items[i]);
            continue;
        }
        if (i < size && items[i] == NULL)
            Py_CLEAR(fr);
        Py_XDECREF(items[i]);
    }
    return fr;
}

static int
word(Tok tk, const char *w)
{
    Py_ssize_t i = 0;
    for (; w[i]; i++)
        if (i >= tk.len || T(i) != (Py_UCS4)(unsigned char)w[i])
            return 0;
    return i == tk.len;
}

static int
has(Tok tk, Py_UCS4 a)
{
    for (Py_ssize_t i = 0; i < tk.len; i++)
        if (T(i) == a)
            return 1;
    return 0;
}

static int
has_u_escape(Tok tk) /* "\\u" in t */
{
    for (Py_ssize_t i = 0; i + 1 < tk.len; i++)
        if (T(i) == '\\' && T(i + 1) == 'u')
            return 1;
    return 0;
}

/* a float token's value is finite (float_event finds nothing); -1 on an error */
static int
finite_float(PyObject *t)
{
    const char *s = PyUnicode_AsUTF8(t);
    if (s == NULL)
        return -1;
    double v = PyOS_string_to_double(s, NULL, NULL);
    if (v == -1.0 && PyErr_Occurred())
        return -1;
    return Py_IS_FINITE(v);
}

/* the decimal digits t[a:b] (at most 18) as a number */
static long long
decimal(Tok tk, Py_ssize_t a, Py_ssize_t b)
{
    long long v = 0;
    for (Py_ssize_t i = a; i < b; i++)
        v = v * 10 + (long long)(T(i) - '0');
    return v;
}

/* a field index t[a:b] (decimal digits, at most 18) added to a contract frame's seen set and last
 * index when it is in range, new and ascending: 1; 0 when the scan must look (or seen is None:
 * nothing to check, 1); -1 on an error */
static int
add_field(PyObject *fr, Tok tk, Py_ssize_t a, Py_ssize_t b)
{
    if (b - a > 18) /* int_event may find something */
        return 0;
    PyObject *seen = fitem(fr, 3);
    if (seen == Py_None)
        return 1;
    if (b <= a || T(a) == '-')
        return 0;
    long long i = decimal(tk, a, b);
    long long last = PyLong_AsLongLong(fitem(fr, 4));
    if (last == -1 && PyErr_Occurred())
        return -1;
    if (i > FIELD_INDEX_MAX || i <= last) /* equal to the last: a repeat */
        return 0;
    PyObject *index = PyLong_FromLongLong(i);
    if (index == NULL || PySet_Add(seen, index) < 0) {
        Py_XDECREF(index);
        return -1;
    }
    return PyList_SetItem(fr, 4, index) < 0 ? -1 : 1;
}

/* the token spells a key without escapes (a quoted key, or an identifier) */
static int
key_plain(Tok tk)
{
    Py_UCS4 c = T(0);
    return (c == '"' && tk.len > 1) ? !has(tk, '\\') : ALPHA(c);
}

/* the key token t added to the frame's seen set when it is new (LC-R, `ordered`: and not before the
 * last key, which it becomes): 1; 0 when the scan must look (an escape, a repeat, out of order); -1
 * on an error */
static int
add_key(PyObject *fr, PyObject *t, Tok tk, int sem, int ordered)
{
    if (!key_plain(tk))
        return 0;
    PyObject *seen = fitem(fr, 3);
    if (seen == Py_None)
        return 1;
    if (!sem) /* a map opened before the depth error, its checks in the grammar's order */
        return 0;
    PyObject *key = T(0) == '"' ? PyUnicode_Substring(t, 1, tk.len - 1) : Py_NewRef(t);
    if (key == NULL)
        return -1;
    int r = PySet_Contains(seen, key); /* 1: a repeat */
    if (r == 0 && ordered && fitem(fr, 4) != Py_None) {
        int cmp = PyUnicode_Compare(key, fitem(fr, 4));
        r = cmp == -1 && PyErr_Occurred() ? -1 : cmp < 0; /* 1: before the last key */
    }
    if (r == 0)
        r = PySet_Add(seen, key) < 0 || (ordered && PyList_SetItem(fr, 4, Py_NewRef(key)) < 0) ? -1 : 2;
    Py_DECREF(key);
    return r < 0 ? -1 : r == 2;
}

/* the loop of a skim: tokens from k (TOK() names each one's parts); `goto done` returns (k, state) */
#define SKIM_LOOP                                                               \
    Py_ssize_t k;                                                               \
    int state, sem, r;                                                          \
    if (skim_args(args, nargs, &k, &state, &sem) < 0)                           \
        return NULL;                                                            \
    PyObject *toks = args[0], *stack = args[3], *braces = args[4];              \
    Py_ssize_t n = PyList_GET_SIZE(toks);                                       \
    for (; k < n; k++)

static int
skim_args(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t *k, int *state, int *sem)
{
    if (nargs != 6 || !PyList_Check(args[0]) || !PyList_Check(args[3]) || !PyList_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError, "skim(toks, k, state, stack, braces, sem)");
        return -1;
    }
    *k = PyLong_AsSsize_t(args[1]);
    *state = (int)PyLong_AsLong(args[2]);
    *sem = PyObject_IsTrue(args[5]);
    return PyErr_Occurred() ? -1 : 0;
}

#define TOK()                                                                     \
    PyObject *t = PyList_GET_ITEM(toks, k);                                     \
    if (!PyUnicode_Check(t) || PyUnicode_GET_LENGTH(t) == 0)                     \
        goto done;                                                              \
    Tok tk = {PyUnicode_KIND(t), PyUnicode_DATA(t), PyUnicode_GET_LENGTH(t)};   \
    Py_UCS4 c = T(0);                                                           \
    Py_ssize_t depth = PyList_GET_SIZE(stack);                                  \
    long fk = 0; /* the kind of the frame on top, where read */                 \
    PyObject *fr

#define TRY(x)            \
    do {                  \
        if ((x) < 0)      \
            return NULL;  \
    } while (0)
#define NUMCH(c) ((c) == '-' || DIGIT(c))

/* the frame on top in the state after a value or entry; NULL: none (the scan reports) */
static PyObject *
top(PyObject *stack, long *fk)
{
    Py_ssize_t d = PyList_GET_SIZE(stack);
    if (d == 0)
        return NULL;
    PyObject *fr = PyList_GET_ITEM(stack, d - 1);
    if (fr == Py_None)
        return NULL;
    *fk = PyLong_AsLong(fitem(fr, 0));
    return fr;
}

/* opening a container at this depth changes no error state */
#define OPEN_OK(depth, sem) ((depth) < 64 || (!(sem) && (depth) != 64))

/* close a map or contract: only one without an error of its own (the scan records that one) */
static int
close_braced(PyObject *stack, PyObject *braces, PyObject *fr)
{
    if (fitem(fr, 2) != Py_None)
        return 0;
    return pop(stack) < 0 || pop(braces) < 0 ? -1 : 1;
}

/* HLXL and LC-T: the states of their scans (plugins/hlxl/__init__.py, plugins/lc_t/__init__.py); the
 * first six are the same in both */
enum { B_V, B_VA, B_AV, B_K0, B_K, B_KC };
enum { H_CC = 6, H_CB, H_F0, H_F, H_FC, H_CE };
enum { L_TC = 6, L_TI, L_FI, L_FE };
#define RADIX(x) ((x) == 'x' || (x) == 'X' || (x) == 'o' || (x) == 'O' || (x) == 'b' || (x) == 'B')
#define FLOATCH(tk) (has(tk, '.') || has(tk, 'e') || has(tk, 'E'))

/* a number value whose check finds nothing (1), may find something (0), -1 on an error */
static int
number_ok(PyObject *t, Tok tk, int nt)
{
    Py_UCS4 c = T(0);
    if (tk.len == 1)
        return 1;
    if (nt == HLXL && (RADIX(T(1)) || (tk.len > 2 && RADIX(T(2)) && c == '-')))
        return tk.len <= 17;
    if (FLOATCH(tk))
        return finite_float(t);
    return tk.len <= 18;
}

static int
is_int_token(Tok tk) /* LC-T's _is_int: a number token that is no float ("-" alone is none) */
{
    Py_UCS4 c = T(0);
    return NUMCH(c) && !(tk.len == 1 && c == '-') && !FLOATCH(tk);
}

static int
keyword(Tok tk, int nt) /* null/true/false (LC-T: NULL/TRUE/FALSE) */
{
    return nt == HLXL ? word(tk, "null") || word(tk, "true") || word(tk, "false")
                      : word(tk, "NULL") || word(tk, "TRUE") || word(tk, "FALSE");
}

/* the states where one punctuation token must come: it (`want`) and the next state; -1: not one */
static int
punct_state(int nt, int state, Py_UCS4 *want)
{
    *want = ':';
    if (state == B_KC || (nt == HLXL && state == H_FC))
        return B_V;
    if (nt == HLXL && state == H_CC)
        return H_CB;
    if (nt == LCT && state == L_TC)
        return L_TI;
    *want = '{';
    return nt == HLXL && state == H_CB ? H_F0 : -1;
}

static PyObject *
skim_bracketed(PyObject *const *args, Py_ssize_t nargs, int nt)
{
    SKIM_LOOP {
        TOK();
        switch (state) {
        case B_AV:
            if ((fr = top(stack, &fk)) == NULL)
                goto done;
            if (IS1(',')) {
                state = fk == F_ARR ? B_V : fk == F_MAP ? B_K : nt == HLXL ? H_F : L_FI;
            }
            else if (fk == F_ARR && IS1(']')) {
                TRY(pop(stack));
            }
            else if (fk != F_ARR && IS1('}')) {
                if (fk == F_CON && nt == HLXL)
                    state = H_CE; /* the fields' brace; the contract's follows */
                else {
                    TRY(r = close_braced(stack, braces, fr));
                    if (!r)
                        goto done;
                }
            }
            else
                goto done;
            break;
        case B_V:
        case B_VA:
            if (c == '[' || c == '{') {
                if (!OPEN_OK(depth, sem))
                    goto done;
                if (c == '[') {
                    TRY(push(stack, Py_NewRef(arr_frame)));
                    state = B_VA;
                }
                else {
                    TRY(push(braces, PyLong_FromSsize_t(depth)));
                    TRY(push(stack, Py_NewRef(Py_None))); /* map or contract: the next token decides */
                    state = B_K0;
                }
                break;
            }
            if (c == ']' && state == B_VA) {
                TRY(pop(stack));
            }
            else if (c == '"' && tk.len > 1) {
                if (sem && has_u_escape(tk))
                    goto done;
            }
            else if (NUMCH(c) && !IS1('-')) {
                if (sem) {
                    TRY(r = number_ok(t, tk, nt));
                    if (!r)
                        goto done;
                }
            }
            else if (ALPHA(c)) {
                if (!(keyword(tk, nt) || (nt == HLXL && c == 'x' && tk.len > 1 && T(1) == '"')))
                    goto done;
            }
            else if (nt == HLXL ? (c != '&' || tk.len == 1) : (c != '#' && (c != '@' || tk.len == 1)))
                goto done;
            state = B_AV;
            break;
        case B_K0:
            if (IS1('}')) {
                TRY(pop(stack));
                TRY(pop(braces));
                state = B_AV;
                break;
            }
            if (nt == LCT && IS1('C')) { /* {C:cid,i=v,...} */
                TRY(set_top(stack, sem ? new_frame(F_CON, k - 1, 6, 0, 0) : Py_NewRef(con_frame)));
                state = L_TC;
                break;
            }
            if (nt == HLXL && NUMCH(c) && !IS1('-') && !(tk.len > 1 && (RADIX(T(1)) || FLOATCH(tk))) &&
                !(tk.len > 2 && RADIX(T(2)) && c == '-')) { /* {cid: {@i: v, ...}} */
                if (sem) {
                    if (tk.len >= 10 || c == '-') /* cid_event may find something */
                        goto done;
                    TRY(set_top(stack, new_frame(F_CON, k - 1, 6, 1, decimal(tk, 0, tk.len))));
                }
                else
                    TRY(set_top(stack, Py_NewRef(con_frame)));
                state = H_CC;
                break;
            }
            /* fall through: a map */
        case B_K: {
            if (nt == HLXL && c == 'x' && tk.len > 1 && T(1) == '"')
                goto done;
            if (sem && ALPHA(c) && (word(tk, "null") || word(tk, "true") || word(tk, "false") ||
                                    (nt == LCT && (keyword(tk, LCT) || word(tk, "C")))))
                goto done; /* reserved */
            if (!key_plain(tk))
                goto done;
            if (state == B_K0)
                TRY(set_top(stack, sem ? new_frame(F_MAP, k - 1, 4, 1, 0) : Py_NewRef(map_frame4)));
            TRY(r = add_key(PyList_GET_ITEM(stack, depth - 1), t, tk, sem, 0));
            if (!r)
                goto done;
            state = B_KC;
            break;
        }
        default: {
            Py_UCS4 want;
            int next = punct_state(nt, state, &want);
            if (next >= 0) {
                if (!IS1(want))
                    goto done;
                state = next;
                break;
            }
            if (nt == HLXL)
                switch (state) {
                case H_F0:
                case H_F:
                    if (IS1('}') && state == H_F0) {
                        state = H_CE;
                        break;
                    }
                    if (c != '@' || tk.len < 2)
                        goto done;
                    if (sem) {
                        TRY(r = add_field(PyList_GET_ITEM(stack, depth - 1), tk, 1, tk.len));
                        if (!r)
                            goto done;
                    }
                    state = H_FC;
                    break;
                case H_CE:
                    if (!IS1('}'))
                        goto done;
                    TRY(r = close_braced(stack, braces, PyList_GET_ITEM(stack, depth - 1)));
                    if (!r)
                        goto done;
                    state = B_AV;
                    break;
                default:
                    goto done;
                }
            else
                switch (state) {
                case L_TI:
                    if (!is_int_token(tk))
                        goto done;
                    if (sem) {
                        if (tk.len >= 10 || c == '-') /* cid_event may find something */
                            goto done;
                        fr = PyList_GET_ITEM(stack, depth - 1);
                        TRY(PyList_SetItem(fr, 3, PySet_New(NULL)));
                        TRY(PyList_SetItem(fr, 5, PyLong_FromLongLong(decimal(tk, 0, tk.len))));
                    }
                    state = B_AV;
                    break;
                case L_FI:
                    if (!is_int_token(tk))
                        goto done;
                    state = L_FE;
                    break;
                case L_FE:
                    if (!IS1('='))
                        goto done;
                    if (sem) { /* the field index, checked once the '=' is there (the Reader's order) */
                        PyObject *d = PyList_GET_ITEM(toks, k - 1);
                        Tok dk = {PyUnicode_KIND(d), PyUnicode_DATA(d), PyUnicode_GET_LENGTH(d)};
                        TRY(r = add_field(PyList_GET_ITEM(stack, depth - 1), dk, 0, dk.len));
                        if (!r)
                            goto done;
                    }
                    state = B_V;
                    break;
                default:
                    goto done;
                }
        }
        }
    }
done:
    return Py_BuildValue("(ni)", k, state);
}

static PyObject *skim_hlxl(PyObject *self, PyObject *const *args, Py_ssize_t nargs) { return skim_bracketed(args, nargs, HLXL); }
static PyObject *skim_lct(PyObject *self, PyObject *const *args, Py_ssize_t nargs) { return skim_bracketed(args, nargs, LCT); }

/* LC-R: the states of plugins/lc_r/__init__.py's scan */
enum { R_V, R_VA, R_AV, R_K0, R_K, R_KC };
#define G_ARRAY_OPEN 0x1F703
#define G_ARRAY_CLOSE 0x1F704
#define G_MAP_OPEN 0x25C7
#define G_MAP_CLOSE 0x25C6
#define G_CONTRACT_OPEN 0x1F70A
#define G_FIELD 0x1F701
#define G_CONTRACT_CLOSE 0x1F702
#define IS2(a, b) (tk.len == 2 && c == (a) && T(1) == (b))

static PyObject *
skim_lcr(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    SKIM_LOOP {
        TOK();
        switch (state) {
        case R_AV:
            if ((fr = top(stack, &fk)) == NULL)
                goto done;
            if (fk == F_CON && c == G_FIELD && tk.len > 2) { /* 🜁N␠: a field */
                if (sem) {
                    TRY(r = add_field(fr, tk, 1, tk.len - 1));
                    if (!r)
                        goto done;
                }
                state = R_V;
                break;
            }
            if (fk != F_CON && IS2(',', ' ')) {
                state = fk == F_ARR ? R_V : R_K;
                break;
            }
            if (!IS1(fk == F_ARR ? G_ARRAY_CLOSE : fk == F_MAP ? G_MAP_CLOSE : G_CONTRACT_CLOSE))
                goto done;
            if (fk == F_ARR)
                TRY(pop(stack));
            else {
                TRY(r = close_braced(stack, braces, fr));
                if (!r)
                    goto done;
            }
            break;
        case R_V:
        case R_VA:
            if (IS1(G_ARRAY_OPEN) || IS1(G_MAP_OPEN) || (c == G_CONTRACT_OPEN && tk.len > 1)) {
                if (!OPEN_OK(depth, sem))
                    goto done;
                if (c == G_ARRAY_OPEN) {
                    TRY(push(stack, Py_NewRef(arr_frame)));
                    state = R_VA;
                    break;
                }
                if (c == G_MAP_OPEN) {
                    TRY(push(braces, PyLong_FromSsize_t(depth)));
                    TRY(push(stack, sem ? new_frame(F_MAP, k, 5, 1, 0) : Py_NewRef(map_frame5)));
                    state = R_K0;
                    break;
                }
                if (sem) {
                    if (tk.len - 1 >= 10) /* cid_event may find something */
                        goto done;
                    TRY(push(braces, PyLong_FromSsize_t(depth)));
                    TRY(push(stack, new_frame(F_CON, k, 6, 1, decimal(tk, 1, tk.len))));
                }
                else {
                    TRY(push(braces, PyLong_FromSsize_t(depth)));
                    TRY(push(stack, Py_NewRef(con_frame)));
                }
                state = R_AV;
                break;
            }
            if (IS1(G_ARRAY_CLOSE) && state == R_VA) {
                TRY(pop(stack));
            }
            else if (c == '"' && tk.len > 1) {
                if (sem && has(tk, '\\'))
                    goto done;
            }
            else if (NUMCH(c) && !IS1('-')) {
                if (IS2('-', '0')) /* not canonical */
                    goto done;
                if (sem && (has(tk, '.') || has(tk, 'e') || tk.len > 18)) /* canonical? in range? */
                    goto done;
            }
            else if (!(IS1(0x2205) || IS1(0x22A4) || IS1(0x22A5) || c == 0x22A0 || (c == 0x27C1 && tk.len > 1)))
                goto done;
            state = R_AV;
            break;
        case R_K0:
            if (IS1(G_MAP_CLOSE)) {
                TRY(pop(stack));
                TRY(pop(braces));
                state = R_AV;
                break;
            }
            /* fall through */
        case R_K: {
            if (sem && (c == '"' || word(tk, "null") || word(tk, "true") || word(tk, "false")))
                goto done; /* a quoted key may be non-canonical; a reserved one must be quoted */
            TRY(r = add_key(PyList_GET_ITEM(stack, depth - 1), t, tk, sem, 1));
            if (!r)
                goto done;
            state = R_KC;
            break;
        }
        case R_KC:
            if (!IS2(':', ' '))
                goto done;
            state = R_V;
            break;
        default:
            goto done;
        }
    }
done:
    return Py_BuildValue("(ni)", k, state);
}

static PyObject *py_hlxl(PyObject *self, PyObject *arg) { return tokens(arg, HLXL); }
static PyObject *py_lct(PyObject *self, PyObject *arg) { return tokens(arg, LCT); }
static PyObject *py_lcr(PyObject *self, PyObject *arg) { return tokens(arg, LCR); }

static PyMethodDef methods[] = {
    {"hlxl", py_hlxl, METH_O, "HLXL's quick token strings (= plugins/hlxl.py _QUICK.findall)."},
    {"lct", py_lct, METH_O, "LC-T's quick token strings (= plugins/lc_t.py _QUICK.findall)."},
    {"lcr", py_lcr, METH_O, "LC-R's quick token strings (= plugins/lc_r.py _QUICK.findall)."},
    {"skim_hlxl", (PyCFunction)(void (*)(void))skim_hlxl, METH_FASTCALL, "HLXL scan's token loop while nothing can fail."},
    {"skim_lct", (PyCFunction)(void (*)(void))skim_lct, METH_FASTCALL, "LC-T scan's token loop while nothing can fail."},
    {"skim_lcr", (PyCFunction)(void (*)(void))skim_lcr, METH_FASTCALL, "LC-R scan's token loop while nothing can fail."},
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
    if ((arr_frame = Py_BuildValue("(i)", F_ARR)) == NULL ||
        (map_frame4 = Py_BuildValue("(iiOO)", F_MAP, -1, Py_None, Py_None)) == NULL ||
        (map_frame5 = Py_BuildValue("(iiOOO)", F_MAP, -1, Py_None, Py_None, Py_None)) == NULL ||
        (con_frame = Py_BuildValue("(iiOOii)", F_CON, -1, Py_None, Py_None, -1, 0)) == NULL)
        return NULL;
    return PyModule_Create(&module);
}
