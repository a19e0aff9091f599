// SPDX-License-Identifier: GPL-2.0
/*
 * tcp-load: loopback TCP workloads for bench/tcp.sh, timed in-process.
 *
 *   tcp-load rr N       N 1-byte request/response round trips, one connection
 *   tcp-load bulk MB    MB megabytes one way, one connection
 *   tcp-load crr N      N connections, each one 1-byte round trip
 *
 * Prints the elapsed seconds. Server and client are two processes on
 * 127.0.0.1, port chosen by the kernel.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int xconnect(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a)))
		die("connect");
	nodelay(fd);
	return fd;
}

static void rr(int fd, long n)
{
	char c = 'x';

	while (n--)
		if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
			die("rr");
}

static void echo(int fd)
{
	char buf[65536];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write(fd, buf, r) != r)
			die("echo");
}

static void sink(int fd)
{
	static char buf[1 << 18];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	static char buf[1 << 18];
	int lfd, fd, one = 1;
	const char *mode;
	double t0, t1;
	long n, i;
	pid_t pid;

	if (argc != 3)
		return fprintf(stderr, "usage: tcp-load rr|bulk|crr N\n"), 2;
	mode = argv[1];
	n = atol(argv[2]);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 128) || getsockname(lfd, (struct sockaddr *)&a, &alen))
		die("listen");

	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		for (;;) {
			fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				die("accept");
			nodelay(fd);
			if (!strcmp(mode, "bulk"))
				sink(fd);
			else
				echo(fd);
			close(fd);
			if (strcmp(mode, "crr"))
				_exit(0);
		}
	}
	close(lfd);

	t0 = now();
	if (!strcmp(mode, "rr")) {
		fd = xconnect(&a);
		rr(fd, n);
		close(fd);
	} else if (!strcmp(mode, "bulk")) {
		fd = xconnect(&a);
		memset(buf, 'b', sizeof(buf));
		for (i = 0; i < n * 4; i++)	/* 4 x 256 KiB = 1 MB */
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				die("bulk");
		close(fd);
	} else if (!strcmp(mode, "crr")) {
		for (i = 0; i < n; i++) {
			fd = xconnect(&a);
			rr(fd, 1);
			close(fd);
		}
	} else {
		return fprintf(stderr, "unknown mode %s\n", mode), 2;
	}
	if (!strcmp(mode, "crr"))
		kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	t1 = now();
	printf("%.3f\n", t1 - t0);
	return 0;
}
