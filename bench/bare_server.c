/*
 * bare_server.c — the reference for the HTTP point read and the single-row
 * write: libmicrohttpd and SQLite and nothing else.  GET /persons/{id}
 * answers that person's row (every column) as a JSON object; POST /persons
 * and POST /entries insert one row into person or ledger_entry, each in
 * its own transaction (BEGIN IMMEDIATE, INSERT, COMMIT, SQLite's own busy
 * wait when another thread writes), and answer {"id":N} with 201;
 * anything else is 404.  The posted body is read and ignored.
 *
 *   bare_server DB PORT [THREADS [POOL_KIB]]
 *
 * Set up the way src/http/server.c is: an internal thread pool on epoll
 * (THREADS, default 2), one SQLite connection per worker thread (WAL,
 * a cached prepared statement), the response queued on the second
 * callback (queuing on the first closes keep-alive connections in
 * libmicrohttpd 0.9.75), a 16 KiB connection memory pool like Juwei's
 * (libmicrohttpd clears the pool for every request; POOL_KIB changes
 * its size, for experiments).  No sessions, no permissions,
 * no masking: this is the floor Juwei's API is measured against.
 * Listens on 127.0.0.1 only; stops on SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/util.h"

/* A worker thread's connection and statement. */
struct conn {
	sqlite3 *db;
	sqlite3_stmt *get, *add_person, *add_entry, *begin, *commit;
	struct conn *next;
};

static const char *g_db;
static pthread_key_t g_conn_key;
static pthread_mutex_t g_conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *g_conns;      /* every thread's connection, closed at exit */

static struct conn *thread_conn(void)
{
	struct conn *c = pthread_getspecific(g_conn_key);
	if (c)
		return c;
	c = xcalloc(1, sizeof(*c));
	if (sqlite3_open_v2(g_db, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(c->db, "SELECT * FROM person WHERE id=?", -1, SQLITE_PREPARE_PERSISTENT,
			       &c->get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(c->db, "INSERT INTO person(community, name, id_number, residence_type, created_at, updated_at)"
			       " SELECT code, 'bench', ?, 'registered', ?, ? FROM community LIMIT 1", -1,
			       SQLITE_PREPARE_PERSISTENT, &c->add_person, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(c->db, "INSERT INTO ledger_entry(community, ledger, subject, subject_id, start_date, data, created_at, updated_at)"
			       " SELECT code, 'worklog', 'none', (SELECT coalesce(max(id), 0) + 1 FROM ledger_entry), '2026-12-01', '{\"content\":\"bench\"}', ?, ? FROM community LIMIT 1", -1,
			       SQLITE_PREPARE_PERSISTENT, &c->add_entry, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(c->db, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &c->begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(c->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &c->commit, NULL) != SQLITE_OK) {
		fprintf(stderr, "bare_server: cannot open %s: %s\n", g_db, sqlite3_errmsg(c->db));
		exit(1);
	}
	sqlite3_busy_timeout(c->db, 5000);
	pthread_setspecific(g_conn_key, c);
	pthread_mutex_lock(&g_conns_lock);
	c->next = g_conns;
	g_conns = c;
	pthread_mutex_unlock(&g_conns_lock);
	return c;
}

/* The row as {"column":value,…}; 0 when there is no such person. */
static int person_json(struct conn *c, int64_t id, struct buf *b)
{
	sqlite3_stmt *s = c->get;
	sqlite3_bind_int64(s, 1, id);
	int found = sqlite3_step(s) == SQLITE_ROW;
	if (found) {
		int n = sqlite3_column_count(s);
		buf_addc(b, '{');
		for (int i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			buf_json_str(b, sqlite3_column_name(s, i));
			buf_addc(b, ':');
			switch (sqlite3_column_type(s, i)) {
			case SQLITE_NULL:
				buf_adds(b, "null");
				break;
			case SQLITE_INTEGER:
				buf_addf(b, "%lld", (long long)sqlite3_column_int64(s, i));
				break;
			default:
				buf_json_str(b, (const char *)sqlite3_column_text(s, i));
			}
		}
		buf_addc(b, '}');
	}
	sqlite3_reset(s);
	return found;
}

static int step_reset(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc;
}

/* One row in its own transaction; the new row's id, or 0 on failure. */
static int64_t insert_one(struct conn *c, bool person)
{
	static int64_t seq;   /* unique ID numbers across threads */
	int64_t id = 0;
	if (step_reset(c->begin) != SQLITE_DONE)
		return 0;
	sqlite3_stmt *s = person ? c->add_person : c->add_entry;
	int k = 1;
	char idnum[32];
	if (person) {
		snprintf(idnum, sizeof(idnum), "B%017lld", (long long)__atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
		sqlite3_bind_text(s, k++, idnum, -1, SQLITE_TRANSIENT);
	}
	int64_t now = (int64_t)time(NULL);
	sqlite3_bind_int64(s, k++, now);
	sqlite3_bind_int64(s, k, now);
	if (step_reset(s) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(c->db);
	if (!id || step_reset(c->commit) != SQLITE_DONE) {
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return id;
}

static enum MHD_Result reply(struct MHD_Connection *mc, unsigned status, struct buf *b)
{
	size_t len = 0;
	char *body = buf_detach(b, &len);
	if (!body)
		body = xstrdup("");
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	enum MHD_Result ret = MHD_queue_response(mc, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	static int first;
	struct buf b = BUF_INIT;
	int64_t id;
	(void)cls;
	(void)version;
	(void)upload;
	if (!*con_cls) {
		*con_cls = &first;   /* answer on the second callback */
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") == 0 && strncmp(url, "/persons/", 9) == 0 &&
	    parse_i64(url + 9, 1, INT64_MAX, &id) && person_json(thread_conn(), id, &b))
		return reply(mc, 200, &b);
	if (strcmp(method, "POST") == 0 && (strcmp(url, "/persons") == 0 || strcmp(url, "/entries") == 0)) {
		int64_t nid = insert_one(thread_conn(), url[1] == 'p');
		if (nid) {
			buf_addf(&b, "{\"id\":%lld}", (long long)nid);
			return reply(mc, 201, &b);
		}
		buf_adds(&b, "{\"error\":\"store\"}");
		return reply(mc, 503, &b);
	}
	buf_adds(&b, "{\"error\":\"not_found\"}");
	return reply(mc, 404, &b);
}

static volatile sig_atomic_t g_stop;
static void on_signal(int sig) { (void)sig; g_stop = 1; }

int main(int argc, char **argv)
{
	int64_t port, threads = 2, pool_kib = 16;
	if (argc < 3 || !parse_i64(argv[2], 1, 65535, &port) ||
	    (argc > 3 && !parse_i64(argv[3], 1, 64, &threads)) ||
	    (argc > 4 && !parse_i64(argv[4], 4, 1024, &pool_kib))) {
		fputs("usage: bare_server DB PORT [THREADS [POOL_KIB]]\n", stderr);
		return 2;
	}
	g_db = argv[1];
	pthread_key_create(&g_conn_key, NULL);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
		(uint16_t)port, NULL, NULL, on_request, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)pool_kib * 1024,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "bare_server: cannot listen on 127.0.0.1:%lld\n", (long long)port);
		return 1;
	}
	printf("bare_server: http://127.0.0.1:%lld/persons/{id} (%lld threads)\n", (long long)port,
	       (long long)threads);
	fflush(stdout);
	struct sigaction act;
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!g_stop)
		pause();
	MHD_stop_daemon(d);
	while (g_conns) {
		struct conn *c = g_conns;
		g_conns = c->next;
		sqlite3_finalize(c->get);
		sqlite3_finalize(c->add_person);
		sqlite3_finalize(c->add_entry);
		sqlite3_finalize(c->begin);
		sqlite3_finalize(c->commit);
		sqlite3_close(c->db);
		free(c);
	}
	return 0;
}
