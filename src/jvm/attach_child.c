/*
 * The forked half of an attach (spec A.1 steps 2-9, B.2, B.3). Order matters:
 * every descriptor that names the target through the host's /proc is opened
 * before setns(mnt) replaces /proc with the container's, and credentials are
 * switched last, after the privileged opens, so that the trigger file belongs
 * to the JVM user and anything the container planted is touched with that
 * user's rights only.
 */
#include "jvm/attach_child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "jvm/attach.h"
#include "jvm/attach_proto.h"
#include "jvm/proc_info.h"
#include "jvm/safe_open.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void fail(pj_attach_outcome *out, pj_attach_err err, int sys_errno, const char *step)
{
	out->err = err;
	out->sys_errno = sys_errno;
	out->step = step;
}

/* Permission errors are the caller's privileges; anything else is the system's. */
static pj_attach_err errno_kind(int e)
{
	if (e == EPERM || e == EACCES)
		return PJ_ATTACH_ERR_PERMISSION;
	if (e == ESRCH)
		return PJ_ATTACH_ERR_GONE;
	return PJ_ATTACH_ERR_SYSTEM;
}

/* "<prefix><n>" without stdio: the child must not allocate or lock. */
static void format_name(char *buf, size_t size, const char *prefix, pid_t n)
{
	char digits[16];
	size_t nd = 0;
	unsigned long v = (unsigned long)n;
	do
		digits[nd++] = (char)('0' + v % 10);
	while ((v /= 10) && nd < sizeof(digits));
	size_t len = strlen(prefix);
	if (len + nd + 1 > size)
		len = 0;
	memcpy(buf, prefix, len);
	for (size_t i = 0; i < nd; i++)
		buf[len + i] = digits[nd - 1 - i];
	buf[len + nd] = '\0';
}

static const struct {
	const char *name;
	int type;
	const char *step;
} pj_namespaces[] = {
	/* net and ipc matter only to OpenJ9; mnt must come last (see above). */
	{"net", CLONE_NEWNET, "entering the target's network namespace"},
	{"ipc", CLONE_NEWIPC, "entering the target's IPC namespace"},
	{"mnt", CLONE_NEWNS, "entering the target's mount namespace"},
};

static int enter_namespaces(const pj_attach_job *job, pj_attach_outcome *out)
{
	int fds[3] = {-1, -1, -1};
	char path[32];
	for (size_t i = 0; i < 3; i++) {
		struct stat mine, theirs;
		memcpy(path, "/proc/self/ns/", 15);
		strcat(path, pj_namespaces[i].name);
		if (stat(path, &mine) != 0)
			continue; /* kernel without this namespace type */
		memcpy(path, "ns/", 4);
		strcat(path, pj_namespaces[i].name);
		if (fstatat(job->procfd, path, &theirs, 0) != 0) {
			fail(out, errno_kind(errno), errno, pj_namespaces[i].step);
			goto fail;
		}
		if (mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev)
			continue;
		fds[i] = openat(job->procfd, path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			fail(out, errno_kind(errno), errno, pj_namespaces[i].step);
			goto fail;
		}
	}
	for (size_t i = 0; i < 3; i++) {
		if (fds[i] >= 0 && setns(fds[i], pj_namespaces[i].type) != 0) {
			fail(out, errno_kind(errno), errno, pj_namespaces[i].step);
			goto fail;
		}
	}
	for (size_t i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return 0;
fail:
	for (size_t i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return -1;
}

static int switch_credentials(const pj_attach_job *job, pj_attach_outcome *out)
{
	/* gid first: once the euid is no longer 0 it could not be changed. */
	if (getegid() != job->egid && setresgid(-1, job->egid, -1) != 0) {
		fail(out, errno_kind(errno), errno, "switching to the JVM's group");
		return -1;
	}
	if (geteuid() != job->euid && setresuid(-1, job->euid, -1) != 0) {
		fail(out, errno_kind(errno), errno, "switching to the JVM's user");
		return -1;
	}
	return 0;
}

/*
 * Connects to `name` in the current directory (the target's /tmp). A full
 * backlog (a busy listener, EAGAIN) is waited out until the deadline rather
 * than mistaken for a missing listener: SIGQUIT to a JVM whose listener runs
 * only prints a thread dump into its output. Returns fd or -errno.
 */
static int connect_socket(const char *name, long long deadline)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	if (len >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, name, len + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		int err = errno;
		if ((err == EAGAIN || err == EINTR) && now_ms() < deadline) {
			sleep_ms(10);
			continue;
		}
		close(fd);
		return err == EAGAIN ? -ETIMEDOUT : -err;
	}
	return fd;
}

/*
 * Connects when a socket (not a symlink) is at the name. A socket left by a
 * dead JVM with this PID refuses (ECONNREFUSED) until the new listener
 * replaces it; it cannot be told apart by inode, which ext4 hands to the new
 * socket when the old one is unlinked first.
 */
static int try_listener(int tmpfd, const char *name, long long deadline)
{
	struct stat st;
	if (fstatat(tmpfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOENT;
	return connect_socket(name, deadline);
}

/*
 * Creates the trigger file in dirfd, never through a symlink: an existing
 * entry (a leftover, or something planted) is removed first. A file that
 * does not end up owned by us (some filesystems force ownership) would be
 * ignored by the JVM, so it is removed and reported as EPERM.
 */
static int create_trigger(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0660);
	if (fd < 0 && errno == EEXIST && unlinkat(dirfd, name, 0) == 0)
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0660);
	if (fd < 0)
		return -errno;
	struct stat st;
	int ok = fstat(fd, &st) == 0 && st.st_uid == geteuid();
	close(fd);
	if (!ok) {
		unlinkat(dirfd, name, 0);
		return -EPERM;
	}
	return 0;
}

static int check_signal_handler(const pj_attach_job *job, pj_attach_outcome *out)
{
	pj_proc_status st;
	int r = pj_proc_read_status(job->procfd, &st);
	if (r < 0) {
		fail(out, r == -ESRCH || r == -ENOENT ? PJ_ATTACH_ERR_GONE : errno_kind(-r), -r,
		     "reading the process status");
		return -1;
	}
	uint64_t quit = 1ULL << (SIGQUIT - 1);
	if (!(st.sig_caught & quit) || (st.sig_ignored & quit)) {
		fail(out, PJ_ATTACH_ERR_NOT_READY, 0, "checking that the JVM handles SIGQUIT");
		return -1;
	}
	return 0;
}

/* Waits for the listener socket with growing sleeps; returns the connected fd or -1. */
static int wait_for_listener(const pj_attach_job *job, int tmpfd, const char *sock,
			     pj_attach_outcome *out)
{
	long long deadline = now_ms() + job->start_timeout_ms;
	long long delay = 20;
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			fail(out, PJ_ATTACH_ERR_TIMEOUT, 0, "waiting for the attach listener to start");
			return -1;
		}
		sleep_ms(delay < left ? delay : left);
		if (delay < 500)
			delay += 20;
		int fd = try_listener(tmpfd, sock, deadline);
		if (fd >= 0)
			return fd;
		if (fd == -EACCES) {
			fail(out, PJ_ATTACH_ERR_PERMISSION, EACCES, "connecting to the attach socket");
			return -1;
		}
		if (!pj_proc_alive(job->procfd, job->pid)) {
			fail(out, PJ_ATTACH_ERR_GONE, ESRCH, "waiting for the attach listener to start");
			return -1;
		}
	}
}

/* Trigger file, SIGQUIT, wait; the trigger is removed whatever happens. */
static int start_listener(const pj_attach_job *job, int cwdfd, int tmpfd, const char *sock,
			  pj_attach_outcome *out)
{
	if (check_signal_handler(job, out) != 0)
		return -1;
	char trigger[32];
	format_name(trigger, sizeof(trigger), ".attach_pid", job->nspid);
	int trigger_dir = cwdfd;
	int r = cwdfd >= 0 ? create_trigger(cwdfd, trigger) : -ENOENT;
	if (r < 0) {
		trigger_dir = tmpfd;
		r = create_trigger(tmpfd, trigger);
	}
	if (r < 0) {
		fail(out, errno_kind(-r), -r, "creating the .attach_pid trigger file");
		return -1;
	}
	int fd = -1;
	r = pj_proc_signal(job->procfd, job->pid, SIGQUIT);
	if (r < 0)
		fail(out, errno_kind(-r), -r, "sending SIGQUIT to the JVM");
	else
		fd = wait_for_listener(job, tmpfd, sock, out);
	unlinkat(trigger_dir, trigger, 0);
	return fd;
}

static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int send_all(int fd, const char *data, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads the reply until EOF, passing it to out_fd (or into buf when out_fd is
 * -1, up to size bytes). Returns the byte count or -errno.
 */
static ssize_t receive_all(int fd, int out_fd, char *buf, size_t size, long long deadline)
{
	char chunk[16384];
	size_t total = 0;
	for (;;) {
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLIN, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return (ssize_t)total;
		if (out_fd >= 0) {
			int r = write_all(out_fd, chunk, (size_t)n);
			if (r < 0)
				return r;
		} else if (total < size) {
			size_t take = (size_t)n < size - total ? (size_t)n : size - total;
			memcpy(buf + total, chunk, take);
		}
		total += (size_t)n;
	}
}

static void fail_exchange(pj_attach_outcome *out, int r, const char *step)
{
	if (r == -ETIMEDOUT)
		fail(out, PJ_ATTACH_ERR_TIMEOUT, 0, step);
	else
		fail(out, PJ_ATTACH_ERR_BAD_REPLY, -r, step);
}

/* Asks on connection fd (closed afterwards) which protocol version the JVM speaks. */
static int probe_version(int fd, long long deadline, pj_attach_outcome *out)
{
	char reply[256];
	int r = send_all(fd, pj_attach_getversion_request, pj_attach_getversion_request_len,
			 deadline);
	ssize_t n = r < 0 ? r : receive_all(fd, -1, reply, sizeof(reply), deadline);
	close(fd);
	if (n < 0) {
		fail_exchange(out, (int)n, "asking the JVM for its attach protocol version");
		return -1;
	}
	size_t len = (size_t)n < sizeof(reply) ? (size_t)n : sizeof(reply);
	return pj_attach_parse_version(reply, len);
}

/*
 * A v2 request needs a JVM that speaks v2 (JDK 24+). The listener runs one
 * operation per connection, so ask on this one and connect again for the
 * request. Returns the new fd or -1.
 */
static int switch_to_v2(int fd, int tmpfd, const char *sock, long long deadline,
			pj_attach_outcome *out)
{
	int version = probe_version(fd, deadline, out);
	if (version < 0)
		return -1;
	if (version < 2) {
		fail(out, PJ_ATTACH_ERR_TOO_LONG, 0, "checking for attach protocol v2");
		return -1;
	}
	fd = try_listener(tmpfd, sock, deadline);
	if (fd < 0) {
		fail(out, errno_kind(-fd), -fd, "connecting to the attach socket");
		return -1;
	}
	return fd;
}

static void exchange(const pj_attach_job *job, int fd, long long deadline,
		     pj_attach_outcome *out)
{
	int r = send_all(fd, job->request, job->request_len, deadline);
	if (r < 0) {
		fail_exchange(out, r, "sending the request");
		return;
	}
	ssize_t n = receive_all(fd, job->out_fd, NULL, 0, deadline);
	if (n < 0)
		fail_exchange(out, (int)n, "reading the reply");
}

static int open_target_dirs(const pj_attach_job *job, int *rootfd, int *cwdfd,
			    pj_attach_outcome *out)
{
	*rootfd = openat(job->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*rootfd < 0) {
		fail(out, errno == ENOENT ? PJ_ATTACH_ERR_GONE : errno_kind(errno), errno,
		     "opening the target's root directory");
		return -1;
	}
	/* A missing cwd only costs the first trigger location. */
	*cwdfd = openat(job->procfd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return 0;
}

static void run_in_target(const pj_attach_job *job, int tmpfd, int cwdfd, pj_attach_outcome *out)
{
	char sock[32];
	format_name(sock, sizeof(sock), ".java_pid", job->nspid);
	/* connect() takes a path: make it relative to the target's /tmp. */
	if (fchdir(tmpfd) != 0) {
		fail(out, errno_kind(errno), errno, "entering the target's /tmp");
		return;
	}
	int fd = try_listener(tmpfd, sock, now_ms() + job->start_timeout_ms);
	if (fd == -EACCES) {
		fail(out, PJ_ATTACH_ERR_PERMISSION, EACCES, "connecting to the attach socket");
		return;
	}
	if (fd == -ETIMEDOUT) {
		out->listener_busy = 1;
		fail(out, PJ_ATTACH_ERR_TIMEOUT, 0, "connecting to the busy attach listener");
		return;
	}
	/* No socket, or one nobody listens on (left over from an earlier JVM with this PID). */
	if (fd < 0)
		fd = start_listener(job, cwdfd, tmpfd, sock, out);
	if (fd < 0)
		return;
	out->connected = 1;
	long long deadline = now_ms() + job->reply_timeout_ms;
	if (job->protocol == 2 && (fd = switch_to_v2(fd, tmpfd, sock, deadline, out)) < 0)
		return;
	out->protocol = job->protocol;
	exchange(job, fd, deadline, out);
	close(fd);
}

void pj_attach_child_run(const pj_attach_job *job, pj_attach_outcome *out)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigaction(SIGPIPE, &ign, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	out->err = PJ_ATTACH_OK;
	int rootfd, cwdfd;
	if (open_target_dirs(job, &rootfd, &cwdfd, out) != 0)
		return;
	if (enter_namespaces(job, out) == 0 && switch_credentials(job, out) == 0) {
		int tmpfd = pj_safe_open_dir(rootfd, "tmp");
		if (tmpfd < 0) {
			fail(out, errno_kind(-tmpfd), -tmpfd, "opening the target's /tmp");
		} else {
			run_in_target(job, tmpfd, cwdfd, out);
			close(tmpfd);
		}
	}
	close(rootfd);
	if (cwdfd >= 0)
		close(cwdfd);
}
