/* Text notations in C, from tables: token strings (`lexer`), the fast path of the error scans
 * (`skimmer`) and the quick parsers' value builder (`quick`). Nothing here knows a notation: each
 * notation's folder passes its tables (plugins/<name>/__init__.py: `_LEX` for the tokenizer,
 * `_SPELLING` for the skim and the value builder), through helixc.textscan.
 *
 * lexer(lex) -> tokens(text): exactly the notation's quick pattern's findall (`_QUICK` in its
 * folder; the pattern stays the reference: tests/test_hostile.py compares both on generated texts,
 * and HELIXC_NO_NATIVE=1 or a missing build uses the pattern). The regex costs ~75-110 ns per token;
 * this loop a few ns plus the token object (one-character ASCII tokens are CPython's cached strings,
 * the table's other one-character tokens and its literals shared objects). The token kinds, in the
 * order tried (the order of the pattern's alternatives):
 *   whitespace skipped before each token (`whitespace`; trailing whitespace: its last character is
 *   a token, as the pattern's last match is), literal tokens (`literals`, longer ones first), a
 *   number (-?(0|[1-9][0-9]*), then .digits with an optional exponent or an exponent, started by a
 *   letter of `exponent`, its sign required where `exponent_sign`; `radix`: -?0[xX]hex|[oO]oct|[bB]bin
 *   before the plain int), a string ("..." with \\ \" \n \r \t and \u + 4 hex digits (lower case
 *   only where `lower_escapes`); characters: printable ASCII where `ascii_strings`, else anything
 *   but C0 controls and DEL), the prefixed tokens (`prefixed`: prefix, body, suffix; body "hex" or
 *   "lower hex" pairs (zero or more), "word" ([A-Za-z0-9_]+), "decimal" (0|[1-9][0-9]*); a missing
 *   suffix fails the rule), an identifier [A-Za-z_][A-Za-z0-9_]*, a run of characters none of
 *   which starts a token (stopped by letters, digits, '_', '-', '"' and `run_stops`), else one
 *   character. The possessive loops of a pattern are plain loops here (no backtracking into them).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define CH(i) PyUnicode_READ(kind, data, (i))
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
#define ALPHA(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || (c) == '_')
#define ALNUM(c) (ALPHA(c) || DIGIT(c))
#define HEXU(c) (DIGIT(c) || ((c) >= 'A' && (c) <= 'F') || ((c) >= 'a' && (c) <= 'f'))
#define HEXL(c) (DIGIT(c) || ((c) >= 'a' && (c) <= 'f'))

/* a short token spelling from a table */
#define LIT_MAX 16
typedef struct {
    Py_ssize_t len;
    Py_UCS4 ch[LIT_MAX];
} Lit;

static int
lit(PyObject *s, Lit *l)
{
    if (!PyUnicode_Check(s) || PyUnicode_GET_LENGTH(s) > LIT_MAX) {
        PyErr_SetString(PyExc_TypeError, "table spellings are str of at most 16 characters");
        return -1;
    }
    l->len = PyUnicode_GET_LENGTH(s);
    for (Py_ssize_t i = 0; i < l->len; i++)
        l->ch[i] = PyUnicode_READ_CHAR(s, i);
    return 0;
}

/* the text has `l` at i */
static int
at(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, const Lit *l)
{
    if (n - i < l->len)
        return 0;
    for (Py_ssize_t j = 0; j < l->len; j++)
        if (CH(i + j) != l->ch[j])
            return 0;
    return 1;
}

/* --------------------------------------------------------------------------- the tokenizer's table */

#define MAX_RULES 8
#define MAX_WIDE 32
#define WIDE_SLOTS 128 /* a power of two, > 2 * MAX_WIDE */
enum { BODY_HEX, BODY_LOWER_HEX, BODY_WORD, BODY_DECIMAL };

/* what the table says about a non-ASCII character: a run stop, the first character of literals,
 * of prefixed rules (a bit per rule), its shared one-character token */
typedef struct {
    Py_UCS4 c;
    unsigned char stop, multi;
    unsigned rules;
    PyObject *tok;
} Wide;

typedef struct {
    Lit prefix, suffix;
    int body;
} Rule;

typedef struct {
    /* ASCII: skipped, one-character literals, run stops, exponent letters, first characters of literals, of rules */
    unsigned char ws[128], one[128], stop[128], exp[128], multi_first[128], alone[128]; /* alone: one[] where no longer literal starts so */
    unsigned rule_first[128];
    Wide wide[MAX_WIDE]; /* the non-ASCII characters the table names, found through `slot` (index + 1, 0: none) */
    int n_wide;
    unsigned char slot[WIDE_SLOTS];
    Lit multi[MAX_RULES]; /* literals of other lengths, longest first (shared objects) */
    PyObject *multi_tok[MAX_RULES];
    int n_multi;
    Rule rules[MAX_RULES];
    int n_rules;
    int skip_ws, exp_sign, radix, lower_escapes, ascii_strings;
} Lex;

#define LEX_CAPSULE "helixc_plugins._textlex_native.lexer"
#define SKIM_CAPSULE "helixc_plugins._textlex_native.skimmer"

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

/* exponent from i (at one of the table's exponent letters), then a sign (optional, or required), digits: the end or -1 */
static Py_ssize_t
exponent(const Lex *lx, int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    if (i >= n)
        return -1;
    Py_UCS4 c = CH(i);
    if (!(c < 128 && lx->exp[c]))
        return -1;
    i++;
    if (i < n && (CH(i) == '+' || CH(i) == '-'))
        i++;
    else if (lx->exp_sign)
        return -1;
    return digits(kind, data, n, i);
}

/* the number token at i (float, radix int where the table has them, int: the pattern's order), the end or -1 */
static Py_ssize_t
number(const Lex *lx, int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t e = int_part(kind, data, n, i);
    if (e < 0)
        return -1;
    /* float: int part, then .digits (exponent optional) or an exponent */
    if (e < n && CH(e) == '.') {
        Py_ssize_t f = digits(kind, data, n, e + 1);
        if (f >= 0) {
            Py_ssize_t x = exponent(lx, kind, data, n, f);
            return x >= 0 ? x : f;
        }
    }
    else {
        Py_ssize_t x = exponent(lx, kind, data, n, e);
        if (x >= 0)
            return x;
    }
    if (lx->radix) { /* -?0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+) */
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
string(const Lex *lx, int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
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
                    if (!(lx->lower_escapes ? HEXL(h) : HEXU(h)))
                        ok = 0;
                }
                if (ok) {
                    i += 6;
                    continue;
                }
            }
            return -1; /* the escape loop stops at a backslash: no closing quote there */
        }
        if (lx->ascii_strings ? (c < 0x20 || c > 0x7e) : (c < 0x20 || c == 0x7f))
            return -1;
        i++;
    }
}

/* a prefixed token's body and suffix from i (just after the prefix): the end, or -1 */
static Py_ssize_t
rule_end(const Rule *r, int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t j = i;
    switch (r->body) {
    case BODY_HEX:
        while (j + 1 < n && HEXU(CH(j)) && HEXU(CH(j + 1)))
            j += 2;
        break;
    case BODY_LOWER_HEX:
        while (j + 1 < n && HEXL(CH(j)) && HEXL(CH(j + 1)))
            j += 2;
        break;
    case BODY_WORD:
        while (j < n && ALNUM(CH(j)))
            j++;
        if (j == i)
            return -1;
        break;
    default: /* BODY_DECIMAL */
        if (j >= n || !DIGIT(CH(j)))
            return -1;
        j++;
        if (CH(i) != '0')
            while (j < n && DIGIT(CH(j)))
                j++;
        break;
    }
    if (r->suffix.len) {
        if (!at(kind, data, n, j, &r->suffix))
            return -1;
        j += r->suffix.len;
    }
    return j;
}

#define WIDE_HASH(c) ((((Py_UCS4)(c) * 2654435761u) >> 20) & (WIDE_SLOTS - 1))

/* the table's entry for a non-ASCII character, or NULL */
static inline const Wide *
wide_of(const Lex *lx, Py_UCS4 c)
{
    for (unsigned h = WIDE_HASH(c);; h = (h + 1) & (WIDE_SLOTS - 1)) {
        int s = lx->slot[h];
        if (s == 0)
            return NULL;
        if (lx->wide[s - 1].c == c)
            return &lx->wide[s - 1];
    }
}

/* is c a character the "run" alternative excludes (one that some token starts with)? */
static inline int
run_stop(const Lex *lx, Py_UCS4 c)
{
    if (c < 128)
        return lx->stop[c];
    const Wide *w = wide_of(lx, c);
    return w != NULL && w->stop;
}

/* the end of the token at i (i < n; whitespace already skipped where the table skips it) */
static Py_ssize_t
token_end(const Lex *lx, int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    Py_UCS4 c = CH(i);
    Py_ssize_t e;
    if (c < 128 && lx->alone[c]) /* the commonest token: punctuation */
        return i + 1;
    const Wide *w = c < 128 ? NULL : wide_of(lx, c);
    if (c < 128 ? lx->multi_first[c] : w != NULL && w->multi)
        for (int r = 0; r < lx->n_multi; r++)
            if (at(kind, data, n, i, &lx->multi[r]))
                return i + lx->multi[r].len;
    if (c < 128 && lx->one[c])
        return i + 1;
    if (c == '-' || DIGIT(c)) {
        e = number(lx, kind, data, n, i);
        if (e >= 0)
            return e;
    }
    if (c == '"') {
        e = string(lx, kind, data, n, i);
        if (e >= 0)
            return e;
    }
    unsigned rules = c < 128 ? lx->rule_first[c] : w != NULL ? w->rules : 0;
    for (int r = 0; rules; r++, rules >>= 1)
        if ((rules & 1) && at(kind, data, n, i, &lx->rules[r].prefix)) {
            e = rule_end(&lx->rules[r], kind, data, n, i + lx->rules[r].prefix.len);
            if (e >= 0)
                return e;
        }
    if (ALPHA(c)) {
        Py_ssize_t j = i + 1;
        while (j < n && ALNUM(CH(j)))
            j++;
        return j;
    }
    if (c < 128 ? !lx->stop[c] : w == NULL || !w->stop) {
        Py_ssize_t j = i + 1;
        while (j < n && !run_stop(lx, CH(j)))
            j++;
        return j;
    }
    return i + 1; /* . */
}

static PyObject *ascii_tok[128]; /* one-character ASCII tokens (the same objects CPython caches) */

static PyObject *
token(const Lex *lx, PyObject *arg, int kind, const void *data, Py_ssize_t i, Py_ssize_t e)
{
    PyObject *shared = NULL;
    if (e - i == 1) {
        Py_UCS4 c = CH(i);
        if (c < 128)
            shared = ascii_tok[c];
        else if (c > 0xFF) { /* CPython caches only Latin-1 characters */
            const Wide *w = wide_of(lx, c);
            shared = w != NULL ? w->tok : NULL;
        }
    }
    else if (lx->n_multi && (CH(i) < 128 ? lx->multi_first[CH(i)] : 1))
        for (int r = 0; r < lx->n_multi; r++)
            if (lx->multi[r].len == e - i && at(kind, data, e, i, &lx->multi[r]))
                shared = lx->multi_tok[r];
    if (shared != NULL) {
        Py_INCREF(shared);
        return shared;
    }
    return PyUnicode_Substring(arg, i, e);
}

/* tokens(text): the bound function `lexer` returns (its self is the table's capsule) */
static PyObject *
tokens(PyObject *self, PyObject *arg)
{
    const Lex *lx = PyCapsule_GetPointer(self, LEX_CAPSULE);
    if (lx == NULL)
        return NULL;
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
        if (lx->skip_ws) {
            Py_ssize_t j = i;
            while (j < n && CH(j) < 128 && lx->ws[CH(j)])
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
        Py_ssize_t e = token_end(lx, kind, data, n, i);
        PyObject *tok = token(lx, arg, kind, data, i, e);
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

static void
lex_free(PyObject *capsule)
{
    Lex *lx = PyCapsule_GetPointer(capsule, LEX_CAPSULE);
    if (lx == NULL)
        return;
    for (int g = 0; g < lx->n_wide; g++)
        Py_XDECREF(lx->wide[g].tok);
    for (int r = 0; r < lx->n_multi; r++)
        Py_XDECREF(lx->multi_tok[r]);
    PyMem_Free(lx);
}

/* the item `key` of a table dict (a TypeError naming it where it is missing) */
static PyObject *
entry(PyObject *d, const char *key)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (v == NULL)
        PyErr_Format(PyExc_TypeError, "lexer: the table has no %s", key);
    return v;
}

static int
flag(PyObject *d, const char *key, int *out)
{
    PyObject *v = entry(d, key);
    return v == NULL || (*out = PyObject_IsTrue(v)) < 0 ? -1 : 0;
}

/* the entry of a non-ASCII character, added where new (NULL: an error set) */
static Wide *
wide_add(Lex *lx, Py_UCS4 c)
{
    unsigned h = WIDE_HASH(c);
    for (; lx->slot[h]; h = (h + 1) & (WIDE_SLOTS - 1))
        if (lx->wide[lx->slot[h] - 1].c == c)
            return &lx->wide[lx->slot[h] - 1];
    if (lx->n_wide == MAX_WIDE) {
        PyErr_SetString(PyExc_ValueError, "lexer: too many non-ASCII characters");
        return NULL;
    }
    Wide *w = &lx->wide[lx->n_wide];
    w->c = c;
    if ((w->tok = PyUnicode_FromOrdinal((int)c)) == NULL)
        return NULL;
    lx->slot[h] = (unsigned char)++lx->n_wide;
    return w;
}

/* the characters of a str into an ASCII table (non-ASCII ones: run stops where `wide`, else an error) */
static int
chars(PyObject *d, const char *key, unsigned char *ascii, Lex *wide)
{
    PyObject *s = entry(d, key);
    if (s == NULL)
        return -1;
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "lexer: %s is a str", key);
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(s); i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(s, i);
        Wide *w;
        if (c < 128)
            ascii[c] = 1;
        else if (wide != NULL) {
            if ((w = wide_add(wide, c)) == NULL)
                return -1;
            w->stop = 1;
        }
        else {
            PyErr_Format(PyExc_ValueError, "lexer: %s: ASCII characters only", key);
            return -1;
        }
    }
    return 0;
}

static int
lex_table(PyObject *d, Lex *lx)
{
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "lexer(table: dict)");
        return -1;
    }
    PyObject *lits, *rules;
    int unstopped = 0;
    if (chars(d, "whitespace", lx->ws, NULL) < 0 || chars(d, "run_stops", lx->stop, lx) < 0 ||
        chars(d, "exponent", lx->exp, NULL) < 0 || flag(d, "exponent_sign", &lx->exp_sign) < 0 ||
        flag(d, "radix", &lx->radix) < 0 || flag(d, "lower_escapes", &lx->lower_escapes) < 0 ||
        flag(d, "ascii_strings", &lx->ascii_strings) < 0 || (lits = entry(d, "literals")) == NULL ||
        (rules = entry(d, "prefixed")) == NULL)
        return -1;
    for (int c = 0; c < 128; c++) {
        lx->skip_ws |= lx->ws[c];
        if (ALNUM(c) || c == '-' || c == '"') /* what numbers, strings and identifiers start with */
            lx->stop[c] = 1;
        unstopped |= lx->ws[c] && !lx->stop[c];
    }
    if (unstopped) { /* trailing whitespace is one token of one character: a whitespace character stops runs */
        PyErr_SetString(PyExc_ValueError, "lexer: whitespace characters must be run stops");
        return -1;
    }
    if (!PyTuple_Check(lits) || !PyTuple_Check(rules) || PyTuple_GET_SIZE(rules) > MAX_RULES) {
        PyErr_SetString(PyExc_TypeError, "lexer: literals and prefixed are tuples (at most 8 rules)");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(lits); i++) {
        Lit l;
        if (lit(PyTuple_GET_ITEM(lits, i), &l) < 0)
            return -1;
        if (l.len == 0) {
            PyErr_SetString(PyExc_ValueError, "lexer: an empty literal");
            return -1;
        }
        if (l.len == 1 && l.ch[0] < 128) {
            lx->one[l.ch[0]] = 1;
            continue;
        }
        if (lx->n_multi == MAX_RULES) {
            PyErr_SetString(PyExc_ValueError, "lexer: too many literals");
            return -1;
        }
        int at_ = lx->n_multi++; /* kept longest first (a stable insertion) */
        while (at_ > 0 && lx->multi[at_ - 1].len < l.len) {
            lx->multi[at_] = lx->multi[at_ - 1];
            lx->multi_tok[at_] = lx->multi_tok[at_ - 1];
            at_--;
        }
        lx->multi[at_] = l;
        if ((lx->multi_tok[at_] = PyUnicode_Substring(PyTuple_GET_ITEM(lits, i), 0, l.len)) == NULL)
            return -1;
        if (l.ch[0] < 128)
            lx->multi_first[l.ch[0]] = 1;
        else {
            Wide *w = wide_add(lx, l.ch[0]);
            if (w == NULL)
                return -1;
            w->multi = 1;
        }
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(rules); i++) {
        PyObject *r = PyTuple_GET_ITEM(rules, i);
        Rule *rr = &lx->rules[lx->n_rules];
        const char *body;
        if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 3 || lit(PyTuple_GET_ITEM(r, 0), &rr->prefix) < 0 ||
            lit(PyTuple_GET_ITEM(r, 2), &rr->suffix) < 0 || (body = PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 1))) == NULL) {
            if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Clear();
                PyErr_SetString(PyExc_TypeError, "lexer: a prefixed rule is (prefix, body, suffix)");
            }
            return -1;
        }
        if (rr->prefix.len == 0) {
            PyErr_SetString(PyExc_ValueError, "lexer: an empty prefix");
            return -1;
        }
        if (!strcmp(body, "hex"))
            rr->body = BODY_HEX;
        else if (!strcmp(body, "lower hex"))
            rr->body = BODY_LOWER_HEX;
        else if (!strcmp(body, "word"))
            rr->body = BODY_WORD;
        else if (!strcmp(body, "decimal"))
            rr->body = BODY_DECIMAL;
        else {
            PyErr_Format(PyExc_ValueError, "lexer: unknown body %s (hex, lower hex, word, decimal)", body);
            return -1;
        }
        Py_UCS4 f = rr->prefix.ch[0];
        if (f < 128 && lx->one[f]) {
            PyErr_SetString(PyExc_ValueError, "lexer: a prefix starts with a one-character literal");
            return -1;
        }
        if (f < 128)
            lx->rule_first[f] |= 1u << lx->n_rules;
        else {
            Wide *w = wide_add(lx, f);
            if (w == NULL)
                return -1;
            w->rules |= 1u << lx->n_rules;
        }
        lx->n_rules++;
    }
    for (int c = 0; c < 128; c++)
        lx->alone[c] = lx->one[c] && !lx->multi_first[c];
    return 0;
}

static PyMethodDef tokens_def = {"tokens", tokens, METH_O, "The token strings of a text (= the quick pattern's findall)."};

/* lexer(table) -> tokens(text) */
static PyObject *
lexer(PyObject *self, PyObject *arg)
{
    Lex *lx = PyMem_Calloc(1, sizeof(Lex));
    if (lx == NULL)
        return PyErr_NoMemory();
    PyObject *cap = PyCapsule_New(lx, LEX_CAPSULE, lex_free);
    if (cap == NULL) {
        PyMem_Free(lx);
        return NULL;
    }
    if (lex_table(arg, lx) < 0) {
        Py_DECREF(cap);
        return NULL;
    }
    PyObject *f = PyCFunction_NewEx(&tokens_def, cap, NULL);
    Py_DECREF(cap);
    return f;
}

/* --------------------------------------------------------------------------- the scans' fast path
 *
 * skimmer(spelling) -> skim(toks, k, state, stack, braces, sem) -> (k, state): the token loop of a
 * notation's `scan` (plugins/<name>/__init__.py) for as long as a token changes nothing but the
 * position, the state and the container stack: it stops (returns) *before* the first token that
 * could be an error or an error candidate, or whose check it does not make, and the Python loop
 * takes that token. `spelling` is the same table as the value builder's (`quick` below, without
 * its declined marker): the notation's tokens, constants, reserved keys, contract form, radix and
 * canonical flags. `stack` and `braces` are the scan's own lists, changed as the Python loop
 * changes them (the same frames: arrays (0,), maps [1, start, None, seen] (canonical: + the last
 * key), contracts [2, start, None, seen, last, cid]; shared tuples where `sem` is false). Two
 * regimes: `sem` true (no error seen yet: every check runs) and `sem` false (after a depth error:
 * syntax only); the scan does not call it in between (an error seen, semantic checks still
 * running). The state numbers are those of every scan (`_V, _VA, _AV, ... = range(...)` there):
 * six for values and map entries, then those of the contract form (S1_* for form 1, S2_* for 2).
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

#define IS(tk, l) ((tk).len == (l).len && PyUnicode_READ((tk).kind, (tk).data, 0) == (l).ch[0] && starts((tk), &(l)))
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

/* the key token t added to the frame's seen set when it is new (`ordered`, canonical keys: and not before the
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

/* the states every scan shares (values, map entries), then those of each contract form */
enum { S_V, S_VA, S_AV, S_K0, S_K, S_KC };
enum { S1_ID = 6, S1_OPEN, S1_F0, S1_F, S1_FSEP, S1_END }; /* form 1: {id: {<f>i: v, ...}} */
enum { S2_MARK = 6, S2_ID, S2_INDEX, S2_ISEP };            /* form 2: {<m>: id, i <sep> v, ...} */
#define RADIX(x) ((x) == 'x' || (x) == 'X' || (x) == 'o' || (x) == 'O' || (x) == 'b' || (x) == 'B')
#define FLOATCH(tk) (has(tk, '.') || has(tk, 'e') || has(tk, 'E'))
#define IS2(a, b) (tk.len == 2 && c == (a) && T(1) == (b))

#define MAX_WORDS 16
typedef struct {
    Lit arr_open, arr_close, sep, map_open, map_close, key_sep, bytes_prefix, handle_prefix, c1, c2, c3;
    Py_ssize_t c4;
    Lit consts[MAX_WORDS], reserved[MAX_WORDS]; /* the constants' tokens, the reserved bare keys */
    int n_consts, n_reserved, form, radix, canonical;
} Skim;

/* a number value whose check finds nothing (1), may find something (0), -1 on an error */
static int
number_ok(PyObject *t, Tok tk, int radix)
{
    Py_UCS4 c = T(0);
    if (tk.len == 1)
        return 1;
    if (radix && (RADIX(T(1)) || (tk.len > 2 && RADIX(T(2)) && c == '-')))
        return tk.len <= 17;
    if (FLOATCH(tk))
        return finite_float(t);
    return tk.len <= 18;
}

static int
is_int_token(Tok tk) /* a number token that is no float ("-" alone is none) */
{
    Py_UCS4 c = T(0);
    return NUMCH(c) && !(tk.len == 1 && c == '-') && !FLOATCH(tk);
}

static int
one_of(Tok tk, const Lit *words, int n)
{
    for (int w = 0; w < n; w++)
        if (IS(tk, words[w]))
            return 1;
    return 0;
}

static PyObject *
skim(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    const Skim *sp = PyCapsule_GetPointer(self, SKIM_CAPSULE);
    if (sp == NULL)
        return NULL;
    int msize = sp->canonical ? 5 : 4; /* map frames keep the last key where keys must ascend */
    int decided = sp->form == 1 || sp->form == 2; /* a brace opens a map or a contract: its first token decides */
    SKIM_LOOP {
        TOK();
        switch (state) {
        case S_AV:
            if ((fr = top(stack, &fk)) == NULL)
                goto done;
            if (fk == F_CON && sp->form == 3) {
                if (starts(tk, &sp->c2) && tk.len > sp->c2.len + sp->c4) { /* a field token: prefix, index, suffix */
                    if (sem) {
                        TRY(r = add_field(fr, tk, sp->c2.len, tk.len - sp->c4));
                        if (!r)
                            goto done;
                    }
                    state = S_V;
                    break;
                }
            }
            else if (IS(tk, sp->sep)) {
                state = fk == F_ARR ? S_V : fk == F_MAP ? S_K : sp->form == 1 ? S1_F : S2_INDEX;
                break;
            }
            if (fk == F_ARR) {
                if (!IS(tk, sp->arr_close))
                    goto done;
                TRY(pop(stack));
            }
            else if (fk == F_CON && sp->form == 1) {
                if (!IS(tk, sp->c3))
                    goto done;
                state = S1_END; /* the fields' close; the contract's follows */
            }
            else {
                if (!IS(tk, *(fk == F_CON && sp->form == 3 ? &sp->c3 : &sp->map_close)))
                    goto done;
                TRY(r = close_braced(stack, braces, fr));
                if (!r)
                    goto done;
            }
            break;
        case S_V:
        case S_VA: {
            int opens = IS(tk, sp->arr_open) ? 1 : IS(tk, sp->map_open) ? 2 : sp->form == 3 && starts(tk, &sp->c1) && tk.len > sp->c1.len ? 3 : 0;
            if (opens) {
                if (!OPEN_OK(depth, sem))
                    goto done;
                if (opens == 1) {
                    TRY(push(stack, Py_NewRef(arr_frame)));
                    state = S_VA;
                    break;
                }
                if (opens == 3 && sem && tk.len - sp->c1.len >= 10) /* cid_event may find something */
                    goto done;
                TRY(push(braces, PyLong_FromSsize_t(depth)));
                if (opens == 3) {
                    TRY(push(stack, sem ? new_frame(F_CON, k, 6, 1, decimal(tk, sp->c1.len, tk.len)) : Py_NewRef(con_frame)));
                    state = S_AV;
                }
                else {
                    if (decided)
                        TRY(push(stack, Py_NewRef(Py_None))); /* map or contract: the next token decides */
                    else
                        TRY(push(stack, sem ? new_frame(F_MAP, k, msize, 1, 0) : Py_NewRef(msize == 5 ? map_frame5 : map_frame4)));
                    state = S_K0;
                }
                break;
            }
            if (state == S_VA && IS(tk, sp->arr_close)) {
                TRY(pop(stack));
            }
            else if (c == '"' && tk.len > 1) {
                if (sem && (sp->canonical ? has(tk, '\\') : has_u_escape(tk)))
                    goto done;
            }
            else if (NUMCH(c) && !IS1('-')) {
                if (sp->canonical) {
                    if (IS2('-', '0')) /* not canonical */
                        goto done;
                    if (sem && (FLOATCH(tk) || tk.len > 18)) /* canonical? in range? */
                        goto done;
                }
                else if (sem) {
                    TRY(r = number_ok(t, tk, sp->radix));
                    if (!r)
                        goto done;
                }
            }
            else if (!(one_of(tk, sp->consts, sp->n_consts) || starts(tk, &sp->bytes_prefix) ||
                       (starts(tk, &sp->handle_prefix) && tk.len > sp->handle_prefix.len)))
                goto done;
            state = S_AV;
            break;
        }
        case S_K0:
            if (IS(tk, sp->map_close)) {
                TRY(pop(stack));
                TRY(pop(braces));
                state = S_AV;
                break;
            }
            if (sp->form == 2 && IS(tk, sp->c1)) { /* the marker */
                TRY(set_top(stack, sem ? new_frame(F_CON, k - 1, 6, 0, 0) : Py_NewRef(con_frame)));
                state = S2_MARK;
                break;
            }
            if (sp->form == 1 && NUMCH(c) && !IS1('-') && !(tk.len > 1 && ((sp->radix && RADIX(T(1))) || FLOATCH(tk))) &&
                !(sp->radix && tk.len > 2 && RADIX(T(2)) && c == '-')) { /* an int: the id */
                if (sem) {
                    if (tk.len >= 10 || c == '-') /* cid_event may find something */
                        goto done;
                    TRY(set_top(stack, new_frame(F_CON, k - 1, 6, 1, decimal(tk, 0, tk.len))));
                }
                else
                    TRY(set_top(stack, Py_NewRef(con_frame)));
                state = S1_ID;
                break;
            }
            /* fall through: a map */
        case S_K:
            if (starts(tk, &sp->bytes_prefix))
                goto done;
            if (sem && ((sp->canonical && c == '"') || (ALPHA(c) && one_of(tk, sp->reserved, sp->n_reserved))))
                goto done; /* a quoted key may be non-canonical; a reserved one must be quoted */
            if (!key_plain(tk))
                goto done;
            if (state == S_K0 && decided)
                TRY(set_top(stack, sem ? new_frame(F_MAP, k - 1, msize, 1, 0) : Py_NewRef(msize == 5 ? map_frame5 : map_frame4)));
            TRY(r = add_key(PyList_GET_ITEM(stack, depth - 1), t, tk, sem, sp->canonical));
            if (!r)
                goto done;
            state = S_KC;
            break;
        case S_KC:
            if (!IS(tk, sp->key_sep))
                goto done;
            state = S_V;
            break;
        default:
            if (sp->form == 1)
                switch (state) {
                case S1_ID:
                    if (!IS(tk, sp->key_sep))
                        goto done;
                    state = S1_OPEN;
                    break;
                case S1_OPEN:
                    if (!IS(tk, sp->c2))
                        goto done;
                    state = S1_F0;
                    break;
                case S1_FSEP:
                    if (!IS(tk, sp->key_sep))
                        goto done;
                    state = S_V;
                    break;
                case S1_F0:
                case S1_F:
                    if (state == S1_F0 && IS(tk, sp->c3)) {
                        state = S1_END;
                        break;
                    }
                    if (!starts(tk, &sp->c1) || tk.len < sp->c1.len + 1)
                        goto done;
                    if (sem) {
                        TRY(r = add_field(PyList_GET_ITEM(stack, depth - 1), tk, sp->c1.len, tk.len));
                        if (!r)
                            goto done;
                    }
                    state = S1_FSEP;
                    break;
                case S1_END:
                    if (!IS(tk, sp->map_close))
                        goto done;
                    TRY(r = close_braced(stack, braces, PyList_GET_ITEM(stack, depth - 1)));
                    if (!r)
                        goto done;
                    state = S_AV;
                    break;
                default:
                    goto done;
                }
            else if (sp->form == 2)
                switch (state) {
                case S2_MARK:
                    if (!IS(tk, sp->key_sep))
                        goto done;
                    state = S2_ID;
                    break;
                case S2_ID:
                    if (!is_int_token(tk))
                        goto done;
                    if (sem) {
                        if (tk.len >= 10 || c == '-') /* cid_event may find something */
                            goto done;
                        fr = PyList_GET_ITEM(stack, depth - 1);
                        TRY(PyList_SetItem(fr, 3, PySet_New(NULL)));
                        TRY(PyList_SetItem(fr, 5, PyLong_FromLongLong(decimal(tk, 0, tk.len))));
                    }
                    state = S_AV;
                    break;
                case S2_INDEX:
                    if (!is_int_token(tk))
                        goto done;
                    state = S2_ISEP;
                    break;
                case S2_ISEP:
                    if (!IS(tk, sp->c2))
                        goto done;
                    if (sem) { /* the field index, checked once the separator is there (the Reader's order) */
                        PyObject *d = PyList_GET_ITEM(toks, k - 1);
                        Tok dk = {PyUnicode_KIND(d), PyUnicode_DATA(d), PyUnicode_GET_LENGTH(d)};
                        TRY(r = add_field(PyList_GET_ITEM(stack, depth - 1), dk, 0, dk.len));
                        if (!r)
                            goto done;
                    }
                    state = S_V;
                    break;
                default:
                    goto done;
                }
            else
                goto done;
        }
    }
done:
    return Py_BuildValue("(ni)", k, state);
}

/* the token strings of a set or the keys of a dict into `words` */
static int
words_of(PyObject *coll, Lit *words, int *n)
{
    PyObject *it = PyObject_GetIter(coll), *w;
    if (it == NULL)
        return -1;
    *n = 0;
    while ((w = PyIter_Next(it)) != NULL) {
        int bad = *n == MAX_WORDS || lit(w, &words[*n]) < 0;
        Py_DECREF(w);
        if (bad) {
            Py_DECREF(it);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "skimmer: too many constants or reserved keys");
            return -1;
        }
        (*n)++;
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static int
skim_table(PyObject *sp, Skim *s)
{
    if (!PyTuple_Check(sp) || PyTuple_GET_SIZE(sp) < 17 || !PyTuple_Check(PyTuple_GET_ITEM(sp, 14))) {
        PyErr_SetString(PyExc_TypeError, "skimmer(spelling: the value builder's tuple)");
        return -1;
    }
    Lit *lits[] = {&s->arr_open, &s->arr_close, &s->sep, &s->map_open, &s->map_close, &s->key_sep};
    for (int j = 0; j < 6; j++)
        if (lit(PyTuple_GET_ITEM(sp, j), lits[j]) < 0)
            return -1;
    if (!PyDict_Check(PyTuple_GET_ITEM(sp, 6)) || !PyAnySet_Check(PyTuple_GET_ITEM(sp, 7))) {
        PyErr_SetString(PyExc_TypeError, "skimmer: consts dict, reserved keys set");
        return -1;
    }
    if (words_of(PyTuple_GET_ITEM(sp, 6), s->consts, &s->n_consts) < 0 ||
        words_of(PyTuple_GET_ITEM(sp, 7), s->reserved, &s->n_reserved) < 0 || lit(PyTuple_GET_ITEM(sp, 8), &s->bytes_prefix) < 0 ||
        lit(PyTuple_GET_ITEM(sp, 10), &s->handle_prefix) < 0)
        return -1;
    s->form = (int)PyLong_AsLong(PyTuple_GET_ITEM(sp, 13));
    s->radix = PyObject_IsTrue(PyTuple_GET_ITEM(sp, 15));
    s->canonical = PyObject_IsTrue(PyTuple_GET_ITEM(sp, 16));
    if (PyErr_Occurred())
        return -1;
    PyObject *ct = PyTuple_GET_ITEM(sp, 14);
    Py_ssize_t need = s->form == 1 ? 3 : s->form == 2 ? 2 : s->form == 3 ? 4 : 0;
    if (s->form < 0 || s->form > 3 || PyTuple_GET_SIZE(ct) != need || s->bytes_prefix.len == 0 || s->handle_prefix.len == 0) {
        PyErr_SetString(PyExc_ValueError, "skimmer: contract form 0-3 with its tokens, non-empty bytes and handle prefixes");
        return -1;
    }
    Lit *cl[] = {&s->c1, &s->c2, &s->c3};
    for (Py_ssize_t j = 0; j < need && j < 3; j++)
        if (lit(PyTuple_GET_ITEM(ct, j), cl[j]) < 0)
            return -1;
    if (s->form == 3 && ((s->c4 = PyLong_AsSsize_t(PyTuple_GET_ITEM(ct, 3))) < 0 || s->c1.len == 0 || s->c2.len == 0)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "skimmer: empty contract prefixes or a negative suffix length");
        return -1;
    }
    if (s->form == 1 && s->c1.len == 0) {
        PyErr_SetString(PyExc_ValueError, "skimmer: an empty field prefix");
        return -1;
    }
    return 0;
}

static void
skim_free(PyObject *capsule)
{
    PyMem_Free(PyCapsule_GetPointer(capsule, SKIM_CAPSULE));
}

static PyMethodDef skim_def = {"skim", (PyCFunction)(void (*)(void))skim, METH_FASTCALL,
                               "A scan's token loop while nothing can fail: skim(toks, k, state, stack, braces, sem) -> (k, state)."};

/* skimmer(spelling) -> skim(toks, k, state, stack, braces, sem) */
static PyObject *
skimmer(PyObject *self, PyObject *arg)
{
    Skim *s = PyMem_Calloc(1, sizeof(Skim));
    if (s == NULL)
        return PyErr_NoMemory();
    PyObject *cap = PyCapsule_New(s, SKIM_CAPSULE, skim_free);
    if (cap == NULL) {
        PyMem_Free(s);
        return NULL;
    }
    if (skim_table(arg, s) < 0) {
        Py_DECREF(cap);
        return NULL;
    }
    PyObject *f = PyCFunction_NewEx(&skim_def, cap, NULL);
    Py_DECREF(cap);
    return f;
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
    PyObject *toks;
    Py_ssize_t i;
    Lit arr_open, arr_close, sep, map_open, map_close, key_sep, bytes_prefix, handle_prefix, c1, c2, c3;
    Py_ssize_t bytes_suffix, c4;
    PyObject *consts, *reserved, *handle_cls, *contract_cls, *unquote, *quote, *parse_int;
    int form, radix, canonical;
} Q;

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


static PyMethodDef methods[] = {
    {"lexer", lexer, METH_O, "lexer(table) -> tokens(text): a quick pattern's findall in C, from a notation's lexical table."},
    {"skimmer", skimmer, METH_O, "skimmer(spelling) -> skim(toks, k, state, stack, braces, sem): a scan's token loop while nothing can fail."},
    {"balance", (PyCFunction)(void (*)(void))balance, METH_FASTCALL, "toks.count(open) - toks.count(close)."},
    {"span", (PyCFunction)(void (*)(void))span, METH_FASTCALL, "sum(map(len, toks[a:b]))."},
    {"quick", (PyCFunction)(void (*)(void))quick, METH_FASTCALL, "A quick parser's value of token strings, or the declined marker."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textlex_native", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__textlex_native(void)
{
    for (int c = 0; c < 128; c++)
        if ((ascii_tok[c] = PyUnicode_FromOrdinal(c)) == NULL)
            return NULL;
    if ((arr_frame = Py_BuildValue("(i)", F_ARR)) == NULL ||
        (map_frame4 = Py_BuildValue("(iiOO)", F_MAP, -1, Py_None, Py_None)) == NULL ||
        (map_frame5 = Py_BuildValue("(iiOOO)", F_MAP, -1, Py_None, Py_None, Py_None)) == NULL ||
        (con_frame = Py_BuildValue("(iiOOii)", F_CON, -1, Py_None, Py_None, -1, 0)) == NULL)
        return NULL;
    return PyModule_Create(&module);
}
