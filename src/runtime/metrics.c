#include "runtime/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hmap.h"

typedef struct series {
	char **values; /* one per variable label */
	double value; /* counter, gauge */
	uint64_t *counts; /* histogram: per bucket, not cumulative; the last one is +Inf */
	double sum;
	uint64_t count;
} series;

struct pj_metric {
	pj_metric_type type;
	char *name;
	char *help;
	char **label_names;
	size_t nvar;
	char **const_labels; /* name, value pairs */
	size_t nconst;
	double *buckets;
	size_t nbuckets;
	double (*read)(void *ctx);
	void *read_ctx;
	pthread_mutex_t mu; /* guards series */
	pj_hmap series; /* label values joined by NUL -> series */
};

struct pj_metrics {
	pthread_mutex_t mu; /* guards items */
	pj_metric **items;
	size_t len;
	size_t cap;
};

static const double default_buckets[] = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
static const char *const type_names[] = {"counter", "gauge", "histogram"};

static void metric_misuse(const pj_metric *m, const char *what)
{
	fprintf(stderr, "pyrojava: metric %s: %s\n", m->name, what);
	abort();
}

pj_metrics *pj_metrics_new(void)
{
	pj_metrics *r = pj_calloc(1, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	return r;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void series_free(series *s, size_t nvar)
{
	free_strv(s->values, nvar);
	free(s->counts);
	free(s);
}

static void metric_free(pj_metric *m)
{
	for (size_t i = 0; i < m->series.len; i++)
		if (m->series.entries[i].key)
			series_free(m->series.entries[i].value, m->nvar);
	pj_hmap_free(&m->series);
	pthread_mutex_destroy(&m->mu);
	free(m->name);
	free(m->help);
	free_strv(m->label_names, m->nvar);
	free_strv(m->const_labels, 2 * m->nconst);
	free(m->buckets);
	free(m);
}

void pj_metrics_free(pj_metrics *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->len; i++)
		metric_free(r->items[i]);
	free(r->items);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

static bool valid_name(const char *s, bool colon)
{
	if (s == NULL || s[0] == '\0' || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (const char *p = s; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || (colon && c == ':');
		if (!ok)
			return false;
	}
	return true;
}

static size_t strv_len(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static char **strv_dup(const char *const *v, size_t n)
{
	char **out = pj_calloc(n ? n : 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = pj_strdup(v[i]);
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* All label names (constant and variable) of m, sorted, as one comparable string. */
static void label_signature(const pj_metric *m, pj_buf *out)
{
	size_t n = m->nvar + m->nconst;
	const char **names = pj_calloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; i < m->nvar; i++)
		names[i] = m->label_names[i];
	for (size_t i = 0; i < m->nconst; i++)
		names[m->nvar + i] = m->const_labels[2 * i];
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++)
		pj_buf_append(out, names[i], strlen(names[i]) + 1);
	free(names);
}

static char *check_labels(const pj_metric_opts *o, pj_metric_type type)
{
	size_t nvar = strv_len(o->label_names), nconst = strv_len(o->const_labels);
	if (nconst % 2)
		return pj_asprintf("metric %s: constant label %s has no value", o->name,
				   o->const_labels[nconst - 1]);
	size_t n = nvar + nconst / 2;
	const char **names = pj_calloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; i < nvar; i++)
		names[i] = o->label_names[i];
	for (size_t i = 0; i < nconst / 2; i++)
		names[nvar + i] = o->const_labels[2 * i];
	char *err = NULL;
	for (size_t i = 0; i < n && !err; i++) {
		if (!valid_name(names[i], false) || strncmp(names[i], "__", 2) == 0)
			err = pj_asprintf("metric %s: invalid label name \"%s\"", o->name, names[i]);
		else if (type == PJ_METRIC_HISTOGRAM && strcmp(names[i], "le") == 0)
			err = pj_asprintf("metric %s: label name \"le\" is reserved in histograms",
					  o->name);
		for (size_t j = 0; j < i && !err; j++)
			if (strcmp(names[i], names[j]) == 0)
				err = pj_asprintf("metric %s: duplicate label name \"%s\"", o->name,
						  names[i]);
	}
	free(names);
	return err;
}

static char *check_opts(pj_metric_type type, const pj_metric_opts *o)
{
	if (!valid_name(o->name, true))
		return pj_asprintf("invalid metric name \"%s\"", o->name ? o->name : "");
	if ((unsigned)type > PJ_METRIC_HISTOGRAM)
		return pj_asprintf("metric %s: unknown type", o->name);
	if (o->read && (type == PJ_METRIC_HISTOGRAM || strv_len(o->label_names) > 0))
		return pj_asprintf("metric %s: a read callback needs a counter or gauge without "
				   "variable labels",
				   o->name);
	for (size_t i = 1; type == PJ_METRIC_HISTOGRAM && o->buckets && i < o->bucket_count; i++)
		if (!(o->buckets[i] > o->buckets[i - 1]))
			return pj_asprintf("metric %s: histogram buckets must be in increasing order",
					   o->name);
	return check_labels(o, type);
}

static bool same_const_values(const pj_metric *a, const pj_metric *b)
{
	/* Label names are known to be equal sets; compare the values name by name. */
	for (size_t i = 0; i < a->nconst; i++) {
		bool found = false;
		for (size_t j = 0; j < b->nconst && !found; j++)
			found = strcmp(a->const_labels[2 * i], b->const_labels[2 * j]) == 0 &&
				strcmp(a->const_labels[2 * i + 1], b->const_labels[2 * j + 1]) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* Called with r->mu held. */
static char *check_clash(const pj_metrics *r, const pj_metric *m)
{
	pj_buf want = PJ_BUF_INIT, have = PJ_BUF_INIT;
	char *err = NULL;
	label_signature(m, &want);
	for (size_t i = 0; i < r->len && !err; i++) {
		const pj_metric *o = r->items[i];
		if (strcmp(o->name, m->name) != 0)
			continue;
		pj_buf_reset(&have);
		label_signature(o, &have);
		if (o->type != m->type || strcmp(o->help, m->help) != 0 || have.len != want.len ||
		    memcmp(pj_buf_cstr(&have), pj_buf_cstr(&want), want.len) != 0)
			err = pj_asprintf("metric %s is already registered with a different type, "
					  "help or label names",
					  m->name);
		else if (same_const_values(o, m))
			err = pj_asprintf("metric %s is already registered with the same constant "
					  "labels",
					  m->name);
	}
	pj_buf_free(&want);
	pj_buf_free(&have);
	return err;
}

static series *series_get(pj_metric *m, const char *const *values, bool create);

pj_metric *pj_metrics_register(pj_metrics *r, pj_metric_type type, const pj_metric_opts *o,
			       char **err)
{
	*err = check_opts(type, o);
	if (*err)
		return NULL;
	pj_metric *m = pj_calloc(1, sizeof(*m));
	m->type = type;
	m->name = pj_strdup(o->name);
	m->help = pj_strdup(o->help ? o->help : "");
	m->nvar = strv_len(o->label_names);
	m->label_names = strv_dup(o->label_names, m->nvar);
	m->nconst = strv_len(o->const_labels) / 2;
	m->const_labels = strv_dup(o->const_labels, 2 * m->nconst);
	if (type == PJ_METRIC_HISTOGRAM) {
		const double *b = o->buckets ? o->buckets : default_buckets;
		m->nbuckets = o->buckets ? o->bucket_count : sizeof(default_buckets) / sizeof(double);
		/* A trailing +Inf bound is implicit; drop it if the caller listed it. */
		if (m->nbuckets > 0 && isinf(b[m->nbuckets - 1]) && b[m->nbuckets - 1] > 0)
			m->nbuckets--;
		m->buckets = pj_calloc(m->nbuckets ? m->nbuckets : 1, sizeof(double));
		memcpy(m->buckets, b, m->nbuckets * sizeof(double));
	}
	m->read = o->read;
	m->read_ctx = o->read_ctx;
	pthread_mutex_init(&m->mu, NULL);
	/* Like an unlabelled Prometheus metric, a metric without variable labels shows 0 at once. */
	if (m->nvar == 0 && m->read == NULL)
		series_get(m, NULL, true);

	pthread_mutex_lock(&r->mu);
	*err = check_clash(r, m);
	if (*err == NULL) {
		r->items = pj_grow(r->items, &r->cap, r->len + 1, sizeof(*r->items));
		r->items[r->len++] = m;
	}
	pthread_mutex_unlock(&r->mu);
	if (*err) {
		metric_free(m);
		return NULL;
	}
	return m;
}

void pj_metrics_unregister(pj_metrics *r, pj_metric *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < r->len; i++) {
		if (r->items[i] == m) {
			memmove(&r->items[i], &r->items[i + 1], (r->len - i - 1) * sizeof(*r->items));
			r->len--;
			break;
		}
	}
	pthread_mutex_unlock(&r->mu);
	metric_free(m);
}

static void series_key(const pj_metric *m, const char *const *values, pj_buf *key)
{
	if (m->nvar > 0 && values == NULL)
		metric_misuse(m, "label values missing");
	for (size_t i = 0; i < m->nvar; i++) {
		if (values[i] == NULL)
			metric_misuse(m, "fewer label values than label names");
		pj_buf_append(key, values[i], strlen(values[i]) + 1);
	}
}

/* Called with m->mu held (or before m is shared). */
static series *series_get(pj_metric *m, const char *const *values, bool create)
{
	pj_buf key = PJ_BUF_INIT;
	series_key(m, values, &key);
	series *s = pj_hmap_get(&m->series, pj_buf_cstr(&key), key.len);
	if (s == NULL && create) {
		s = pj_calloc(1, sizeof(*s));
		s->values = strv_dup(values, m->nvar);
		if (m->type == PJ_METRIC_HISTOGRAM)
			s->counts = pj_calloc(m->nbuckets + 1, sizeof(*s->counts));
		pj_hmap_put(&m->series, pj_buf_cstr(&key), key.len, s);
	}
	pj_buf_free(&key);
	return s;
}

void pj_metric_add(pj_metric *m, const char *const *values, double delta)
{
	if (m->type == PJ_METRIC_HISTOGRAM || m->read)
		metric_misuse(m, "add on a histogram or read-only metric");
	/* Counters only go up; a negative delta is a caller bug that must not corrupt the series. */
	if (m->type == PJ_METRIC_COUNTER && !(delta >= 0))
		return;
	pthread_mutex_lock(&m->mu);
	series_get(m, values, true)->value += delta;
	pthread_mutex_unlock(&m->mu);
}

void pj_metric_inc(pj_metric *m, const char *const *values)
{
	pj_metric_add(m, values, 1);
}

void pj_metric_set(pj_metric *m, const char *const *values, double value)
{
	if (m->type != PJ_METRIC_GAUGE || m->read)
		metric_misuse(m, "set on a metric that is not a stored gauge");
	pthread_mutex_lock(&m->mu);
	series_get(m, values, true)->value = value;
	pthread_mutex_unlock(&m->mu);
}

void pj_metric_observe(pj_metric *m, const char *const *values, double value)
{
	if (m->type != PJ_METRIC_HISTOGRAM)
		metric_misuse(m, "observe on a metric that is not a histogram");
	size_t bucket = 0;
	while (bucket < m->nbuckets && !(value <= m->buckets[bucket]))
		bucket++;
	pthread_mutex_lock(&m->mu);
	series *s = series_get(m, values, true);
	s->counts[bucket]++;
	s->count++;
	s->sum += value;
	pthread_mutex_unlock(&m->mu);
}

double pj_metric_value(pj_metric *m, const char *const *values)
{
	if (m->read)
		return m->read(m->read_ctx);
	pthread_mutex_lock(&m->mu);
	series *s = series_get(m, values, false);
	double v = s == NULL ? 0 : m->type == PJ_METRIC_HISTOGRAM ? (double)s->count : s->value;
	pthread_mutex_unlock(&m->mu);
	return v;
}

bool pj_metric_remove(pj_metric *m, const char *const *values)
{
	pj_buf key = PJ_BUF_INIT;
	series_key(m, values, &key);
	pthread_mutex_lock(&m->mu);
	series *s = pj_hmap_remove(&m->series, pj_buf_cstr(&key), key.len);
	pthread_mutex_unlock(&m->mu);
	pj_buf_free(&key);
	if (s)
		series_free(s, m->nvar);
	return s != NULL;
}

pj_metric *pj_metrics_register_build_info(pj_metrics *r, const char *version)
{
	const char *const labels[] = {"version", version, NULL};
	pj_metric_opts o = {
		.name = "pyrojava_build_info",
		.help = "A metric with a constant '1' value labeled by version from which pyrojava "
			"was built.",
		.const_labels = labels,
	};
	char *err = NULL;
	pj_metric *m = pj_metrics_register(r, PJ_METRIC_GAUGE, &o, &err);
	if (m == NULL) {
		free(err);
		return NULL;
	}
	pj_metric_set(m, NULL, 1);
	return m;
}

void pj_metrics_format_float(pj_buf *out, double v)
{
	if (isnan(v)) {
		pj_buf_puts(out, "NaN");
		return;
	}
	if (isinf(v)) {
		pj_buf_puts(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == 0) {
		pj_buf_putc(out, '0');
		return;
	}
	/* Shortest digits that read back as v, then Go's 'g' layout: exponent form
	 * when the decimal exponent is < -4 or >= 6 (not C's precision-based rule). */
	char tmp[40];
	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	char digits[24];
	size_t nd = 0;
	const char *p = tmp;
	bool neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && nd < sizeof(digits))
			digits[nd++] = *p;
	int exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (neg)
		pj_buf_putc(out, '-');
	if (exp < -4 || exp >= 6) {
		pj_buf_putc(out, digits[0]);
		if (nd > 1) {
			pj_buf_putc(out, '.');
			pj_buf_append(out, digits + 1, nd - 1);
		}
		pj_buf_printf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return;
	}
	if (exp < 0) {
		pj_buf_puts(out, "0.");
		pj_buf_fill(out, '0', (size_t)(-exp - 1));
		pj_buf_append(out, digits, nd);
		return;
	}
	size_t int_digits = (size_t)exp + 1;
	pj_buf_append(out, digits, nd < int_digits ? nd : int_digits);
	if (nd < int_digits) {
		pj_buf_fill(out, '0', int_digits - nd);
	} else if (nd > int_digits) {
		pj_buf_putc(out, '.');
		pj_buf_append(out, digits + int_digits, nd - int_digits);
	}
}

/* Label values escape \ " and newline; HELP text escapes only \ and newline. */
static void put_escaped(pj_buf *b, const char *s, bool quotes)
{
	for (; *s; s++) {
		if (*s == '\\')
			pj_buf_puts(b, "\\\\");
		else if (*s == '\n')
			pj_buf_puts(b, "\\n");
		else if (*s == '"' && quotes)
			pj_buf_puts(b, "\\\"");
		else
			pj_buf_putc(b, *s);
	}
}

typedef struct label_pair {
	const char *name;
	const char *value;
} label_pair;

typedef struct row {
	pj_buf key; /* label values in label-name order, NUL-separated: the sort key */
	pj_buf text;
} row;

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const label_pair *)a)->name, ((const label_pair *)b)->name);
}

static int cmp_row(const void *a, const void *b)
{
	const row *x = a, *y = b;
	size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
	int c = n ? memcmp(x->key.data, y->key.data, n) : 0;
	if (c != 0)
		return c;
	return (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static void put_sample(pj_buf *b, const char *name, const char *suffix, const label_pair *pairs,
		       size_t n, const char *le, double v)
{
	pj_buf_puts(b, name);
	pj_buf_puts(b, suffix);
	if (n > 0 || le) {
		pj_buf_putc(b, '{');
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				pj_buf_putc(b, ',');
			pj_buf_printf(b, "%s=\"", pairs[i].name);
			put_escaped(b, pairs[i].value, true);
			pj_buf_putc(b, '"');
		}
		if (le)
			pj_buf_printf(b, "%sle=\"%s\"", n > 0 ? "," : "", le);
		pj_buf_putc(b, '}');
	}
	pj_buf_putc(b, ' ');
	pj_metrics_format_float(b, v);
	pj_buf_putc(b, '\n');
}

static void render_histogram(pj_buf *b, const pj_metric *m, const series *s,
			     const label_pair *pairs, size_t n)
{
	pj_buf le = PJ_BUF_INIT;
	uint64_t cumulative = 0;
	for (size_t i = 0; i <= m->nbuckets; i++) {
		cumulative += s->counts[i];
		pj_buf_reset(&le);
		if (i < m->nbuckets)
			pj_metrics_format_float(&le, m->buckets[i]);
		else
			pj_buf_puts(&le, "+Inf");
		put_sample(b, m->name, "_bucket", pairs, n, pj_buf_cstr(&le), (double)cumulative);
	}
	pj_buf_free(&le);
	put_sample(b, m->name, "_sum", pairs, n, NULL, s->sum);
	put_sample(b, m->name, "_count", pairs, n, NULL, (double)s->count);
}

/* Renders one series (s may be NULL for a read callback) as a sortable row. */
static void render_series(const pj_metric *m, const series *s, double value, row *out)
{
	size_t n = m->nconst + m->nvar;
	label_pair *pairs = pj_calloc(n ? n : 1, sizeof(*pairs));
	for (size_t i = 0; i < m->nconst; i++)
		pairs[i] = (label_pair){m->const_labels[2 * i], m->const_labels[2 * i + 1]};
	for (size_t i = 0; i < m->nvar; i++)
		pairs[m->nconst + i] = (label_pair){m->label_names[i], s->values[i]};
	qsort(pairs, n, sizeof(*pairs), cmp_pair);
	*out = (row){PJ_BUF_INIT, PJ_BUF_INIT};
	for (size_t i = 0; i < n; i++)
		pj_buf_append(&out->key, pairs[i].value, strlen(pairs[i].value) + 1);
	if (m->type == PJ_METRIC_HISTOGRAM)
		render_histogram(&out->text, m, s, pairs, n);
	else
		put_sample(&out->text, m->name, "", pairs, n, NULL, s ? s->value : value);
	free(pairs);
}

/* Appends rows for every series of m. Called with the registry lock held. */
static void collect_rows(pj_metric *m, row **rows, size_t *len, size_t *cap)
{
	if (m->read) {
		double v = m->read(m->read_ctx);
		*rows = pj_grow(*rows, cap, *len + 1, sizeof(**rows));
		render_series(m, NULL, v, &(*rows)[(*len)++]);
		return;
	}
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->series.len; i++) {
		if (!m->series.entries[i].key)
			continue;
		*rows = pj_grow(*rows, cap, *len + 1, sizeof(**rows));
		render_series(m, m->series.entries[i].value, 0, &(*rows)[(*len)++]);
	}
	pthread_mutex_unlock(&m->mu);
}

static int cmp_metric_name(const void *a, const void *b)
{
	const pj_metric *x = *(pj_metric *const *)a, *y = *(pj_metric *const *)b;
	return strcmp(x->name, y->name);
}

static void write_family(pj_buf *out, pj_metric **family, size_t count)
{
	row *rows = NULL;
	size_t len = 0, cap = 0;
	for (size_t i = 0; i < count; i++)
		collect_rows(family[i], &rows, &len, &cap);
	/* Like the Go client, a family without any series is left out entirely. */
	if (len > 0) {
		pj_buf_printf(out, "# HELP %s ", family[0]->name);
		put_escaped(out, family[0]->help, false);
		pj_buf_printf(out, "\n# TYPE %s %s\n", family[0]->name, type_names[family[0]->type]);
		qsort(rows, len, sizeof(*rows), cmp_row);
	}
	for (size_t i = 0; i < len; i++) {
		pj_buf_append(out, rows[i].text.data, rows[i].text.len);
		pj_buf_free(&rows[i].key);
		pj_buf_free(&rows[i].text);
	}
	free(rows);
}

void pj_metrics_write_text(pj_metrics *r, pj_buf *out)
{
	pthread_mutex_lock(&r->mu);
	pj_metric **sorted = pj_calloc(r->len ? r->len : 1, sizeof(*sorted));
	memcpy(sorted, r->items, r->len * sizeof(*sorted));
	size_t n = r->len;
	qsort(sorted, n, sizeof(*sorted), cmp_metric_name);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(sorted[j]->name, sorted[i]->name) == 0)
			j++;
		write_family(out, sorted + i, j - i);
		i = j;
	}
	pthread_mutex_unlock(&r->mu);
	free(sorted);
}
