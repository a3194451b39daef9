/*
 * cpgbench: ringbench's CPG client for corosync 3 (built by ringbench --corosync with clang, linked with -lcpg).
 * One runs inside each node's network namespace and talks to that namespace's corosync over its IPC socket.
 * It joins one CPG group, then obeys lines on stdin and answers lines on stdout (CpgBenchLines parses them):
 *
 *   expect RUN TOTAL LATFILE    count deliveries of run RUN; at TOTAL print "done ..."; LATFILE ("-": none) gets
 *                               one line "sender number latency_ns" per delivery of the run
 *   send RUN COUNT SIZE RATE    multicast COUNT messages of SIZE bytes (CPG_TYPE_AGREED), RATE per second (0: flat
 *                               out), retrying on CS_ERR_TRY_AGAIN; then print "sent ..."
 *   stop                        a run that does not finish (corosync can drop a message: see below): stop sending,
 *                               answer "sent" with what was sent so far, and "done" with what was counted so far
 *   quit
 *
 *   members N                   the group has N members (after every group change)
 *   expecting RUN               the run is counted from now on (answer to expect)
 *   done RUN COUNT HASH ORDER_ERRORS STRAYS FIRST_NS LAST_NS
 *                               HASH: FNV-1a over (sender, number) in delivery order (equal on every node: one order);
 *                               ORDER_ERRORS: deliveries out of their sender's order; STRAYS: messages of another run
 *   sent RUN COUNT TRY_AGAIN ELAPSED_NS
 *   error TEXT                  then exit 1
 *
 * corosync 3 drops a CPG_TYPE_AGREED multicast it has already accepted from the IPC ring when totempg cannot reserve
 * the message's frames (exec/ipc_glue.c cs_ipcs_msg_process: an async call refused by corosync_sending_allowed is only
 * logged, "*** cs_ipcs_msg_process() ... No buffer space available!"), and cpg_flow_control_state_get always says
 * disabled. The IPC flow control stops reading clients only at 75 % of the totem queue (4 MiB of frames), and then
 * finishes the batch it took from the IPC ring: up to 1 MiB of requests, 16 x 64 KiB = 720 frames, more than the
 * quarter left, so flat-out 64 KiB senders lose messages and their run never ends. A CPG application has to window
 * itself: a sender keeps at most WINDOW_BYTES (argument 3) of its own messages multicast and not yet delivered back to it (at
 * least one message), which keeps its node's queue below the level where corosync drops. Should a run still end short,
 * "stop" ends it.
 *
 * Every message starts with a 24-byte header: magic, sender, run, number, send time (CLOCK_MONOTONIC, ns: one
 * clock for every namespace on this machine).
 */
#include <corosync/cpg.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x43504742u /* "CPGB" */
#define MAX_SENDERS 256
/* The default window: one IPC request ring (libcpg's IPC_REQUEST_SIZE), far below the 75 % of the totem queue where
 * corosync stops reading. The third argument sets another; 0 is none (to show corosync dropping). */
#define WINDOW_BYTES (1024 * 1024)
static unsigned long window_bytes = WINDOW_BYTES;

struct header {
	uint32_t magic;
	uint16_t sender;
	uint16_t run;
	uint32_t number;
	uint32_t pad;
	uint64_t sent_ns;
};

struct latency {
	uint16_t sender;
	uint32_t number;
	uint64_t ns;
};

static cpg_handle_t handle;
static unsigned sender_id;

/* The run being counted. */
static int expecting;
static unsigned expect_run;
static uint64_t expect_total, expect_count, expect_hash, order_errors, strays, first_ns, last_ns;
static uint32_t next_number[MAX_SENDERS];
static char latency_file[4096];
static struct latency *latencies;

/* The run being sent. */
static int sending;
static unsigned send_run;
static uint64_t send_count, send_next, send_try_again, send_start_ns;
/* Own messages of the run being sent that came back: send_next - send_delivered are in flight. */
static uint64_t send_delivered;
static double send_rate;
static char *send_buffer;
static size_t send_size;

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fail(const char *what, int code)
{
	printf("error %s (%d)\n", what, code);
	fflush(stdout);
	exit(1);
}

static void finish_expect(void)
{
	if (latencies != NULL) {
		FILE *f = fopen(latency_file, "w");
		if (f == NULL) fail("cannot write the latency file", errno);
		for (uint64_t i = 0; i < expect_count; i++)
			fprintf(f, "%u %u %llu\n", latencies[i].sender, latencies[i].number, (unsigned long long)latencies[i].ns);
		fclose(f);
		free(latencies);
		latencies = NULL;
	}
	printf("done %u %llu %016llx %llu %llu %llu %llu\n", expect_run, (unsigned long long)expect_count,
	       (unsigned long long)expect_hash, (unsigned long long)order_errors, (unsigned long long)strays,
	       (unsigned long long)first_ns, (unsigned long long)last_ns);
	fflush(stdout);
	expecting = 0;
}

static void deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	(void)h; (void)group; (void)nodeid; (void)pid;
	struct header m;
	uint64_t now = now_ns();
	if (len < sizeof m) { strays++; return; }
	memcpy(&m, msg, sizeof m);
	if (m.magic == MAGIC && m.sender == sender_id && m.run == send_run && m.number >= send_delivered)
		send_delivered = (uint64_t)m.number + 1;
	if (m.magic != MAGIC || !expecting || m.run != expect_run || expect_count >= expect_total) { strays++; return; }
	if (expect_count == 0) first_ns = now;
	last_ns = now;
	if (m.number != next_number[m.sender]) order_errors++;
	next_number[m.sender] = m.number + 1;
	/* FNV-1a over the sender and number. */
	uint64_t key = ((uint64_t)m.sender << 32) | m.number;
	for (int i = 0; i < 8; i++) {
		expect_hash ^= (key >> (8 * i)) & 0xff;
		expect_hash *= 0x100000001b3ull;
	}
	if (latencies != NULL)
		latencies[expect_count] = (struct latency){ m.sender, m.number, now - m.sent_ns };
	if (++expect_count == expect_total) finish_expect();
}

static void confchg(cpg_handle_t h, const struct cpg_name *group, const struct cpg_address *members, size_t member_count,
		    const struct cpg_address *left, size_t left_count, const struct cpg_address *joined, size_t joined_count)
{
	(void)h; (void)group; (void)members; (void)left; (void)left_count; (void)joined; (void)joined_count;
	printf("members %zu\n", member_count);
	fflush(stdout);
}

static void dispatch(void)
{
	cs_error_t e = cpg_dispatch(handle, CS_DISPATCH_ALL);
	if (e != CS_OK && e != CS_ERR_TRY_AGAIN) fail("cpg_dispatch", e);
}

static void finish_send(void)
{
	printf("sent %u %llu %llu %llu\n", send_run, (unsigned long long)send_next, (unsigned long long)send_try_again,
	       (unsigned long long)(now_ns() - send_start_ns));
	fflush(stdout);
	sending = 0;
	free(send_buffer);
	send_buffer = NULL;
}

/* Sends what is due now; returns the ms to wait before the next message is due (-1: nothing to send). */
static int send_due(void)
{
	if (!sending) return -1;
	struct header *m = (struct header *)send_buffer;
	struct iovec iov = { send_buffer, send_size };
	/* A burst, then back to the loop so that deliveries and stdin are served while sending flat out. */
	uint64_t window = window_bytes == 0 ? UINT64_MAX : window_bytes / send_size > 0 ? window_bytes / send_size : 1;
	for (int burst = 0; burst < 64 && send_next < send_count; burst++) {
		/* The window is full: wait for our own deliveries (they make the IPC fd readable). */
		if (send_next - send_delivered >= window) return 1;
		uint64_t now = now_ns();
		if (send_rate > 0) {
			uint64_t due = send_start_ns + (uint64_t)((double)send_next * 1e9 / send_rate);
			if (now < due) {
				uint64_t ms = (due - now) / 1000000u;
				return ms > 0 ? (int)ms : 1;
			}
		}
		m->number = (uint32_t)send_next;
		m->sent_ns = now;
		cs_error_t e = cpg_mcast_joined(handle, CPG_TYPE_AGREED, &iov, 1);
		if (e == CS_ERR_TRY_AGAIN) {
			send_try_again++;
			return 1;
		}
		if (e != CS_OK) fail("cpg_mcast_joined", e);
		send_next++;
	}
	if (send_next < send_count) return 0;
	finish_send();
	return -1;
}

static int command(char *line)
{
	unsigned run;
	unsigned long long a, b;
	double rate;
	char file[4096];
	if (sscanf(line, "expect %u %llu %4095s", &run, &a, file) == 3) {
		if (expecting) fail("expect while a run is counted", 0);
		expecting = 1;
		expect_run = run;
		expect_total = a;
		expect_count = expect_hash = order_errors = strays = first_ns = last_ns = 0;
		expect_hash = 0xcbf29ce484222325ull;
		memset(next_number, 0, sizeof next_number);
		if (strcmp(file, "-") != 0) {
			snprintf(latency_file, sizeof latency_file, "%s", file);
			latencies = calloc(a > 0 ? a : 1, sizeof *latencies);
			if (latencies == NULL) fail("out of memory for latencies", 0);
		}
		printf("expecting %u\n", run);
		fflush(stdout);
		if (a == 0) finish_expect();
	} else if (sscanf(line, "send %u %llu %llu %lf", &run, &a, &b, &rate) == 4) {
		if (sending) fail("send while a run is sent", 0);
		if (b < sizeof(struct header) || b > 1024 * 1024) fail("message size out of range", (int)b);
		send_buffer = malloc(b);
		if (send_buffer == NULL) fail("out of memory for the message", 0);
		memset(send_buffer, '.', b);
		struct header h = { MAGIC, (uint16_t)sender_id, (uint16_t)run, 0, 0, 0 };
		memcpy(send_buffer, &h, sizeof h);
		send_size = b;
		sending = 1;
		send_run = run;
		send_count = a;
		send_next = send_try_again = send_delivered = 0;
		send_rate = rate;
		send_start_ns = now_ns();
	} else if (strcmp(line, "stop") == 0) {
		if (sending) finish_send();
		if (expecting) finish_expect();
	} else if (strncmp(line, "quit", 4) == 0) {
		return 0;
	} else {
		fail("unknown command", 0);
	}
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: cpgbench GROUP SENDER_ID [WINDOW_BYTES]\n");
		return 2;
	}
	sender_id = (unsigned)atoi(argv[2]);
	if (argc == 4) window_bytes = strtoul(argv[3], NULL, 10);
	if (sender_id >= MAX_SENDERS) fail("sender id out of range", (int)sender_id);
	cpg_callbacks_t callbacks = { deliver, confchg };
	cs_error_t e;
	for (int tries = 0; (e = cpg_initialize(&handle, &callbacks)) == CS_ERR_TRY_AGAIN && tries < 100; tries++) usleep(20000);
	if (e != CS_OK) fail("cpg_initialize (is corosync running in this network namespace?)", e);
	struct cpg_name group;
	group.length = (uint32_t)strlen(argv[1]);
	if (group.length >= CPG_MAX_NAME_LENGTH) fail("group name too long", (int)group.length);
	memcpy(group.value, argv[1], group.length);
	for (int tries = 0; (e = cpg_join(handle, &group)) == CS_ERR_TRY_AGAIN && tries < 100; tries++) usleep(20000);
	if (e != CS_OK) fail("cpg_join", e);
	int fd;
	if ((e = cpg_fd_get(handle, &fd)) != CS_OK) fail("cpg_fd_get", e);

	char input[8192];
	size_t used = 0;
	int running = 1;
	while (running) {
		int wait = send_due();
		struct pollfd fds[2] = { { 0, POLLIN, 0 }, { fd, POLLIN, 0 } };
		if (poll(fds, 2, wait) < 0 && errno != EINTR) fail("poll", errno);
		if (fds[1].revents & (POLLERR | POLLHUP)) fail("corosync closed the IPC connection", 0);
		if (fds[1].revents & POLLIN || sending) dispatch();
		if (fds[0].revents & (POLLIN | POLLHUP)) {
			ssize_t got = read(0, input + used, sizeof input - 1 - used);
			if (got <= 0) break;
			used += (size_t)got;
			input[used] = 0;
			char *line, *end;
			while (running && (end = memchr(input, '\n', used)) != NULL) {
				*end = 0;
				line = input;
				running = command(line);
				size_t consumed = (size_t)(end - input) + 1;
				memmove(input, input + consumed, used - consumed);
				used -= consumed;
			}
			if (used == sizeof input - 1) fail("command line too long", 0);
		}
	}
	cpg_finalize(handle);
	return 0;
}
