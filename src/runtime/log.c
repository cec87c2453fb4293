#include "runtime/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/goquote.h"
#include "base/jsonquote.h"
#include "base/utf8.h"

static struct {
	pthread_mutex_t mu; /* serialises writes and guards out/clock */
	int level; /* pj_log_level, read without the lock on the hot path */
	int format; /* pj_log_format */
	FILE *out; /* NULL = stderr */
	void (*clock)(struct timespec *ts);
} g_log = {PTHREAD_MUTEX_INITIALIZER, PJ_LOG_INFO, PJ_LOG_LOGFMT, NULL, NULL};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

const char *pj_log_level_name(pj_log_level level)
{
	if ((unsigned)level > PJ_LOG_ERROR)
		return "info";
	return level_names[level];
}

bool pj_log_parse_level(const char *s, pj_log_level *out, char **err)
{
	if (s[0] == '\0') {
		*out = PJ_LOG_INFO;
		return true;
	}
	for (int i = PJ_LOG_DEBUG; i <= PJ_LOG_ERROR; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (pj_log_level)i;
			return true;
		}
	}
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, "unrecognized log level ");
	pj_quote_go(&b, s, strlen(s));
	*err = pj_buf_detach(&b);
	return false;
}

bool pj_log_parse_format(const char *s, pj_log_format *out, char **err)
{
	if (s[0] == '\0' || strcmp(s, "logfmt") == 0) {
		*out = PJ_LOG_LOGFMT;
		return true;
	}
	if (strcmp(s, "json") == 0) {
		*out = PJ_LOG_JSON;
		return true;
	}
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, "unrecognized log format ");
	pj_quote_go(&b, s, strlen(s));
	*err = pj_buf_detach(&b);
	return false;
}

void pj_log_configure(pj_log_level level, pj_log_format format)
{
	__atomic_store_n(&g_log.level, (int)level, __ATOMIC_RELAXED);
	__atomic_store_n(&g_log.format, (int)format, __ATOMIC_RELAXED);
}

void pj_log_set_output(FILE *out)
{
	pthread_mutex_lock(&g_log.mu);
	g_log.out = out;
	pthread_mutex_unlock(&g_log.mu);
}

void pj_log_set_clock(void (*now)(struct timespec *ts))
{
	pthread_mutex_lock(&g_log.mu);
	g_log.clock = now;
	pthread_mutex_unlock(&g_log.mu);
}

bool pj_log_enabled(pj_log_level level)
{
	return (int)level >= __atomic_load_n(&g_log.level, __ATOMIC_RELAXED);
}

/* Go's time.RFC3339Nano in UTC: fraction without trailing zeros, none at all for whole seconds. */
static void format_time(const struct timespec *ts, char *out, size_t size)
{
	struct tm tm;
	time_t secs = ts->tv_sec;
	gmtime_r(&secs, &tm);
	size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	long nsec = ts->tv_nsec;
	if (nsec > 0 && nsec < 1000000000L) {
		int digits = 9;
		while (nsec % 10 == 0) {
			nsec /= 10;
			digits--;
		}
		n += (size_t)snprintf(out + n, size - n, ".%0*ld", digits, nsec);
	}
	snprintf(out + n, size - n, "Z");
}

/* Alloy rewrites keys the same way for both formats so they stay greppable. */
static void put_key_text(pj_buf *tmp, const char *key)
{
	while (*key == ' ' || (*key >= '\t' && *key <= '\r'))
		key++;
	size_t len = strlen(key);
	while (len > 0 && (key[len - 1] == ' ' || (key[len - 1] >= '\t' && key[len - 1] <= '\r')))
		len--;
	for (size_t i = 0; i < len; i++) {
		char c = key[i];
		bool unsafe = c == ' ' || c == '=' || c == '"' || (c >= '\t' && c <= '\r');
		pj_buf_putc(tmp, unsafe ? '_' : c);
	}
}

static void put_field(pj_buf *line, pj_buf *tmp, pj_log_format format, const char *key,
		      const char *value)
{
	pj_buf_reset(tmp);
	put_key_text(tmp, key);
	if (value == NULL)
		value = "";
	size_t vlen = strlen(value);
	if (format == PJ_LOG_JSON) {
		if (line->len > 1)
			pj_buf_putc(line, ',');
		pj_json_quote(line, tmp->data ? tmp->data : "", tmp->len, PJ_JSON_SLOG);
		pj_buf_putc(line, ':');
		pj_json_quote(line, value, vlen, PJ_JSON_SLOG);
		return;
	}
	if (line->len > 0)
		pj_buf_putc(line, ' ');
	if (pj_go_needs_quoting(pj_buf_cstr(tmp), tmp->len))
		pj_quote_go(line, pj_buf_cstr(tmp), tmp->len);
	else
		pj_buf_append(line, tmp->data, tmp->len);
	pj_buf_putc(line, '=');
	if (pj_go_needs_quoting(value, vlen))
		pj_quote_go(line, value, vlen);
	else
		pj_buf_append(line, value, vlen);
}

/* kv holds NUL-separated key, value pairs (kv_len bytes). */
static void emit(pj_log_level level, const char *component_id, const char *msg, const char *kv,
		 size_t kv_len)
{
	pj_log_format format = (pj_log_format)__atomic_load_n(&g_log.format, __ATOMIC_RELAXED);
	pj_buf line = PJ_BUF_INIT, tmp = PJ_BUF_INIT;
	struct timespec now = {0, 0};
	char ts[64];

	pthread_mutex_lock(&g_log.mu);
	if (g_log.clock)
		g_log.clock(&now);
	else
		clock_gettime(CLOCK_REALTIME, &now);
	pthread_mutex_unlock(&g_log.mu);
	format_time(&now, ts, sizeof(ts));

	if (format == PJ_LOG_JSON)
		pj_buf_putc(&line, '{');
	put_field(&line, &tmp, format, "ts", ts);
	put_field(&line, &tmp, format, "level", pj_log_level_name(level));
	if (msg && msg[0])
		put_field(&line, &tmp, format, "msg", msg);
	if (component_id) {
		put_field(&line, &tmp, format, "component_path", "/");
		put_field(&line, &tmp, format, "component_id", component_id);
	}
	for (size_t off = 0; off < kv_len;) {
		const char *key = kv + off;
		const char *value = key + strlen(key) + 1;
		off = (size_t)(value - kv) + strlen(value) + 1;
		put_field(&line, &tmp, format, key, value);
	}
	if (format == PJ_LOG_JSON)
		pj_buf_putc(&line, '}');
	pj_buf_putc(&line, '\n');

	pthread_mutex_lock(&g_log.mu);
	FILE *out = g_log.out ? g_log.out : stderr;
	/* A logger has nowhere to report its own write errors; dropping the line is all it can do. */
	if (fwrite(line.data, 1, line.len, out) == line.len)
		fflush(out);
	pthread_mutex_unlock(&g_log.mu);
	pj_buf_free(&line);
	pj_buf_free(&tmp);
}

static void append_pair(pj_buf *kv, const char *key, const char *value)
{
	pj_buf_append(kv, key, strlen(key) + 1);
	if (value == NULL)
		value = "";
	pj_buf_append(kv, value, strlen(value) + 1);
}

static void collect_pairs(pj_buf *kv, va_list ap)
{
	for (;;) {
		const char *key = va_arg(ap, const char *);
		if (key == NULL)
			return;
		append_pair(kv, key, va_arg(ap, const char *));
	}
}

void pj_log_v(pj_log_level level, const char *component_id, const char *msg, va_list ap)
{
	if (!pj_log_enabled(level))
		return;
	pj_buf kv = PJ_BUF_INIT;
	collect_pairs(&kv, ap);
	emit(level, component_id, msg, kv.data, kv.len);
	pj_buf_free(&kv);
}

void pj_log(pj_log_level level, const char *component_id, const char *msg, ...)
{
	va_list ap;
	va_start(ap, msg);
	pj_log_v(level, component_id, msg, ap);
	va_end(ap);
}

void pj_log_begin(pj_log_entry *e, pj_log_level level, const char *component_id, const char *msg)
{
	e->level = level;
	e->enabled = pj_log_enabled(level);
	e->component_id = component_id;
	e->msg = msg;
	e->kv = (pj_buf)PJ_BUF_INIT;
}

void pj_log_kv(pj_log_entry *e, const char *key, const char *value)
{
	if (e->enabled)
		append_pair(&e->kv, key, value);
}

void pj_log_kvf(pj_log_entry *e, const char *key, const char *fmt, ...)
{
	if (!e->enabled)
		return;
	pj_buf_append(&e->kv, key, strlen(key) + 1);
	size_t start = e->kv.len;
	va_list ap;
	va_start(ap, fmt);
	pj_buf_vprintf(&e->kv, fmt, ap);
	va_end(ap);
	/* A %c of 0 would split the pair list; cut the value there instead. */
	size_t vlen = strnlen(e->kv.data + start, e->kv.len - start);
	e->kv.len = start + vlen;
	pj_buf_putc(&e->kv, '\0');
}

void pj_log_end(pj_log_entry *e)
{
	if (e->enabled)
		emit(e->level, e->component_id, e->msg, e->kv.data, e->kv.len);
	pj_buf_free(&e->kv);
}
