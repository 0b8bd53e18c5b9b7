/*
 * server.c — libmicrohttpd glue: an internal thread pool on epoll, one
 * store connection per worker thread, request bodies gathered with a cap,
 * and the response queued on the second callback (queuing on the first
 * makes libmicrohttpd close keep-alive connections after every answer).
 *
 * The writer: a short write (http_grouped) is not run on the worker thread
 * that read it.  The connection is suspended and the request queued for
 * one writer thread, which runs whatever has queued up (at most
 * WRITER_GROUP requests) inside one transaction — each request's own
 * transaction becomes a savepoint in it — commits once, then resumes the
 * connections with their answers.  So the worker threads never wait for a
 * write and go on answering reads, writes wait in order in a queue rather
 * than in the database's busy wait, and a commit's cost is shared by the
 * group.  No answer leaves before its commit: if the commit fails, every
 * request of the group is answered with the error instead.  Checkpoints
 * (copying the write-ahead log back into the database) run on a thread of
 * their own, never in a request.
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/http.h"
#include "svc/backup.h"
#include "svc/ledger.h"
#include "lib/util.h"

static char *g_db;                 /* store location, for each thread's connection */
static const char *const *g_replicas;   /* its read replicas (--db-replica) */
static int g_nreplicas;
static pthread_key_t g_store_key;
static pthread_mutex_t g_stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *g_stores[256];
static int g_nstores;

static struct store *thread_store(struct jw_error *err)
{
	struct store *st = pthread_getspecific(g_store_key);
	if (st)
		return st;
	st = store_open(g_db, err);
	if (!st)
		return NULL;
	for (int i = 0; i < g_nreplicas; i++)
		if (store_add_replica(st, g_replicas[i], err) != JW_OK) {
			store_close(st);
			return NULL;
		}
	store_checkpoint(st, true);   /* checkpoint_thread does the most of it */
	pthread_setspecific(g_store_key, st);
	pthread_mutex_lock(&g_stores_lock);
	if (g_nstores < (int)(sizeof(g_stores) / sizeof(g_stores[0])))
		g_stores[g_nstores++] = st;
	pthread_mutex_unlock(&g_stores_lock);
	return st;
}

/* A request on its way through the writer thread. */
struct queued {
	struct http_req *r;
	struct MHD_Connection *c;
	struct http_resp w;
	bool done;              /* answered: send w when resumed */
	struct queued *next;
};

#define WRITER_GROUP 64
#define WRITER_NICE 10
static pthread_mutex_t g_wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wq_cond = PTHREAD_COND_INITIALIZER;
static struct queued *g_wq_head, *g_wq_tail;
static bool g_wq_open;     /* the writer thread takes requests */

static void req_free(struct http_req *r)
{
	buf_release(&r->body);
	form_free(r->form, r->nform);
	free(r->queued);
	free(r);
}

const char *http_store_location(void) { return g_db; }

static enum MHD_Result send_resp(struct MHD_Connection *c, struct http_resp *w)
{
	struct MHD_Response *resp;
	if (w->file_fd > 0) {
		/* a download: libmicrohttpd sends the file and closes it */
		resp = MHD_create_response_from_fd64((uint64_t)w->file_size, w->file_fd);
		if (!resp) {
			close(w->file_fd);
			return MHD_NO;
		}
		struct buf cd = BUF_INIT;
		buf_adds(&cd, "attachment; filename=\"export\"; filename*=UTF-8''");
		buf_url(&cd, w->filename);
		MHD_add_response_header(resp, "Content-Disposition", buf_cstr(&cd));
		buf_release(&cd);
	} else {
		size_t len = 0;
		char *body = buf_detach(&w->body, &len);
		if (!body) {
			body = xstrdup("服务器内部错误");
			len = strlen(body);
			w->status = 500;
		}
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (!resp) {
			free(body);
			return MHD_NO;
		}
	}
	MHD_add_response_header(resp, "Content-Type",
				w->content_type ? w->content_type : "text/html; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'");
	if (w->no_store)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (w->location[0])
		MHD_add_response_header(resp, "Location", w->location);
	for (int i = 0; i < w->ncookies; i++)
		MHD_add_response_header(resp, "Set-Cookie", w->cookies[i]);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)w->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void resp_init(struct http_resp *w)
{
	memset(w, 0, sizeof(*w));
	buf_init(&w->body, 0);
	w->status = 200;
}

/* Answers r into w with the calling thread's store connection. */
static void answer(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	jw_error_clear(&err);
	r->st = thread_store(&err);
	if (!buf_ok(&r->body)) {
		if (r->body.max > HTTP_MAX_BODY)
			jw_fail(&err, JW_ETOOBIG, "file", "文件超过64MB：请把名册拆成几个文件分批导入");
		else
			jw_fail(&err, JW_ETOOBIG, "", "提交的内容超过1MB，请分批提交");
		req_fail(r, w, &err);
	} else if (!r->st) {
		resp_json_error(w, &err, NULL);
	} else {
		http_dispatch(r, w);
	}
}

/* ---- the writer thread (see the top of this file) ---- */

/* Queues r for the writer and suspends its connection; false when the
 * writer takes no more (the server is stopping): answer it here. */
static bool writer_take(struct http_req *r, struct MHD_Connection *c)
{
	pthread_mutex_lock(&g_wq_lock);
	if (!g_wq_open) {
		pthread_mutex_unlock(&g_wq_lock);
		return false;
	}
	struct queued *q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->c = c;
	resp_init(&q->w);
	r->queued = q;
	MHD_suspend_connection(c);   /* before the writer can resume it */
	if (g_wq_tail)
		g_wq_tail->next = q;
	else
		g_wq_head = q;
	g_wq_tail = q;
	pthread_cond_signal(&g_wq_cond);
	pthread_mutex_unlock(&g_wq_lock);
	return true;
}

/* The answers from..to (inclusive) become an error: their writes are gone. */
static void group_failed(struct queued *from, const struct queued *to, int code)
{
	struct jw_error e;
	jw_fail(&e, code, "", code == JW_EBUSY ? NULL : "没有保存：数据库写入失败，请重试；如一再出现，请检查磁盘空间");
	for (struct queued *q = from; q; q = q->next) {
		if (q->w.file_fd > 0)
			close(q->w.file_fd);
		buf_release(&q->w.body);
		resp_init(&q->w);
		req_fail(q->r, &q->w, &e);
		if (q == to)
			break;
	}
}

/* Runs a group in one transaction; every request is answered. */
static void writer_run(struct queued *group)
{
	struct jw_error err;
	struct store *st = thread_store(&err);
	bool tx = st && store_begin(st) == JW_OK;
	struct queued *from = group, *last = NULL;
	for (struct queued *q = group; q; q = q->next) {
		last = q;
		if (st && !tx) {   /* no transaction: the store is busy or failing */
			group_failed(q, q, JW_EBUSY);
			from = q->next;
			continue;
		}
		answer(q->r, &q->w);
		if (!st)
			continue;
		while (st->txdepth > 1)
			store_rollback(st);   /* a level the request left open */
		if (!store_tx_alive(st)) {
			/* a failed statement ended the transaction: what it held is
			 * gone, and so are these requests' writes */
			store_rollback(st);
			group_failed(from, q, JW_ESTORE);
			tx = store_begin(st) == JW_OK;
			from = q->next;
		}
	}
	if (st && tx && store_commit(st) != JW_OK && from)
		group_failed(from, last, JW_ESTORE);
}

static void *writer_thread(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "juwei-writer");
	/* reads first: when the cores are busy, the threads answering reads get
	 * them before the writer (Linux: a thread's own nice value) */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WRITER_NICE);
	struct jw_error err;
	struct store *st = thread_store(&err);
	if (st)
		store_writer(st);
	for (;;) {
		pthread_mutex_lock(&g_wq_lock);
		while (!g_wq_head && g_wq_open)
			pthread_cond_wait(&g_wq_cond, &g_wq_lock);
		if (!g_wq_head) {   /* closed, and nothing left */
			pthread_mutex_unlock(&g_wq_lock);
			break;
		}
		struct queued *group = g_wq_head, *q = group;
		for (int n = 1; n < WRITER_GROUP && q->next; n++)
			q = q->next;
		g_wq_head = q->next;
		if (!g_wq_head)
			g_wq_tail = NULL;
		q->next = NULL;
		pthread_mutex_unlock(&g_wq_lock);
		writer_run(group);
		while (group) {
			struct queued *next = group->next;   /* group is freed once resumed */
			group->done = true;
			MHD_resume_connection(group->c);
			group = next;
		}
	}
	return NULL;
}

static volatile sig_atomic_t g_stop;

/* Copies the write-ahead log back into the database every 20 ms, on its
 * own connection, so that commits are left only the last few pages of it
 * to copy (see store_checkpoint). */
static void *checkpoint_thread(void *arg)
{
	(void)arg;
	struct jw_error err;
	pthread_setname_np(pthread_self(), "juwei-checkpt");
	struct store *st = store_open(g_db, &err);
	while (st && !g_stop) {
		usleep(20 * 1000);
		store_checkpoint(st, false);
	}
	store_close(st);
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct http_req *r = *con_cls;
	(void)cls;
	(void)version;
	if (!r) {
		/* first callback: set up, answer on the next one */
		r = xcalloc(1, sizeof(*r));
		buf_init(&r->body, http_body_limit(method, url));
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		buf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->queued) {   /* back from the writer thread, answered */
		enum MHD_Result ret = send_resp(c, &r->queued->w);
		buf_release(&r->queued->w.body);
		return ret;
	}
	r->method = method;
	r->path = url;
	r->conn = c;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->ip, sizeof(r->ip));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->ip, sizeof(r->ip));
	}
	if (buf_ok(&r->body) && http_grouped(method, url) && writer_take(r, c))
		return MHD_YES;   /* answered when the writer resumes the connection */
	struct http_resp w;
	resp_init(&w);
	answer(r, &w);
	enum MHD_Result ret = send_resp(c, &w);
	buf_release(&w.body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	if (*con_cls) {
		req_free(*con_cls);
		*con_cls = NULL;
	}
}

/* Decodes %XX in the path and the query (in place; returns the new
 * length), except %00: a NUL would end the C string there, so that
 * /persons/1%00 named record 1.  It stays "%00" and matches nothing. */
static size_t unescape_no_nul(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	char *o = s;
	for (const char *p = s; *p; p++) {
		int hi = -1, lo = -1;
		if (p[0] == '%' && p[1] && p[2]) {
			hi = p[1] >= '0' && p[1] <= '9' ? p[1] - '0' : (p[1] | 32) >= 'a' && (p[1] | 32) <= 'f' ? (p[1] | 32) - 'a' + 10 : -1;
			lo = p[2] >= '0' && p[2] <= '9' ? p[2] - '0' : (p[2] | 32) >= 'a' && (p[2] | 32) <= 'f' ? (p[2] | 32) - 'a' + 10 : -1;
		}
		if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
			*o++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return (size_t)(o - s);
}

static void on_signal(int sig) { (void)sig; g_stop = 1; }

/* One community's day; false: to be tried again (the store was busy). */
static bool derive_day(struct store *st, const char *code, const char *day, bool at_start)
{
	struct jw_error err;
	int64_t added = 0, closed = 0;
	bool skipped = false;
	if (svc_ledger_derive_daily(st, code, day, at_start, &added, &closed, &skipped, &err) != JW_OK)
		return false;
	/* skipped: another server on the store did today's */
	if (!skipped && (added || closed))
		fprintf(stderr, "juwei: 台账已按%s更新：新列入%lld，移出%lld\n", day, (long long)added, (long long)closed);
	else if (at_start)   /* at start: say that it is done */
		fprintf(stderr, "juwei: 台账已按%s核对，无需变动\n", day);
	return true;
}

/* Derived ledgers follow the calendar: someone turns 60 today.  A thread
 * re-derives them when the server starts and whenever the date changes,
 * in the background (svc_ledger_derive_daily: at a day's change only the
 * first of the servers sharing a store does it). */
static void *ledger_days(void *arg)
{
	(void)arg;
	int last = 0;
	while (!g_stop) {
		int y, m, d_;
		date_today(&y, &m, &d_);
		int today = y * 10000 + m * 100 + d_;
		if (today != last) {
			struct jw_error err;
			struct store *st = store_open(g_db, &err);
			char day[16];
			snprintf(day, sizeof(day), "%04d-%02d-%02d", y, m, d_);
			/* its own connection, short transactions (requests are never
			 * kept waiting for more than one batch), the default page
			 * cache; given back to the system when done; each community
			 * of the store in turn */
			static char codes[1024][16];   /* a district has hundreds */
			int ncodes = 0;
			bool ok = st && svc_community_codes(st, codes, 1024, &ncodes, &err) == JW_OK;
			for (int i = 0; ok && i < ncodes; i++)
				ok = derive_day(st, codes[i], day, !last);
			store_close(st);
			malloc_trim(0);
			if (ok)
				last = today;   /* else try again in a minute (the store was busy) */
		}
		for (int i = 0; i < 60 && !g_stop; i++)
			sleep(1);
	}
	return NULL;
}

static int first_community(const struct community_row *c, void *ud)
{
	struct community_row *first = ud;
	if (!first->code[0])
		*first = *c;
	return JW_OK;
}

/* Re-indexes the names' search keys when they were made under another
 * version (a store from before them, another surname table): the first
 * batches before the server listens, the rest in the background, each
 * batch its own short transaction.  sync: batches to run before returning
 * (0: all, in the background thread). */
static bool keys_refresh(int sync)
{
	struct jw_error err;
	struct store *st = store_open(g_db, &err);
	bool done = false;
	int64_t n = 0, total = 0;
	if (!st)
		return false;
	for (int i = 0; !g_stop && (sync <= 0 || i < sync); i++) {
		if (svc_person_keys_refresh(st, &n, &done, &err) != JW_OK) {
			if (err.code != JW_EBUSY || sync > 0)
				break;   /* busy before listening: the background goes on */
			sleep(1);   /* another connection writes: try again */
			continue;
		}
		total += n;
		if (done)
			break;
		if (sync <= 0)
			usleep(20000);   /* let requests' writes in between */
	}
	store_close(st);
	if (total)
		fprintf(stderr, "juwei: 已按新的姓氏读音重建%lld人的拼音检索%s\n", (long long)total,
			done ? "" : "（其余在后台继续）");
	return done;
}

static void *keys_refresh_thread(void *arg)
{
	(void)arg;
	keys_refresh(0);
	return NULL;
}

int http_serve(const char *db, const char *listen, int threads, const char *const *replicas, int nreplicas,
	       struct jw_error *err)
{
	char host[64];
	int64_t port;
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host) ||
	    !parse_i64(colon + 1, 1, 65535, &port))
		return jw_fail(err, JW_EUSAGE, "listen", "监听地址“%s”格式不对，应为 主机:端口，如 127.0.0.1:8080", listen);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return jw_fail(err, JW_EUSAGE, "listen", "监听地址“%s”不是 IPv4 地址", host);

	/* Open once up front: migrations run here, and a bad path fails early. */
	struct store *st = store_open(db, err);
	if (!st)
		return err->code;
	struct community_row com = { .code = "" };
	if (svc_communities(st, first_community, &com, err) != JW_OK) {
		store_close(st);
		return err->code;
	}
	/* a replica given for a file is a mistake said now, not at the first request */
	for (int i = 0; i < nreplicas; i++)
		if (store_add_replica(st, replicas[i], err) != JW_OK) {
			store_close(st);
			return err->code;
		}
	store_close(st);
	g_replicas = replicas;
	g_nreplicas = nreplicas;

	/* Keep memory flat: a fixed mmap threshold sends big blocks (Argon2id's
	 * 19 MiB) back to the system when freed, instead of glibc raising the
	 * threshold and keeping them in an arena; few arenas for few threads. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_ARENA_MAX, 2);
	g_db = xstrdup(db);
	bool keys_done = keys_refresh(20);   /* up to 20,000 persons now */
	pthread_key_create(&g_store_key, NULL);
	if (threads < 1) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (int)n : 2;
	}
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
		(uint16_t)port, NULL, NULL, on_request, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		/* headers only (bodies are gathered by on_request); libmicrohttpd
		 * clears this pool for every request, so keep it small */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_no_nul, NULL,
		MHD_OPTION_END);
	g_wq_open = true;
	pthread_t writer, ckpt;
	bool writer_on = pthread_create(&writer, NULL, writer_thread, NULL) == 0;
	if (!writer_on)
		g_wq_open = false;   /* then every request is answered where it was read */
	bool ckpt_on = pthread_create(&ckpt, NULL, checkpoint_thread, NULL) == 0;
	if (!d) {
		pthread_mutex_lock(&g_wq_lock);
		g_wq_open = false;
		pthread_cond_broadcast(&g_wq_cond);
		pthread_mutex_unlock(&g_wq_lock);
		g_stop = 1;
		if (writer_on)
			pthread_join(writer, NULL);
		if (ckpt_on)
			pthread_join(ckpt, NULL);
		return jw_fail(err, JW_EIO, "listen", "无法在 %s 上监听（端口被占用？）", listen);
	}
	printf("Juwei 居委 正在服务：http://%s:%lld/  （社区：%s %s；按 Ctrl-C 停止）\n", host,
	       (long long)port, com.code, com.name);
	fflush(stdout);
	struct sigaction act;
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_t keys;
	bool keys_on = !keys_done && pthread_create(&keys, NULL, keys_refresh_thread, NULL) == 0;
	pthread_t days;
	bool days_on = pthread_create(&days, NULL, ledger_days, NULL) == 0;
	svc_backup_daily_start(db);   /* the daily backup: own thread, own connection */
	while (!g_stop)
		pause();
	svc_backup_daily_stop();
	if (days_on)
		pthread_join(days, NULL);
	if (keys_on)
		pthread_join(keys, NULL);
	/* the writer answers what it holds; later writes are answered where
	 * they are read; no connection stays suspended when the daemon stops */
	MHD_quiesce_daemon(d);
	pthread_mutex_lock(&g_wq_lock);
	g_wq_open = false;
	pthread_cond_broadcast(&g_wq_cond);
	pthread_mutex_unlock(&g_wq_lock);
	if (writer_on)
		pthread_join(writer, NULL);
	if (ckpt_on)
		pthread_join(ckpt, NULL);
	MHD_stop_daemon(d);
	pthread_mutex_lock(&g_stores_lock);
	for (int i = 0; i < g_nstores; i++)
		store_close(g_stores[i]);
	g_nstores = 0;
	pthread_mutex_unlock(&g_stores_lock);
	free(g_db);
	puts("Juwei 已停止");
	return JW_OK;
}
