// SPDX-License-Identifier: GPL-2.0
/*
 * Workloads of bench/sched.sh and bench/probe.sh; prints elapsed seconds.
 *   pingpong N: two processes bounce a byte over two pipes N times
 *               (2N context switches, each a wakeup and a run-queue wait)
 *   syscall N:  N sched_get_priority_max(2) calls, a syscall nothing else
 *               makes (the probed function is its entry)
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pingpong(long n)
{
	int a[2], b[2];
	char c = 0;
	pid_t pid;
	long i;

	if (pipe(a) || pipe(b))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		for (i = 0; i < n; i++)
			if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			return 1;
	waitpid(pid, NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	double t;
	long n, i;
	int ret = 0;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s pingpong|syscall N\n", argv[0]);
		return 2;
	}
	t = now();
	if (!strcmp(argv[1], "pingpong")) {
		ret = pingpong(n);
	} else if (!strcmp(argv[1], "syscall")) {
		for (i = 0; i < n; i++)
			sched_get_priority_max(SCHED_OTHER);
	} else {
		return 2;
	}
	if (ret)
		return ret;
	printf("%.4f\n", now() - t);
	return 0;
}
