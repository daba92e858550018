/* helixc_plugins._lcb_native: the LC-B codec's compiled core.
 *
 * plugins/lc_b.py is the reference. This core handles every valid value and byte string
 * itself and gives up ("defers") on anything unusual: an error of any kind, an int beyond
 * 64 bits, a type it does not know. On a deferral encode()/decode() call the pure-Python
 * fast path given to configure(), which raises the reference's HelixError (code, message,
 * byte offset) or, where the core was too cautious, returns the reference's result. Errors
 * are rare, so the second pass costs nothing in practice, and both passes are linear.
 *
 * The core never runs Python code while it works (no callbacks, exact types only), so a
 * value cannot change under it. Only MemoryError passes through as itself.
 *
 *   configure(Contract, Handle, decode_fallback, encode_fallback)
 *   encode(value) -> bytes           decode(data) -> value        (with the fallback)
 *   encode_native(value) / decode_native(data)                    (no fallback: raise Deferred)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 64
#define CONTRACT_ID_MAX 0xFFFFFFFFULL
#define FIELD_INDEX_MAX 0xFFFFULL

enum {
    T_NULL = 0x00, T_INT = 0x01, T_FLOAT = 0x02, T_TEXT = 0x03, T_BYTES = 0x04,
    T_ARRAY = 0x05, T_ARRAY_END = 0x06, T_CONTRACT = 0x07, T_CONTRACT_END = 0x08,
    T_HANDLE = 0x09, T_TRUE = 0x0A, T_FALSE = 0x0B, T_MAP = 0x0C, T_MAP_END = 0x0D
};

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

static PyObject *ContractType = NULL;  /* helixc.values.Contract */
static PyObject *HandleType = NULL;    /* helixc.values.Handle */
static PyObject *decode_fallback = NULL;
static PyObject *encode_fallback = NULL;
static PyObject *Deferred = NULL;      /* raised by the *_native functions */
static PyObject *str_id, *str_fields, *str_name, *empty_tuple;

/* 1 for [A-Za-z0-9_] */
static unsigned char NAME_CHAR[256];

/* ------------------------------------------------------------------------------ decoder */

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} Dec;

/* Map keys decoded before: short keys repeat in most documents (as orjson does). The cache
 * holds strong references to immutable str objects; a slot is replaced on a collision. */
#define KEY_CACHE_SIZE 2048
#define KEY_CACHE_MAXLEN 32
typedef struct {
    PyObject *str;
    uint32_t len;
    uint8_t bytes[KEY_CACHE_MAXLEN];
} KeyEntry;
static KeyEntry key_cache[KEY_CACHE_SIZE];

static inline uint32_t key_hash(const uint8_t *s, Py_ssize_t n) {
    uint32_t h = 2166136261u ^ (uint32_t)n;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 16777619u;
    }
    return h ^ (h >> 15);
}

static inline int all_ascii(const uint8_t *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < n; i++) acc |= s[i];
    return (acc & 0x8080808080808080ULL) == 0;
}

/* A str from UTF-8 bytes, NULL (exception set) when they are not valid UTF-8. */
static inline PyObject *make_str(const uint8_t *s, Py_ssize_t n) {
    if (n < 64 && all_ascii(s, n)) {
        PyObject *u = PyUnicode_New(n, 127);
        if (u == NULL) return NULL;
        memcpy(PyUnicode_1BYTE_DATA(u), s, (size_t)n);
        return u;
    }
    return PyUnicode_DecodeUTF8((const char *)s, n, NULL);
}

static PyObject *make_key(const uint8_t *s, Py_ssize_t n) {
    if (n > KEY_CACHE_MAXLEN) return make_str(s, n);
    KeyEntry *e = &key_cache[key_hash(s, n) & (KEY_CACHE_SIZE - 1)];
    if (e->str != NULL && e->len == (uint32_t)n && memcmp(e->bytes, s, (size_t)n) == 0) {
        Py_INCREF(e->str);
        return e->str;
    }
    PyObject *u = make_str(s, n);
    if (u == NULL) return NULL;
    if (PyObject_Hash(u) == -1) {  /* cached in the str: dict insertions need it */
        Py_DECREF(u);
        return NULL;
    }
    Py_XSETREF(e->str, Py_NewRef(u));
    e->len = (uint32_t)n;
    memcpy(e->bytes, s, (size_t)n);
    return u;
}

/* A minimal ULEB128 of at most max_bytes (at most 9: every valid length fits 63 bits, a
 * longer one is an error either way); ``escaped`` is the one value allowed in two bytes
 * (an end marker). -1: not this core's to decide. */
static inline int read_uleb(Dec *d, int max_bytes, uint64_t escaped, uint64_t *out) {
    const uint8_t *p = d->p;
    if (LIKELY(p < d->end && *p < 0x80)) {
        *out = *p;
        d->p = p + 1;
        return 0;
    }
    if (max_bytes > 9) max_bytes = 9;
    uint64_t result = 0;
    int shift = 0;
    for (int count = 1; count <= max_bytes; count++) {
        if (p >= d->end) return -1;
        uint8_t b = *p++;
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (b == 0 && count > 1 && !(count == 2 && result == escaped)) return -1; /* overlong */
            *out = result;
            d->p = p;
            return 0;
        }
    }
    return -1;
}

/* A minimal SLEB128 in signed 64-bit range (at most 10 bytes). */
static inline int read_sleb(Dec *d, int64_t *out) {
    const uint8_t *p = d->p;
    if (LIKELY(p < d->end && *p < 0x80)) {
        uint8_t b = *p;
        *out = (b & 0x40) ? (int64_t)b - 0x80 : (int64_t)b;
        d->p = p + 1;
        return 0;
    }
    uint64_t result = 0;
    int shift = 0;
    uint8_t prev = 0;
    for (int count = 1; count <= 10; count++) {
        if (p >= d->end) return -1;
        uint8_t b = *p++;
        if (count == 10) {
            /* bits 63..69: only a sign extension of bit 63 fits in 64 bits, minimal forms only */
            if (b == 0x00 && (prev & 0x40)) {
                *out = (int64_t)result;
            } else if (b == 0x7F && !(prev & 0x40)) {
                *out = (int64_t)(result | (1ULL << 63));
            } else {
                return -1;
            }
            d->p = p;
            return 0;
        }
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (count > 1 && ((b == 0x00 && !(prev & 0x40)) || (b == 0x7F && (prev & 0x40)))) return -1;
            if (b & 0x40) result |= ~0ULL << shift; /* shift <= 63 here */
            *out = (int64_t)result;
            d->p = p;
            return 0;
        }
        prev = b;
    }
    return -1;
}

static PyObject *decode_value(Dec *d, int depth);

/* Lists are built from a stack of pending items (one per decoder call, grown on the heap). */
typedef struct {
    PyObject **items;
    Py_ssize_t len, cap;
    PyObject *inline_items[64];
} ItemStack;

static PyObject *decode_array(Dec *d, int depth) {
    ItemStack st;
    st.items = st.inline_items;
    st.len = 0;
    st.cap = 64;
    PyObject *list = NULL;
    for (;;) {
        if (UNLIKELY(d->p >= d->end)) goto fail;
        if (*d->p == T_ARRAY_END) {
            d->p++;
            break;
        }
        PyObject *x = decode_value(d, depth + 1);
        if (x == NULL) goto fail;
        if (UNLIKELY(st.len == st.cap)) {
            Py_ssize_t cap = st.cap * 2;
            PyObject **items;
            if (st.items == st.inline_items) {
                items = PyMem_Malloc(sizeof(PyObject *) * (size_t)cap);
                if (items) memcpy(items, st.inline_items, sizeof(st.inline_items));
            } else {
                items = PyMem_Realloc(st.items, sizeof(PyObject *) * (size_t)cap);
            }
            if (items == NULL) {
                Py_DECREF(x);
                PyErr_NoMemory();
                goto fail;
            }
            st.items = items;
            st.cap = cap;
        }
        st.items[st.len++] = x;
    }
    list = PyList_New(st.len);
    if (list == NULL) goto fail;
    for (Py_ssize_t i = 0; i < st.len; i++) PyList_SET_ITEM(list, i, st.items[i]);
    if (st.items != st.inline_items) PyMem_Free(st.items);
    return list;
fail:
    for (Py_ssize_t i = 0; i < st.len; i++) Py_DECREF(st.items[i]);
    if (st.items != st.inline_items) PyMem_Free(st.items);
    return NULL;
}

static PyObject *decode_map(Dec *d, int depth) {
    PyObject *dict = PyDict_New();
    if (dict == NULL) return NULL;
    const uint8_t *last = NULL;
    Py_ssize_t last_len = 0;
    for (;;) {
        if (UNLIKELY(d->p >= d->end)) goto fail;
        if (*d->p == T_MAP_END) {
            d->p++;
            return dict;
        }
        uint64_t n;
        if (read_uleb(d, 10, T_MAP_END, &n) < 0) goto fail;
        if (n > (uint64_t)(d->end - d->p)) goto fail;
        const uint8_t *k = d->p;
        Py_ssize_t kn = (Py_ssize_t)n;
        if (last != NULL) { /* strictly ascending: UTF-8 byte order is code-point order */
            Py_ssize_t m = kn < last_len ? kn : last_len;
            int c = memcmp(k, last, (size_t)m);
            if (c < 0 || (c == 0 && kn <= last_len)) goto fail;
        }
        PyObject *key = make_key(k, kn);
        if (key == NULL) goto fail;
        d->p += kn;
        last = k;
        last_len = kn;
        PyObject *v = decode_value(d, depth + 1);
        if (v == NULL) {
            Py_DECREF(key);
            goto fail;
        }
        int r = PyDict_SetItem(dict, key, v);
        Py_DECREF(key);
        Py_DECREF(v);
        if (r < 0) goto fail;
    }
fail:
    Py_DECREF(dict);
    return NULL;
}

/* An instance of a dataclass without running its __init__ (the values are checked here). */
static PyObject *new_instance(PyObject *type) {
    return PyBaseObject_Type.tp_new((PyTypeObject *)type, empty_tuple, NULL);
}

static PyObject *decode_contract(Dec *d, int depth) {
    uint64_t cid;
    if (read_uleb(d, 5, (uint64_t)-1, &cid) < 0 || cid > CONTRACT_ID_MAX) return NULL;
    PyObject *fields = PyDict_New();
    if (fields == NULL) return NULL;
    int64_t last = -1;
    for (;;) {
        if (UNLIKELY(d->p >= d->end)) goto fail;
        if (*d->p == T_CONTRACT_END) {
            d->p++;
            break;
        }
        uint64_t index;
        if (read_uleb(d, 3, T_CONTRACT_END, &index) < 0) goto fail;
        if (index > FIELD_INDEX_MAX || (int64_t)index <= last) goto fail;
        last = (int64_t)index;
        PyObject *v = decode_value(d, depth + 1);
        if (v == NULL) goto fail;
        PyObject *key = PyLong_FromLongLong((long long)index);
        if (key == NULL) {
            Py_DECREF(v);
            goto fail;
        }
        int r = PyDict_SetItem(fields, key, v);
        Py_DECREF(key);
        Py_DECREF(v);
        if (r < 0) goto fail;
    }
    PyObject *c = new_instance(ContractType);
    if (c == NULL) goto fail;
    PyObject *idobj = PyLong_FromUnsignedLongLong(cid);
    if (idobj == NULL || PyObject_GenericSetAttr(c, str_id, idobj) < 0 ||
        PyObject_GenericSetAttr(c, str_fields, fields) < 0) {
        Py_XDECREF(idobj);
        Py_DECREF(c);
        goto fail;
    }
    Py_DECREF(idobj);
    Py_DECREF(fields);
    return c;
fail:
    Py_DECREF(fields);
    return NULL;
}

static PyObject *decode_handle(Dec *d) {
    uint64_t n;
    if (read_uleb(d, 10, (uint64_t)-1, &n) < 0 || n > (uint64_t)(d->end - d->p)) return NULL;
    const uint8_t *s = d->p;
    if (n < 4 || s[0] != '&' || s[1] != 'h' || s[2] != '_') return NULL;
    for (uint64_t i = 3; i < n; i++)
        if (!NAME_CHAR[s[i]]) return NULL;
    d->p += n;
    PyObject *name = PyUnicode_New((Py_ssize_t)n - 3, 127);
    if (name == NULL) return NULL;
    memcpy(PyUnicode_1BYTE_DATA(name), s + 3, (size_t)n - 3);
    PyObject *h = new_instance(HandleType);
    if (h == NULL || PyObject_GenericSetAttr(h, str_name, name) < 0) { /* frozen: bypass __setattr__ */
        Py_XDECREF(h);
        Py_DECREF(name);
        return NULL;
    }
    Py_DECREF(name);
    return h;
}

static PyObject *decode_value(Dec *d, int depth) {
    if (UNLIKELY(d->p >= d->end)) return NULL;
    uint8_t tag = *d->p++;
    switch (tag) {
    case T_INT: {
        int64_t v;
        if (read_sleb(d, &v) < 0) return NULL;
        return PyLong_FromLongLong((long long)v);
    }
    case T_TEXT: {
        uint64_t n;
        if (read_uleb(d, 10, (uint64_t)-1, &n) < 0 || n > (uint64_t)(d->end - d->p)) return NULL;
        const uint8_t *s = d->p;
        d->p += n;
        return make_str(s, (Py_ssize_t)n);
    }
    case T_FLOAT: {
        if (d->end - d->p < 8) return NULL;
        const uint8_t *s = d->p;
        uint64_t bits = ((uint64_t)s[0] << 56) | ((uint64_t)s[1] << 48) | ((uint64_t)s[2] << 40) |
                        ((uint64_t)s[3] << 32) | ((uint64_t)s[4] << 24) | ((uint64_t)s[5] << 16) |
                        ((uint64_t)s[6] << 8) | (uint64_t)s[7];
        if ((bits & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL) return NULL; /* NaN, Inf */
        if (bits == 0x8000000000000000ULL) return NULL;                             /* -0.0 */
        double v;
        memcpy(&v, &bits, 8);
        d->p += 8;
        return PyFloat_FromDouble(v);
    }
    case T_NULL:
        Py_RETURN_NONE;
    case T_TRUE:
        Py_RETURN_TRUE;
    case T_FALSE:
        Py_RETURN_FALSE;
    case T_BYTES: {
        uint64_t n;
        if (read_uleb(d, 10, (uint64_t)-1, &n) < 0 || n > (uint64_t)(d->end - d->p)) return NULL;
        const uint8_t *s = d->p;
        d->p += n;
        return PyBytes_FromStringAndSize((const char *)s, (Py_ssize_t)n);
    }
    case T_HANDLE:
        if (HandleType == NULL) return NULL; /* not configured */
        return decode_handle(d);
    case T_ARRAY:
        if (depth >= MAX_DEPTH) return NULL;
        return decode_array(d, depth);
    case T_MAP:
        if (depth >= MAX_DEPTH) return NULL;
        return decode_map(d, depth);
    case T_CONTRACT:
        if (depth >= MAX_DEPTH || ContractType == NULL) return NULL;
        return decode_contract(d, depth);
    default:
        return NULL; /* end markers, unknown tags */
    }
}

/* NULL with no exception: deferred. NULL with an exception: MemoryError (anything else is
 * a deferral too, cleared here). */
static PyObject *decode_core(PyObject *data) {
    Py_buffer view;
    const uint8_t *buf;
    Py_ssize_t n;
    int release = 0;
    if (PyBytes_CheckExact(data)) {
        buf = (const uint8_t *)PyBytes_AS_STRING(data);
        n = PyBytes_GET_SIZE(data);
    } else {
        if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
            PyErr_Clear();
            return NULL;
        }
        buf = view.buf;
        n = view.len;
        release = 1;
    }
    Dec d = {buf, buf + n};
    PyObject *v = n ? decode_value(&d, 0) : NULL;
    if (v != NULL && d.p != d.end) Py_CLEAR(v); /* trailing bytes */
    if (release) PyBuffer_Release(&view);
    if (v == NULL && PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_MemoryError)) PyErr_Clear();
    return v;
}

static PyObject *lcb_decode(PyObject *self, PyObject *data) {
    PyObject *v = decode_core(data);
    if (v != NULL || PyErr_Occurred()) return v;
    if (decode_fallback == NULL) {
        PyErr_SetString(Deferred, "decode deferred and no fallback configured");
        return NULL;
    }
    return PyObject_CallOneArg(decode_fallback, data);
}

static PyObject *lcb_decode_native(PyObject *self, PyObject *data) {
    PyObject *v = decode_core(data);
    if (v != NULL || PyErr_Occurred()) return v;
    PyErr_SetString(Deferred, "the native decoder defers these bytes to the Python decoder");
    return NULL;
}

/* ------------------------------------------------------------------------------ encoder */

typedef struct {
    char *buf;
    Py_ssize_t len, cap;
    int heap;
} Out;

#define OUT_INLINE 4096
static char out_static[OUT_INLINE]; /* reused while not in use (the GIL serialises callers) */
static int out_static_busy = 0;

static int out_grow(Out *o, Py_ssize_t need) {
    Py_ssize_t cap = o->cap * 2;
    while (cap < o->len + need) cap *= 2;
    char *b;
    if (o->heap) {
        b = PyMem_Realloc(o->buf, (size_t)cap);
    } else {
        b = PyMem_Malloc((size_t)cap);
        if (b) memcpy(b, o->buf, (size_t)o->len);
    }
    if (b == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    o->buf = b;
    o->cap = cap;
    o->heap = 1;
    return 0;
}

#define RESERVE(o, n) \
    do { if (UNLIKELY((o)->len + (Py_ssize_t)(n) > (o)->cap) && out_grow((o), (n)) < 0) return -1; } while (0)

static inline void put_uleb(Out *o, uint64_t n) { /* room reserved by the caller (10 bytes) */
    while (n >= 0x80) {
        o->buf[o->len++] = (char)((n & 0x7F) | 0x80);
        n >>= 7;
    }
    o->buf[o->len++] = (char)n;
}

static inline void put_sleb(Out *o, int64_t v) {
    for (;;) {
        uint8_t b = (uint8_t)(v & 0x7F);
        v >>= 7; /* arithmetic shift */
        if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
            o->buf[o->len++] = (char)b;
            return;
        }
        o->buf[o->len++] = (char)(b | 0x80);
    }
}

static int encode_value(Out *o, PyObject *v, int depth);

/* UTF-8 of a str: the bytes straight from a compact ASCII string, else written by hand
 * (lone surrogates: -1, no exception). */
static int put_text(Out *o, PyObject *s, uint8_t tag) {
#if PY_VERSION_HEX < 0x030C0000
    if (UNLIKELY(PyUnicode_READY(s) < 0)) return -1;
#endif
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (PyUnicode_IS_COMPACT_ASCII(s)) {
        RESERVE(o, 11 + n);
        o->buf[o->len++] = (char)tag;
        put_uleb(o, (uint64_t)n);
        memcpy(o->buf + o->len, PyUnicode_DATA(s), (size_t)n);
        o->len += n;
        return 0;
    }
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t size = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) size += 1;
        else if (c < 0x800) size += 2;
        else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF) return -1;
            size += 3;
        } else size += 4;
    }
    RESERVE(o, 11 + size);
    o->buf[o->len++] = (char)tag;
    put_uleb(o, (uint64_t)size);
    uint8_t *w = (uint8_t *)o->buf + o->len;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) {
            *w++ = (uint8_t)c;
        } else if (c < 0x800) {
            *w++ = (uint8_t)(0xC0 | (c >> 6));
            *w++ = (uint8_t)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *w++ = (uint8_t)(0xE0 | (c >> 12));
            *w++ = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            *w++ = (uint8_t)(0x80 | (c & 0x3F));
        } else {
            *w++ = (uint8_t)(0xF0 | (c >> 18));
            *w++ = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
            *w++ = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            *w++ = (uint8_t)(0x80 | (c & 0x3F));
        }
    }
    o->len += size;
    return 0;
}

typedef struct {
    const char *key;
    Py_ssize_t len;
    PyObject *value;
} MapItem;

static inline int key_less(const MapItem *a, const MapItem *b) {
    Py_ssize_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->key, b->key, (size_t)m);
    return c < 0 || (c == 0 && a->len < b->len);
}

static int map_item_cmp(const void *x, const void *y) {
    const MapItem *a = x, *b = y;
    return key_less(a, b) ? -1 : key_less(b, a) ? 1 : 0;
}

typedef struct {
    int64_t index;
    PyObject *value;
} FieldItem;

static int field_item_cmp(const void *x, const void *y) {
    const FieldItem *a = x, *b = y;
    return (a->index > b->index) - (a->index < b->index);
}

#define INLINE_ITEMS 32

static int encode_map(Out *o, PyObject *v, int depth) {
    Py_ssize_t n = PyDict_GET_SIZE(v);
    MapItem inline_items[INLINE_ITEMS];
    MapItem *items = inline_items;
    if (n > INLINE_ITEMS) {
        items = PyMem_Malloc(sizeof(MapItem) * (size_t)n);
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    int rc = -1, sorted = 1;
    Py_ssize_t pos = 0, i = 0;
    PyObject *k, *x;
    while (PyDict_Next(v, &pos, &k, &x)) {
        if (UNLIKELY(!PyUnicode_CheckExact(k))) goto done;
        const char *s;
        Py_ssize_t len;
        if (PyUnicode_IS_COMPACT_ASCII(k)) {
            s = PyUnicode_DATA(k);
            len = PyUnicode_GET_LENGTH(k);
        } else {
            s = PyUnicode_AsUTF8AndSize(k, &len); /* cached in the str; fails on surrogates */
            if (s == NULL) goto done;
        }
        items[i].key = s;
        items[i].len = len;
        items[i].value = x;
        if (i && sorted && !key_less(&items[i - 1], &items[i])) sorted = 0;
        i++;
    }
    if (!sorted) {
        if (n <= 16) { /* insertion sort */
            for (Py_ssize_t a = 1; a < n; a++) {
                MapItem t = items[a];
                Py_ssize_t b = a;
                while (b > 0 && key_less(&t, &items[b - 1])) {
                    items[b] = items[b - 1];
                    b--;
                }
                items[b] = t;
            }
        } else {
            qsort(items, (size_t)n, sizeof(MapItem), map_item_cmp);
        }
    }
    RESERVE(o, 1);
    o->buf[o->len++] = T_MAP;
    for (i = 0; i < n; i++) {
        Py_ssize_t len = items[i].len;
        if (UNLIKELY(o->len + 11 + len > o->cap) && out_grow(o, 11 + len) < 0) goto done;
        if (len == T_MAP_END) { /* 13 would read as the end marker: its two-byte form */
            o->buf[o->len++] = (char)0x8D;
            o->buf[o->len++] = 0x00;
        } else {
            put_uleb(o, (uint64_t)len);
        }
        memcpy(o->buf + o->len, items[i].key, (size_t)len);
        o->len += len;
        if (encode_value(o, items[i].value, depth + 1) < 0) goto done;
    }
    if (UNLIKELY(o->len + 1 > o->cap) && out_grow(o, 1) < 0) goto done;
    o->buf[o->len++] = T_MAP_END;
    rc = 0;
done:
    if (items != inline_items) PyMem_Free(items);
    return rc;
}

static int encode_contract(Out *o, PyObject *v, int depth) {
    int rc = -1;
    PyObject *cid = PyObject_GetAttr(v, str_id);
    PyObject *fields = cid ? PyObject_GetAttr(v, str_fields) : NULL;
    FieldItem inline_items[INLINE_ITEMS];
    FieldItem *items = inline_items;
    if (fields == NULL || !PyLong_CheckExact(cid) || !PyDict_CheckExact(fields)) goto done;
    int overflow;
    long long id = PyLong_AsLongLongAndOverflow(cid, &overflow);
    if (overflow || id < 0 || (unsigned long long)id > CONTRACT_ID_MAX) goto done;
    Py_ssize_t n = PyDict_GET_SIZE(fields);
    if (n > INLINE_ITEMS) {
        items = PyMem_Malloc(sizeof(FieldItem) * (size_t)n);
        if (items == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    Py_ssize_t pos = 0, i = 0;
    PyObject *k, *x;
    int sorted = 1;
    while (PyDict_Next(fields, &pos, &k, &x)) {
        if (!PyLong_CheckExact(k)) goto done;
        long long index = PyLong_AsLongLongAndOverflow(k, &overflow);
        if (overflow || index < 0 || (unsigned long long)index > FIELD_INDEX_MAX) goto done;
        items[i].index = index;
        items[i].value = x;
        if (i && items[i - 1].index > index) sorted = 0;
        i++;
    }
    if (!sorted) qsort(items, (size_t)n, sizeof(FieldItem), field_item_cmp);
    if (UNLIKELY(o->len + 6 > o->cap) && out_grow(o, 6) < 0) goto done;
    o->buf[o->len++] = T_CONTRACT;
    put_uleb(o, (uint64_t)id);
    for (i = 0; i < n; i++) {
        if (UNLIKELY(o->len + 3 > o->cap) && out_grow(o, 3) < 0) goto done;
        if (items[i].index == T_CONTRACT_END) { /* 8 would read as the end marker */
            o->buf[o->len++] = (char)0x88;
            o->buf[o->len++] = 0x00;
        } else {
            put_uleb(o, (uint64_t)items[i].index);
        }
        if (encode_value(o, items[i].value, depth + 1) < 0) goto done;
    }
    if (UNLIKELY(o->len + 1 > o->cap) && out_grow(o, 1) < 0) goto done;
    o->buf[o->len++] = T_CONTRACT_END;
    rc = 0;
done:
    if (items != inline_items) PyMem_Free(items);
    Py_XDECREF(cid);
    Py_XDECREF(fields);
    return rc;
}

static int encode_handle(Out *o, PyObject *v) {
    PyObject *name = PyObject_GetAttr(v, str_name);
    if (name == NULL) return -1;
    int rc = -1;
    if (!PyUnicode_CheckExact(name) || !PyUnicode_IS_COMPACT_ASCII(name)) goto done;
    Py_ssize_t n = PyUnicode_GET_LENGTH(name);
    const uint8_t *s = PyUnicode_DATA(name);
    if (n == 0) goto done;
    for (Py_ssize_t i = 0; i < n; i++)
        if (!NAME_CHAR[s[i]]) goto done;
    if (UNLIKELY(o->len + 14 + n > o->cap) && out_grow(o, 14 + n) < 0) goto done;
    o->buf[o->len++] = T_HANDLE;
    put_uleb(o, (uint64_t)n + 3);
    memcpy(o->buf + o->len, "&h_", 3);
    memcpy(o->buf + o->len + 3, s, (size_t)n);
    o->len += n + 3;
    rc = 0;
done:
    Py_DECREF(name);
    return rc;
}

static int encode_value(Out *o, PyObject *v, int depth) {
    PyTypeObject *t = Py_TYPE(v);
    if (t == &PyUnicode_Type) return put_text(o, v, T_TEXT);
    if (t == &PyLong_Type) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow) return -1; /* beyond 64 bits: the fallback says E_INT_RANGE */
        RESERVE(o, 11);
        o->buf[o->len++] = T_INT;
        put_sleb(o, (int64_t)x);
        return 0;
    }
    if (t == &PyFloat_Type) {
        double x = PyFloat_AS_DOUBLE(v);
        if (!isfinite(x)) return -1;
        if (x == 0.0) x = 0.0; /* the model has one zero */
        uint64_t bits;
        memcpy(&bits, &x, 8);
        RESERVE(o, 9);
        uint8_t *w = (uint8_t *)o->buf + o->len;
        w[0] = T_FLOAT;
        for (int i = 0; i < 8; i++) w[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
        o->len += 9;
        return 0;
    }
    if (v == Py_None || v == Py_True || v == Py_False) {
        RESERVE(o, 1);
        o->buf[o->len++] = v == Py_None ? T_NULL : v == Py_True ? T_TRUE : T_FALSE;
        return 0;
    }
    if (t == &PyList_Type || t == &PyTuple_Type) {
        if (depth >= MAX_DEPTH) return -1;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(v);
        PyObject **items = PySequence_Fast_ITEMS(v);
        RESERVE(o, 1);
        o->buf[o->len++] = T_ARRAY;
        for (Py_ssize_t i = 0; i < n; i++)
            if (encode_value(o, items[i], depth + 1) < 0) return -1;
        RESERVE(o, 1);
        o->buf[o->len++] = T_ARRAY_END;
        return 0;
    }
    if (t == &PyDict_Type) {
        if (depth >= MAX_DEPTH) return -1;
        return encode_map(o, v, depth);
    }
    if ((PyObject *)t == ContractType) {
        if (depth >= MAX_DEPTH) return -1;
        return encode_contract(o, v, depth);
    }
    if (t == &PyBytes_Type || t == &PyByteArray_Type) {
        Py_ssize_t n = t == &PyBytes_Type ? PyBytes_GET_SIZE(v) : PyByteArray_GET_SIZE(v);
        const char *s = t == &PyBytes_Type ? PyBytes_AS_STRING(v) : PyByteArray_AS_STRING(v);
        RESERVE(o, 11 + n);
        o->buf[o->len++] = T_BYTES;
        put_uleb(o, (uint64_t)n);
        memcpy(o->buf + o->len, s, (size_t)n);
        o->len += n;
        return 0;
    }
    if ((PyObject *)t == HandleType) return encode_handle(o, v);
    return -1; /* not an HLX value */
}

static PyObject *encode_core(PyObject *value) {
    Out o;
    int use_static = !out_static_busy;
    if (use_static) {
        o.buf = out_static;
        o.cap = OUT_INLINE;
        o.heap = 0;
        out_static_busy = 1;
    } else {
        o.cap = 256;
        o.buf = PyMem_Malloc((size_t)o.cap);
        if (o.buf == NULL) return PyErr_NoMemory();
        o.heap = 1;
    }
    o.len = 0;
    PyObject *r = NULL;
    if (encode_value(&o, value, 0) == 0) r = PyBytes_FromStringAndSize(o.buf, o.len);
    if (o.heap) PyMem_Free(o.buf);
    if (use_static) out_static_busy = 0;
    if (r == NULL && PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_MemoryError)) PyErr_Clear();
    return r;
}

static PyObject *lcb_encode(PyObject *self, PyObject *value) {
    PyObject *r = encode_core(value);
    if (r != NULL || PyErr_Occurred()) return r;
    if (encode_fallback == NULL) {
        PyErr_SetString(Deferred, "encode deferred and no fallback configured");
        return NULL;
    }
    return PyObject_CallOneArg(encode_fallback, value);
}

static PyObject *lcb_encode_native(PyObject *self, PyObject *value) {
    PyObject *r = encode_core(value);
    if (r != NULL || PyErr_Occurred()) return r;
    PyErr_SetString(Deferred, "the native encoder defers this value to the Python encoder");
    return NULL;
}

/* ------------------------------------------------------------------------------ module */

static PyObject *lcb_configure(PyObject *self, PyObject *args) {
    PyObject *contract, *handle, *dec, *enc;
    if (!PyArg_ParseTuple(args, "O!O!OO:configure", &PyType_Type, &contract, &PyType_Type, &handle, &dec, &enc))
        return NULL;
    if (!PyCallable_Check(dec) || !PyCallable_Check(enc)) {
        PyErr_SetString(PyExc_TypeError, "configure: the fallbacks must be callable");
        return NULL;
    }
    Py_XSETREF(ContractType, Py_NewRef(contract));
    Py_XSETREF(HandleType, Py_NewRef(handle));
    Py_XSETREF(decode_fallback, Py_NewRef(dec));
    Py_XSETREF(encode_fallback, Py_NewRef(enc));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", lcb_configure, METH_VARARGS,
     "configure(Contract, Handle, decode_fallback, encode_fallback): the value classes and the Python paths"},
    {"decode", lcb_decode, METH_O, "decode(data) -> value (deferring to the fallback on anything unusual)"},
    {"encode", lcb_encode, METH_O, "encode(value) -> bytes (deferring to the fallback on anything unusual)"},
    {"decode_native", lcb_decode_native, METH_O, "decode without the fallback: raises Deferred where it would defer"},
    {"encode_native", lcb_encode_native, METH_O, "encode without the fallback: raises Deferred where it would defer"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "_lcb_native",
    "The compiled LC-B codec core; plugins/lc_b.py is its reference and fallback.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__lcb_native(void) {
    for (int c = 0; c < 256; c++)
        NAME_CHAR[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    str_id = PyUnicode_InternFromString("id");
    str_fields = PyUnicode_InternFromString("fields");
    str_name = PyUnicode_InternFromString("name");
    empty_tuple = PyTuple_New(0);
    if (!str_id || !str_fields || !str_name || !empty_tuple) return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (m == NULL) return NULL;
    Deferred = PyErr_NewException("helixc_plugins._lcb_native.Deferred", NULL, NULL);
    if (Deferred == NULL || PyModule_AddObjectRef(m, "Deferred", Deferred) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
