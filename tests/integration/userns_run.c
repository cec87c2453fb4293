/*
 * Test helper for attach.sh: userns_run HOSTID DIR PROGRAM [ARG...] runs
 * PROGRAM as root of a new user namespace whose ids 0..65535 are host ids
 * HOSTID.., in new mount and PID namespaces with their own /proc and a
 * private tmpfs on /tmp, in directory DIR: a rootless-style container.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	_exit(1);
}

static void write_map(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int sync[2], ready[2];
	if (pipe(sync) != 0 || pipe(ready) != 0)
		die("pipe");
	pid_t child = fork();
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sync[1]);
		if (unshare(CLONE_NEWUSER) != 0)
			die("unshare user");
		if (write(ready[1], "u", 1) != 1)
			die("ready");
		char c;
		if (read(sync[0], &c, 1) != 1)
			die("sync");
		/* Now our host ids are HOSTID: everything below runs as that user. */
		if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)
			die("become namespace root");
		if (unshare(CLONE_NEWNS | CLONE_NEWPID) != 0)
			die("unshare mnt+pid");
		pid_t init = fork();
		if (init == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
			    mount("proc", "/proc", "proc", 0, NULL) != 0 ||
			    mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777") != 0)
				die("mount");
			if (chdir(argv[2]) != 0)
				die("chdir");
			execv(argv[3], argv + 3);
			die("exec");
		}
		int st;
		waitpid(init, &st, 0);
		_exit(0);
	}
	/* Only a privileged process outside the new namespace may map other ids. */
	close(sync[0]);
	char c;
	if (read(ready[0], &c, 1) != 1)
		die("child");
	char map[64];
	snprintf(map, sizeof(map), "0 %s 65536\n", argv[1]);
	write_map(child, "setgroups", "deny");
	write_map(child, "uid_map", map);
	write_map(child, "gid_map", map);
	if (write(sync[1], "g", 1) != 1)
		die("sync");
	int st;
	waitpid(child, &st, 0);
	return 0;
}
