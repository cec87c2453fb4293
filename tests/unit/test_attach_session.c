/*
 * pj_attach's whole client side against a fake JVM: a forked process that
 * maps a file called libjvm.so, handles SIGQUIT, and on SIGQUIT plus a
 * trigger file in its cwd opens /tmp/.java_pid<pid> and answers as told.
 * This reaches the error paths a healthy real JVM never takes: garbage and
 * missing replies, a listener that never starts or never answers, a target
 * that dies, and one that does not handle SIGQUIT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jvm/attach.h"

typedef enum {
	FAKE_ANSWER,       /* "0\nfake output\n" */
	FAKE_GARBAGE,      /* a reply without a status line */
	FAKE_SILENT,       /* closes without a reply */
	FAKE_HANG,         /* accepts, never answers */
	FAKE_NO_LISTENER,  /* takes SIGQUIT, never opens the socket */
	FAKE_DIE,          /* exits on SIGQUIT */
	FAKE_NO_HANDLER,   /* SIGQUIT left at its default action */
	FAKE_BUSY,         /* listener up from the start, backlog full, never accepts */
	FAKE_STALE,        /* as FAKE_ANSWER, but a dead socket of an earlier JVM is in the way */
} fake_mode;

typedef struct fake_jvm {
	char dir[64];
	pid_t pid;
} fake_jvm;

static volatile sig_atomic_t fake_got_quit;

static void fake_on_quit(int sig)
{
	(void)sig;
	fake_got_quit = 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static int fake_listen(int backlog)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/.java_pid%d", (int)getpid());
	unlink(addr.sun_path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(s, backlog) != 0)
		_exit(10);
	return s;
}

/* Serves one connection; the request bytes are saved to ./request. */
static void fake_serve(fake_mode mode, int s)
{
	struct pollfd p = {.fd = s, .events = POLLIN};
	int c = poll(&p, 1, 30000) == 1 ? accept(s, NULL, NULL) : -1;
	if (c < 0)
		_exit(11);
	char req[4096];
	ssize_t n = read(c, req, sizeof(req));
	int f = open("request", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (n < 0 || f < 0 || write(f, req, (size_t)n) != n)
		_exit(12);
	close(f);
	bool answer = mode == FAKE_ANSWER || mode == FAKE_STALE;
	const char *reply = answer ? "0\nfake output\n" : "hello, world\n";
	if (mode == FAKE_HANG)
		sleep_ms(30000);
	if (mode != FAKE_SILENT && write(c, reply, strlen(reply)) < 0)
		_exit(13);
	close(c);
}

/* A listener whose one-slot backlog is taken by a connection never accepted. */
static void fake_busy_listener(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/.java_pid%d", (int)getpid());
	fake_listen(0);
	for (int i = 0; i < 2; i++) {
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (c < 0)
			_exit(14);
		connect(c, (struct sockaddr *)&addr, sizeof(addr));
	}
}

static void fake_main(fake_mode mode, const char *dir, int ready_fd)
{
	/* A failed assertion leaves the fake behind: it must not outlive the test. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		_exit(1);
	if (chdir(dir) != 0)
		_exit(2);
	/* Mapping a file named libjvm.so is what makes a process a JVM here. */
	int fd = open("libjvm.so", O_RDWR | O_CREAT, 0644);
	if (fd < 0 || write(fd, "x", 1) != 1 || mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
		_exit(3);
	if (mode != FAKE_NO_HANDLER) {
		struct sigaction sa = {.sa_handler = fake_on_quit};
		sigaction(SIGQUIT, &sa, NULL);
	}
	if (mode == FAKE_BUSY)
		fake_busy_listener();
	if (mode == FAKE_STALE)
		close(fake_listen(1)); /* the socket file stays, nobody listens */
	if (write(ready_fd, "r", 1) != 1)
		_exit(4);
	if (mode == FAKE_BUSY) {
		/* Record a SIGQUIT: it must never come, the listener exists. */
		while (!fake_got_quit)
			sleep_ms(5);
		close(open("got_quit", O_WRONLY | O_CREAT, 0644));
		sleep_ms(30000);
	}
	while (!fake_got_quit)
		sleep_ms(5);
	char trigger[32];
	snprintf(trigger, sizeof(trigger), ".attach_pid%d", (int)getpid());
	if (access(trigger, F_OK) != 0 || mode == FAKE_DIE)
		_exit(5);
	if (mode == FAKE_NO_LISTENER)
		sleep_ms(30000);
	int s = fake_listen(5);
	fake_serve(mode, s);
	/* Stay alive: a reply problem must not be mistaken for a dead target. */
	if (mode != FAKE_ANSWER && mode != FAKE_STALE)
		sleep_ms(30000);
	_exit(0);
}

static fake_jvm *fake_start(fake_mode mode)
{
	fake_jvm *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	strcpy(f->dir, "/tmp/pj_fake_jvm.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		close(fds[0]);
		fake_main(mode, f->dir, fds[1]);
	}
	close(fds[1]);
	char c;
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return f;
}

static void fake_stop(fake_jvm *f)
{
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	char path[128];
	snprintf(path, sizeof(path), "/tmp/.java_pid%d", (int)f->pid);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf '%s'", f->dir);
	assert_int_equal(system(path), 0);
	free(f);
}

static void assert_trigger_removed(const fake_jvm *f)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/.attach_pid%d", f->dir, (int)f->pid);
	assert_int_equal(access(path, F_OK), -1);
}

/*
 * Attaches to the fake. Expected successes get a start deadline no loaded
 * machine reaches; only the tests that want the listener deadline to pass
 * use SHORT_START_MS.
 */
enum { SHORT_START_MS = 1500, LONG_START_MS = 60000 };

static pj_attach_err attach_fake(const fake_jvm *f, int start_ms, int reply_ms,
				 pj_attach_err want, pj_attach_result *res)
{
	pj_attach_opts opts;
	pj_attach_opts_init(&opts);
	opts.start_timeout_ms = start_ms;
	opts.reply_timeout_ms = reply_ms;
	const char *args[] = {"VM.version"};
	pj_attach_err err = pj_attach(f->pid, "jcmd", args, 1, &opts, res);
	if (err != want)
		print_message("attach to fake %d: %s\n", (int)f->pid, res->message);
	return err;
}

static void expect_attach(const fake_jvm *f, int start_ms, int reply_ms, pj_attach_err want,
			  pj_attach_result *res)
{
	assert_int_equal(attach_fake(f, start_ms, reply_ms, want, res), want);
}

/* A whole v1 exchange: the reply is parsed and the fake saw exactly one request. */
static void check_full_exchange(fake_mode mode)
{
	fake_jvm *f = fake_start(mode);
	pj_attach_result res;
	expect_attach(f, LONG_START_MS, 5000, PJ_ATTACH_OK, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.result, 0);
	assert_int_equal(res.protocol, 1);
	assert_string_equal(pj_buf_cstr(&res.output), "fake output\n");
	pj_attach_result_free(&res);
	assert_trigger_removed(f);
	int status;
	assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char path[128], req[64];
	snprintf(path, sizeof(path), "%s/request", f->dir);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	static const char want[] = "1\0jcmd\0VM.version\0\0";
	assert_int_equal(read(fd, req, sizeof(req)), sizeof(want));
	assert_memory_equal(req, want, sizeof(want));
	close(fd);
	fake_stop(f);
}

static void test_full_exchange(void **state)
{
	(void)state;
	check_full_exchange(FAKE_ANSWER);
}

/*
 * A socket left by a dead JVM with the same PID is replaced by the new
 * listener; on ext4 the new socket often gets the freed inode number, so the
 * client must not recognise "the stale one" by inode alone.
 */
static void test_stale_socket_replaced(void **state)
{
	(void)state;
	check_full_exchange(FAKE_STALE);
}

static void test_garbage_reply(void **state)
{
	(void)state;
	fake_jvm *f = fake_start(FAKE_GARBAGE);
	pj_attach_result res;
	expect_attach(f, LONG_START_MS, 5000, PJ_ATTACH_ERR_BAD_REPLY, &res);
	assert_non_null(strstr(res.message, "does not start with a status line"));
	pj_attach_result_free(&res);
	fake_stop(f);
}

static void test_no_reply(void **state)
{
	(void)state;
	fake_jvm *f = fake_start(FAKE_SILENT);
	pj_attach_result res;
	expect_attach(f, LONG_START_MS, 5000, PJ_ATTACH_ERR_BAD_REPLY, &res);
	assert_non_null(strstr(res.message, "without a reply"));
	pj_attach_result_free(&res);
	fake_stop(f);
}

static void test_reply_deadline(void **state)
{
	(void)state;
	fake_jvm *f = fake_start(FAKE_HANG);
	pj_attach_result res;
	expect_attach(f, LONG_START_MS, 300, PJ_ATTACH_ERR_TIMEOUT, &res);
	assert_non_null(strstr(res.message, "timed out reading the reply"));
	pj_attach_result_free(&res);
	fake_stop(f);
}

static void test_listener_never_starts(void **state)
{
	(void)state;
	fake_jvm *f = fake_start(FAKE_NO_LISTENER);
	pj_attach_result res;
	expect_attach(f, SHORT_START_MS, 5000, PJ_ATTACH_ERR_TIMEOUT, &res);
	assert_non_null(strstr(res.message, "did not start its attach listener within 1500 ms"));
	pj_attach_result_free(&res);
	assert_trigger_removed(f);
	fake_stop(f);
}

static void test_target_dies(void **state)
{
	(void)state;
	fake_jvm *f = fake_start(FAKE_DIE);
	pj_attach_result res;
	expect_attach(f, LONG_START_MS, 5000, PJ_ATTACH_ERR_GONE, &res);
	assert_non_null(strstr(res.message, "exited"));
	pj_attach_result_free(&res);
	fake_stop(f);
}

static void test_no_sigquit_handler(void **state)
{
	(void)state;
	fake_jvm *f = fake_start(FAKE_NO_HANDLER);
	pj_attach_result res;
	expect_attach(f, LONG_START_MS, 5000, PJ_ATTACH_ERR_NOT_READY, &res);
	assert_non_null(strstr(res.message, "does not handle SIGQUIT"));
	pj_attach_result_free(&res);
	/* SIGQUIT's default action would have killed it. */
	assert_int_equal(kill(f->pid, 0), 0);
	assert_int_equal(waitpid(f->pid, NULL, WNOHANG), 0);
	assert_trigger_removed(f);
	fake_stop(f);
}

static void test_busy_listener_not_signalled(void **state)
{
	(void)state;
	fake_jvm *f = fake_start(FAKE_BUSY);
	pj_attach_result res;
	expect_attach(f, SHORT_START_MS, 5000, PJ_ATTACH_ERR_TIMEOUT, &res);
	assert_non_null(strstr(res.message, "stayed busy"));
	pj_attach_result_free(&res);
	char path[128];
	snprintf(path, sizeof(path), "%s/got_quit", f->dir);
	sleep_ms(50);
	assert_int_equal(access(path, F_OK), -1);
	fake_stop(f);
}

static void test_pid_reuse_detected(void **state)
{
	(void)state;
	fake_jvm *f = fake_start(FAKE_ANSWER);
	pj_attach_opts opts;
	pj_attach_opts_init(&opts);
	opts.start_time = 1; /* not the fake's start time: the PID "was reused" */
	pj_attach_result res;
	assert_int_equal(pj_attach(f->pid, "properties", NULL, 0, &opts, &res), PJ_ATTACH_ERR_GONE);
	assert_non_null(strstr(res.message, "belongs to another process"));
	pj_attach_result_free(&res);
	fake_stop(f);
}

static void *attach_thread(void *arg)
{
	fake_jvm *f = arg;
	pj_attach_result res;
	pj_attach_err err = attach_fake(f, LONG_START_MS, 5000, PJ_ATTACH_OK, &res);
	bool ok = err == PJ_ATTACH_OK && strcmp(pj_buf_cstr(&res.output), "fake output\n") == 0;
	pj_attach_result_free(&res);
	return ok ? f : NULL;
}

/* Several threads of one daemon attach at once: each gets its own answer. */
static void test_concurrent_attaches(void **state)
{
	(void)state;
	enum { N = 4 };
	fake_jvm *fakes[N];
	pthread_t threads[N];
	for (int i = 0; i < N; i++)
		fakes[i] = fake_start(FAKE_ANSWER);
	for (int i = 0; i < N; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, attach_thread, fakes[i]), 0);
	for (int i = 0; i < N; i++) {
		void *ret;
		assert_int_equal(pthread_join(threads[i], &ret), 0);
		assert_ptr_equal(ret, fakes[i]);
	}
	for (int i = 0; i < N; i++)
		fake_stop(fakes[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_exchange),
		cmocka_unit_test(test_stale_socket_replaced),
		cmocka_unit_test(test_garbage_reply),
		cmocka_unit_test(test_no_reply),
		cmocka_unit_test(test_reply_deadline),
		cmocka_unit_test(test_listener_never_starts),
		cmocka_unit_test(test_target_dies),
		cmocka_unit_test(test_no_sigquit_handler),
		cmocka_unit_test(test_pid_reuse_detected),
		cmocka_unit_test(test_busy_listener_not_signalled),
		cmocka_unit_test(test_concurrent_attaches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
