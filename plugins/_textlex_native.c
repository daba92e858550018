/* Token strings of the text notations in C (and, below, the fast path of their error scans and the quick parsers'
 * value builder, `quick`): the same list as the quick patterns' findall.
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
static PyObject *ascii_tok[128]; /* one-character ASCII tokens (the same objects CPython caches) */
static PyObject *comma_tok, *colon_tok;

static PyObject *
token(PyObject *arg, int kind, const void *data, Py_ssize_t i, Py_ssize_t e)
{
    PyObject *shared = NULL;
    if (e - i == 1) {
        Py_UCS4 c = CH(i);
        if (c < 128)
            shared = ascii_tok[c];
        else if (c > 0xFF)
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

/* --------------------------------------------------------------------------- the quick parsers' value builder
 *
 * quick(toks, spelling) -> the value of a text's token strings, or `spelling[-1]` (the declined
 * marker) wherever the notation's Python quick parser (`_qvalue` under `run_quick`, in its folder)
 * gives up: a QuickFail, a ValueError (HelixError is one) from a scalar, or tokens running out or
 * left over. The caller then finds the error with the scan, as after the Python one. Same values,
 * types and dict order; the Python parser stays the reference (HELIXC_NO_NATIVE=1, and
 * tests/test_native_quick.py compares both). Any failure is a decline, so the order in which the
 * checks run does not matter; an exception other than a ValueError propagates.
 *
 * Nothing here knows a notation: the spelling tuple comes from the notation's folder:
 *   (array_open, array_close, item_sep, map_open, map_close, key_sep, consts, reserved_keys,
 *    bytes_prefix, bytes_suffix_len, handle_prefix, Handle, Contract, contract_form, contract_tokens,
 *    radix, canonical, unquote, quote, parse_int, declined)
 * contract_form 1: a map whose first token is a decimal id, `{id: {<f>i: v, ...}}`, with
 * contract_tokens (field_prefix, fields_open, fields_close); 2: a map whose first token is a
 * marker, `{<m>: id, i <sep> v, ...}`, with (marker, field_sep); 3: a token that opens it with its
 * id (prefix + digits), one token per field (prefix + digits + suffix), a closing token, with
 * (open_prefix, field_prefix, close, field_suffix_len); 0: none. radix: 0x/0o/0b ints go to
 * parse_int. canonical: a quoted string with an escape must be quote()'s spelling, a quoted key
 * one that could not be bare, a float repr()'s spelling, no -0, keys strictly ascending; else
 * repeated keys decline and out-of-order keys are sorted.
 */

typedef struct {
    Py_ssize_t len;
    Py_UCS4 ch[4];
} Lit;

typedef struct {
    PyObject *toks;
    Py_ssize_t i;
    Lit arr_open, arr_close, sep, map_open, map_close, key_sep, bytes_prefix, handle_prefix, c1, c2, c3;
    Py_ssize_t bytes_suffix, c4;
    PyObject *consts, *reserved, *handle_cls, *contract_cls, *unquote, *quote, *parse_int;
    int form, radix, canonical;
} Q;

static int
lit(PyObject *s, Lit *l)
{
    if (!PyUnicode_Check(s) || PyUnicode_GET_LENGTH(s) > 4) {
        PyErr_SetString(PyExc_TypeError, "quick: spelling tokens are str of at most 4 characters");
        return -1;
    }
    l->len = PyUnicode_GET_LENGTH(s);
    for (Py_ssize_t i = 0; i < l->len; i++)
        l->ch[i] = PyUnicode_READ_CHAR(s, i);
    return 0;
}

static int
starts(Tok tk, const Lit *l)
{
    if (tk.len < l->len)
        return 0;
    for (Py_ssize_t i = 0; i < l->len; i++)
        if (T(i) != l->ch[i])
            return 0;
    return 1;
}

#define IS(tk, l) ((tk).len == (l).len && starts((tk), &(l)))

/* the next token (NULL: none left, a decline) */
static PyObject *
qnext(Q *q, Tok *tk)
{
    if (q->i >= PyList_GET_SIZE(q->toks))
        return NULL;
    PyObject *t = PyList_GET_ITEM(q->toks, q->i);
    q->i++;
    if (!PyUnicode_Check(t) || PyUnicode_GET_LENGTH(t) == 0)
        return NULL;
    tk->kind = PyUnicode_KIND(t);
    tk->data = PyUnicode_DATA(t);
    tk->len = PyUnicode_GET_LENGTH(t);
    return t;
}

/* a ValueError (HelixError is one) is a decline: cleared, NULL; anything else stays set */
static PyObject *
declined_if_value_error(void)
{
    if (PyErr_ExceptionMatches(PyExc_ValueError))
        PyErr_Clear();
    return NULL;
}

static PyObject *
call1(PyObject *f, PyObject *arg) /* steals arg */
{
    if (arg == NULL)
        return NULL;
    PyObject *r = PyObject_CallOneArg(f, arg);
    Py_DECREF(arg);
    return r != NULL ? r : declined_if_value_error();
}

/* t[a:b] as a decimal number of at most `max` (leading zeros allowed, as int() does): 1, else 0 */
static int
udec(Tok tk, Py_ssize_t a, Py_ssize_t b, long long max, long long *out)
{
    if (b <= a)
        return 0;
    long long v = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = T(i);
        if (!DIGIT(c))
            return 0;
        v = v * 10 + (long long)(c - '0');
        if (v > max)
            return 0;
    }
    *out = v;
    return 1;
}

/* int(t) in signed 64-bit range; NULL: a decline (or an error) */
static PyObject *
qint(PyObject *t, Tok tk)
{
    Py_ssize_t a = T(0) == '-';
    if (tk.len - a <= 18 && tk.len > a) {
        long long v = 0;
        Py_ssize_t i = a;
        for (; i < tk.len && DIGIT(T(i)); i++)
            v = v * 10 + (long long)(T(i) - '0');
        if (i == tk.len)
            return PyLong_FromLongLong(a ? -v : v);
    }
    if (tk.len > 40) /* int() of it is outside the range, or refuses it */
        return NULL;
    PyObject *v = PyLong_FromUnicodeObject(t, 10);
    if (v == NULL)
        return declined_if_value_error();
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || (x == -1 && PyErr_Occurred())) {
        Py_DECREF(v);
        return NULL;
    }
    return v;
}

/* an int token (a number token that is no float and not "-") in 0..max: 1, 0 a decline, -1 error */
static int
qindex(PyObject *t, Tok tk, long long max, long long *out)
{
    if (!NUMCH(T(0)) || (tk.len == 1 && T(0) == '-') || FLOATCH(tk))
        return 0;
    PyObject *v = qint(t, tk);
    if (v == NULL)
        return PyErr_Occurred() ? -1 : 0;
    long long x = PyLong_AsLongLong(v);
    Py_DECREF(v);
    if (x < 0 || x > max)
        return 0;
    *out = x;
    return 1;
}

static PyObject *
qtext(Q *q, PyObject *t, Tok tk)
{
    if (tk.len < 2)
        return NULL;
    Py_ssize_t bs = PyUnicode_FindChar(t, '\\', 0, tk.len, 1); /* memchr speed on long strings */
    if (bs == -2)
        return NULL;
    if (bs == -1)
        return PyUnicode_Substring(t, 1, tk.len - 1);
    PyObject *s = call1(q->unquote, Py_NewRef(t));
    if (s == NULL || !q->canonical)
        return s;
    PyObject *again = call1(q->quote, Py_NewRef(s));
    int same = again != NULL && PyUnicode_Check(again) && PyUnicode_Compare(again, t) == 0;
    Py_XDECREF(again);
    if (!same || PyErr_Occurred()) {
        Py_DECREF(s);
        return NULL;
    }
    return s;
}

static PyObject *
qnumber(Q *q, PyObject *t, Tok tk)
{
    Py_UCS4 c = T(0);
    if (q->radix && tk.len > 2 && (RADIX(T(1)) || (c == '-' && T(1) == '0' && RADIX(T(2)))))
        return call1(q->parse_int, Py_NewRef(t));
    if (FLOATCH(tk)) {
        PyObject *f = PyFloat_FromString(t);
        if (f == NULL)
            return declined_if_value_error();
        double v = PyFloat_AS_DOUBLE(f);
        Py_DECREF(f);
        if (!(v - v == 0.0)) /* NaN, inf */
            return NULL;
        PyObject *r = PyFloat_FromDouble(v + 0.0);
        if (r == NULL || !q->canonical)
            return r;
        PyObject *rep = PyObject_Repr(r);
        int same = rep != NULL && PyUnicode_Compare(rep, t) == 0;
        Py_XDECREF(rep);
        if (!same || PyErr_Occurred()) {
            Py_DECREF(r);
            return NULL;
        }
        return r;
    }
    if (tk.len == 1 && c == '-')
        return NULL;
    if (q->canonical && tk.len == 2 && c == '-' && T(1) == '0')
        return NULL;
    return qint(t, tk);
}

static PyObject *qvalue(Q *q, PyObject *t, Tok tk, int depth);

/* the next token must be `l` */
static int
expect(Q *q, const Lit *l)
{
    Tok tk;
    return qnext(q, &tk) != NULL && IS(tk, *l);
}

/* the next token's value into fields[index] */
static int
set_field(Q *q, PyObject *fields, long long index, int depth)
{
    Tok tk;
    PyObject *t = qnext(q, &tk);
    PyObject *v = t != NULL ? qvalue(q, t, tk, depth) : NULL;
    if (v == NULL)
        return -1;
    PyObject *key = PyLong_FromLongLong(index);
    int r = key == NULL ? -1 : PyDict_SetItem(fields, key, v);
    Py_XDECREF(key);
    Py_DECREF(v);
    return r;
}

static PyObject *
make_contract(Q *q, long long cid, PyObject *fields) /* steals fields */
{
    PyObject *id = PyLong_FromLongLong(cid);
    PyObject *r = id == NULL ? NULL : PyObject_CallFunctionObjArgs(q->contract_cls, id, fields, NULL);
    Py_XDECREF(id);
    Py_DECREF(fields);
    return r != NULL || PyErr_Occurred() == NULL ? r : declined_if_value_error();
}

/* form 1: t is the id, depth that of the fields' values */
static PyObject *
contract_id_keyed(Q *q, Tok tk, int depth)
{
    long long cid, last = -1, i;
    if ((T(0) == '0' && tk.len != 1) || !udec(tk, 0, tk.len, CONTRACT_ID_MAX, &cid) || !expect(q, &q->key_sep) ||
        !expect(q, &q->c2))
        return NULL;
    PyObject *fields = PyDict_New();
    if (fields == NULL)
        return NULL;
    Tok ft;
    if (qnext(q, &ft) == NULL)
        goto fail;
    if (!IS(ft, q->c3))
        for (;;) {
            if (!starts(ft, &q->c1) || ft.len < q->c1.len + 1 || !expect(q, &q->key_sep) ||
                !udec(ft, q->c1.len, ft.len, FIELD_INDEX_MAX, &i) || i <= last)
                goto fail;
            if (set_field(q, fields, i, depth) < 0)
                goto fail;
            last = i;
            if (qnext(q, &ft) == NULL)
                goto fail;
            if (IS(ft, q->sep)) {
                if (qnext(q, &ft) == NULL)
                    goto fail;
            }
            else if (IS(ft, q->c3))
                break;
            else
                goto fail;
        }
    if (!expect(q, &q->map_close))
        goto fail;
    return make_contract(q, cid, fields);
fail:
    Py_DECREF(fields);
    return NULL;
}

/* form 2: after the marker */
static PyObject *
contract_marked(Q *q, int depth)
{
    long long cid, last = -1, i;
    Tok tk;
    PyObject *t;
    int r;
    if (!expect(q, &q->key_sep) || (t = qnext(q, &tk)) == NULL || (r = qindex(t, tk, CONTRACT_ID_MAX, &cid)) <= 0)
        return NULL;
    PyObject *fields = PyDict_New();
    if (fields == NULL)
        return NULL;
    for (;;) {
        if (qnext(q, &tk) == NULL)
            goto fail;
        if (IS(tk, q->map_close))
            return make_contract(q, cid, fields);
        if (!IS(tk, q->sep) || (t = qnext(q, &tk)) == NULL || (r = qindex(t, tk, FIELD_INDEX_MAX, &i)) <= 0 || i <= last ||
            !expect(q, &q->c2))
            goto fail;
        if (set_field(q, fields, i, depth) < 0)
            goto fail;
        last = i;
    }
fail:
    Py_DECREF(fields);
    return NULL;
}

/* form 3: t opens it (prefix + id) */
static PyObject *
contract_tokens(Q *q, Tok tk, int depth)
{
    long long cid, last = -1, i;
    if (depth >= 64 || !udec(tk, q->c1.len, tk.len, CONTRACT_ID_MAX, &cid))
        return NULL;
    PyObject *fields = PyDict_New();
    if (fields == NULL)
        return NULL;
    for (;;) {
        Tok ft;
        if (qnext(q, &ft) == NULL)
            goto fail;
        if (IS(ft, q->c3))
            return make_contract(q, cid, fields);
        if (!starts(ft, &q->c2) || ft.len < q->c2.len + q->c4 + 1 ||
            !udec(ft, q->c2.len, ft.len - q->c4, FIELD_INDEX_MAX, &i) || i <= last)
            goto fail;
        if (set_field(q, fields, i, depth + 1) < 0)
            goto fail;
        last = i;
    }
fail:
    Py_DECREF(fields);
    return NULL;
}

static PyObject *
qarray(Q *q, int depth)
{
    if (depth >= 64)
        return NULL;
    Tok tk;
    PyObject *t = qnext(q, &tk);
    if (t == NULL)
        return NULL;
    if (IS(tk, q->arr_close))
        return PyList_New(0);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (;;) {
        PyObject *v = qvalue(q, t, tk, depth + 1);
        if (v == NULL || PyList_Append(out, v) < 0) {
            Py_XDECREF(v);
            break;
        }
        Py_DECREF(v);
        if ((t = qnext(q, &tk)) == NULL)
            break;
        if (IS(tk, q->sep)) {
            if ((t = qnext(q, &tk)) == NULL)
                break;
        }
        else if (IS(tk, q->arr_close))
            return out;
        else
            break;
    }
    Py_DECREF(out);
    return NULL;
}

/* a key spelt bare would read the same (canonical form quotes only what must be quoted) */
static int
bare_key(PyObject *key)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(key);
    if (n == 0)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(key, i);
        if (!(i ? ALNUM(c) : ALPHA(c)))
            return 0;
    }
    return 1;
}

static PyObject *
qmap(Q *q, int depth)
{
    if (depth >= 64)
        return NULL;
    Tok tk;
    PyObject *t = qnext(q, &tk);
    if (t == NULL)
        return NULL;
    if (IS(tk, q->map_close))
        return PyDict_New();
    if (q->form == 1 && NUMCH(T(0)))
        return contract_id_keyed(q, tk, depth + 1);
    if (q->form == 2 && IS(tk, q->c1))
        return contract_marked(q, depth + 1);
    PyObject *out = PyDict_New(), *key = NULL, *last = NULL;
    int ordered = 1, r;
    if (out == NULL)
        return NULL;
    for (;;) {
        Py_UCS4 c = T(0);
        if (c == '"') {
            if ((key = qtext(q, t, tk)) == NULL)
                break;
            if (q->canonical && bare_key(key)) {
                if ((r = PySet_Contains(q->reserved, key)) <= 0) /* a bare key quoted; -1: an error */
                    break;
            }
        }
        else if (ALPHA(c) && !starts(tk, &q->bytes_prefix)) {
            for (Py_ssize_t i = 1; i < tk.len; i++)
                if (!ALNUM(T(i)))
                    goto done;
            if ((r = PySet_Contains(q->reserved, t)) != 0) /* reserved, or an error */
                break;
            key = Py_NewRef(t);
        }
        else
            break;
        Tok st;
        if (qnext(q, &st) == NULL || !IS(st, q->key_sep))
            break;
        if (last != NULL) {
            int cmp = PyUnicode_Compare(key, last);
            if (cmp == -1 && PyErr_Occurred())
                break;
            if (q->canonical) {
                if (cmp <= 0)
                    break;
            }
            else if (cmp <= 0 || !ordered) { /* once out of order, any key may repeat */
                if ((r = PyDict_Contains(out, key)) != 0)
                    break;
                ordered = 0;
            }
        }
        Tok vt;
        PyObject *vtok = qnext(q, &vt);
        PyObject *v = vtok != NULL ? qvalue(q, vtok, vt, depth + 1) : NULL;
        if (v == NULL)
            break;
        r = PyDict_SetItem(out, key, v);
        Py_DECREF(v);
        if (r < 0)
            break;
        Py_XSETREF(last, key);
        key = NULL;
        if ((t = qnext(q, &tk)) == NULL)
            break;
        if (IS(tk, q->sep)) {
            if ((t = qnext(q, &tk)) == NULL)
                break;
        }
        else if (IS(tk, q->map_close)) {
            Py_DECREF(last);
            if (ordered)
                return out;
            PyObject *keys = PyDict_Keys(out), *sorted = NULL;
            if (keys != NULL && PyList_Sort(keys) == 0 && (sorted = PyDict_New()) != NULL)
                for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys); i++) {
                    PyObject *k = PyList_GET_ITEM(keys, i);
                    if (PyDict_SetItem(sorted, k, PyDict_GetItem(out, k)) < 0) {
                        Py_CLEAR(sorted);
                        break;
                    }
                }
            Py_XDECREF(keys);
            Py_DECREF(out);
            return sorted;
        }
        else
            break;
    }
done:
    Py_XDECREF(key);
    Py_XDECREF(last);
    Py_DECREF(out);
    return NULL;
}

static PyObject *
qbytes(Q *q, PyObject *t, Tok tk)
{
    Py_ssize_t a = q->bytes_prefix.len, b = tk.len - q->bytes_suffix;
    if (b < a)
        b = a;
    if ((b - a) % 2)
        return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (b - a) / 2);
    if (out == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = a; i < b; i += 2) {
        int v = 0;
        for (int j = 0; j < 2; j++) {
            Py_UCS4 h = T(i + j);
            int d = DIGIT(h) ? (int)(h - '0') : (h >= 'a' && h <= 'f') ? (int)(h - 'a' + 10) : (h >= 'A' && h <= 'F') ? (int)(h - 'A' + 10) : -1;
            if (d < 0) {
                Py_DECREF(out);
                return NULL;
            }
            v = v * 16 + d;
        }
        *p++ = (char)v;
    }
    return out;
}

static PyObject *
qvalue(Q *q, PyObject *t, Tok tk, int depth)
{
    Py_UCS4 c = T(0);
    if (c == '"')
        return qtext(q, t, tk);
    if (NUMCH(c))
        return qnumber(q, t, tk);
    if (IS(tk, q->arr_open))
        return qarray(q, depth);
    if (IS(tk, q->map_open))
        return qmap(q, depth);
    if (q->form == 3 && starts(tk, &q->c1) && tk.len > q->c1.len)
        return contract_tokens(q, tk, depth);
    PyObject *v = PyDict_GetItemWithError(q->consts, t);
    if (v != NULL)
        return Py_NewRef(v);
    if (PyErr_Occurred())
        return NULL;
    if (starts(tk, &q->bytes_prefix))
        return qbytes(q, t, tk);
    if (starts(tk, &q->handle_prefix) && tk.len > q->handle_prefix.len)
        return call1(q->handle_cls, PyUnicode_Substring(t, q->handle_prefix.len, tk.len));
    return NULL;
}

static PyObject *
quick(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *sp;
    if (nargs != 2 || !PyList_Check(args[0]) || !PyTuple_Check(args[1]) || PyTuple_GET_SIZE(sp = args[1]) != 21) {
        PyErr_SetString(PyExc_TypeError, "quick(toks: list, spelling: 21-tuple)");
        return NULL;
    }
    Q q = {.toks = args[0], .i = 0};
    PyObject *ct = PyTuple_GET_ITEM(sp, 14);
    Lit *lits[] = {&q.arr_open, &q.arr_close, &q.sep, &q.map_open, &q.map_close, &q.key_sep};
    for (int j = 0; j < 6; j++)
        if (lit(PyTuple_GET_ITEM(sp, j), lits[j]) < 0)
            return NULL;
    q.consts = PyTuple_GET_ITEM(sp, 6);
    q.reserved = PyTuple_GET_ITEM(sp, 7);
    if (!PyDict_Check(q.consts) || !PyAnySet_Check(q.reserved) || lit(PyTuple_GET_ITEM(sp, 8), &q.bytes_prefix) < 0 ||
        lit(PyTuple_GET_ITEM(sp, 10), &q.handle_prefix) < 0 || !PyTuple_Check(ct)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "quick: consts dict, reserved keys set, contract tokens tuple");
        return NULL;
    }
    q.bytes_suffix = PyLong_AsSsize_t(PyTuple_GET_ITEM(sp, 9));
    q.handle_cls = PyTuple_GET_ITEM(sp, 11);
    q.contract_cls = PyTuple_GET_ITEM(sp, 12);
    q.form = (int)PyLong_AsLong(PyTuple_GET_ITEM(sp, 13));
    q.radix = PyObject_IsTrue(PyTuple_GET_ITEM(sp, 15));
    q.canonical = PyObject_IsTrue(PyTuple_GET_ITEM(sp, 16));
    q.unquote = PyTuple_GET_ITEM(sp, 17);
    q.quote = PyTuple_GET_ITEM(sp, 18);
    q.parse_int = PyTuple_GET_ITEM(sp, 19);
    if (PyErr_Occurred())
        return NULL;
    Py_ssize_t need = q.form == 1 || q.form == 3 ? 3 : q.form == 2 ? 2 : 0;
    if (q.form == 3)
        need = 4;
    if (PyTuple_GET_SIZE(ct) != need) {
        PyErr_SetString(PyExc_TypeError, "quick: contract tokens do not fit the contract form");
        return NULL;
    }
    Lit *cl[] = {&q.c1, &q.c2, &q.c3};
    for (Py_ssize_t j = 0; j < need && j < 3; j++)
        if (lit(PyTuple_GET_ITEM(ct, j), cl[j]) < 0)
            return NULL;
    if (q.form == 3 && ((q.c4 = PyLong_AsSsize_t(PyTuple_GET_ITEM(ct, 3))) < 0 || PyErr_Occurred())) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "quick: a negative suffix length");
        return NULL;
    }
    if (q.bytes_suffix < 0) {
        PyErr_SetString(PyExc_ValueError, "quick: a negative suffix length");
        return NULL;
    }
    Tok tk;
    /* no cyclic GC while building: the new containers hold no cycle, and collections in the middle of
     * a large value (each full one over the whole heap) cost about as much as the building itself */
    int gc_was_on = PyGC_Disable();
    PyObject *t = qnext(&q, &tk);
    PyObject *v = t != NULL ? qvalue(&q, t, tk, 0) : NULL;
    if (gc_was_on)
        PyGC_Enable();
    if (v != NULL && q.i < PyList_GET_SIZE(q.toks)) /* anything left over */
        Py_CLEAR(v);
    if (v == NULL && !PyErr_Occurred())
        return Py_NewRef(PyTuple_GET_ITEM(sp, 20));
    return v;
}

/* balance(toks, open, close) -> toks.count(open) - toks.count(close), for one-character open and close
 * (helixc.textscan.cannot_balance) */
static PyObject *
balance(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[0]) || !PyUnicode_Check(args[1]) || !PyUnicode_Check(args[2]) ||
        PyUnicode_GET_LENGTH(args[1]) != 1 || PyUnicode_GET_LENGTH(args[2]) != 1) {
        PyErr_SetString(PyExc_TypeError, "balance(toks: list, open: one character, close: one character)");
        return NULL;
    }
    Py_UCS4 o = PyUnicode_READ_CHAR(args[1], 0), c = PyUnicode_READ_CHAR(args[2], 0);
    Py_ssize_t d = 0, n = PyList_GET_SIZE(args[0]);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(args[0], i);
        if (!PyUnicode_Check(t) || PyUnicode_GET_LENGTH(t) != 1)
            continue;
        Py_UCS4 ch = PyUnicode_READ_CHAR(t, 0);
        d += (ch == o) - (ch == c);
    }
    return PyLong_FromSsize_t(d);
}

/* span(toks, a, b) -> sum(map(len, toks[a:b])): where token k starts (helixc.textscan.TokenText) */
static PyObject *
span(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "span(toks: list, a, b)");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(args[0]), a = PyLong_AsSsize_t(args[1]), b = PyLong_AsSsize_t(args[2]);
    if (PyErr_Occurred())
        return NULL;
    a = a < 0 ? 0 : a;
    b = b > n ? n : b;
    Py_ssize_t total = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        PyObject *t = PyList_GET_ITEM(args[0], i);
        if (!PyUnicode_Check(t)) {
            PyErr_SetString(PyExc_TypeError, "span: a token is not a str");
            return NULL;
        }
        total += PyUnicode_GET_LENGTH(t);
    }
    return PyLong_FromSsize_t(total);
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
    {"balance", (PyCFunction)(void (*)(void))balance, METH_FASTCALL, "toks.count(open) - toks.count(close)."},
    {"span", (PyCFunction)(void (*)(void))span, METH_FASTCALL, "sum(map(len, toks[a:b]))."},
    {"quick", (PyCFunction)(void (*)(void))quick, METH_FASTCALL, "A quick parser's value of token strings, or the declined marker."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textlex_native", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__textlex_native(void)
{
    for (int g = 0; g < NGLYPHS; g++)
        if ((glyph_tok[g] = PyUnicode_FromOrdinal((int)GLYPHS[g])) == NULL)
            return NULL;
    for (int c = 0; c < 128; c++)
        if ((ascii_tok[c] = PyUnicode_FromOrdinal(c)) == NULL)
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
