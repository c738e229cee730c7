/*
 * maildir.c - TLS-RPT report mails from a Maildir; see maildir.h.
 */
#include "agent/maildir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/log.h"
#include "agent/report_ingest.h"
#include "agent/report_mail.h"

#define RETRY_USEC (60ULL * 1000000ULL)

struct maildir {
	sd_event *loop;
	char *path, *new_dir, *cur_dir;
	struct store *store;
	sd_event_source *watch, *retry;
	unsigned long taken;
};

/* Read a whole message, at most REPORT_MAIL_MAX_INPUT + 1 bytes. */
static int read_file(int dirfd, const char *name, unsigned char **ret, size_t *ret_len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t cap = REPORT_MAIL_MAX_INPUT + 1, len = 0;
	unsigned char *buf;
	ssize_t n;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* Take one message of new/: into the store, then to cur/ as seen. 0, or -errno to retry. */
static int take(struct maildir *m, int newfd, const char *name)
{
	struct ingest_result res = { 0 };
	struct mxs_error err = { 0 };
	unsigned char *data = NULL;
	size_t len = 0;
	char *seen;
	int r;

	r = read_file(newfd, name, &data, &len);
	if (r == -ENOENT)
		return 0; /* another reader took it */
	if (r < 0)
		return r;
	r = report_ingest(m->store, data, len, name, "mail", time(NULL), &res, &err);
	free(data);
	if (r < 0) {
		log_msg(LOG_ERR, "%s/%s: not recorded, tried again in a minute: %s", m->new_dir,
			name, err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		return r;
	}
	/* a name that already has flags keeps them; it is marked seen either way */
	seen = mxs_strdupf("%s/%s%s", m->cur_dir, name, strstr(name, ":2,") != NULL ? "" : ":2,S");
	if (seen == NULL) {
		ingest_result_clear(&res);
		return -ENOMEM;
	}
	if (renameat(newfd, name, AT_FDCWD, seen) < 0)
		log_msg(LOG_ERR, "%s/%s: recorded but cannot be moved to cur/: %s", m->new_dir,
			name, strerror(errno));
	m->taken++;
	log_msg(res.rejected > 0 ? LOG_WARNING : LOG_INFO,
		"report mail %s: %u stored, %u already stored, %u not understood%s%s", name,
		res.stored, res.duplicates, res.rejected, res.why != NULL ? " (kept): " : "",
		res.why != NULL ? res.why : "");
	free(seen);
	ingest_result_clear(&res);
	return 0;
}

/* Take everything in new/; arm the retry timer when something must wait. */
static void scan(struct maildir *m)
{
	DIR *d = opendir(m->new_dir);
	struct dirent *e;
	bool again = false;
	uint64_t now = 0;

	if (d == NULL) {
		log_msg(LOG_ERR, "%s: cannot read it: %s", m->new_dir, strerror(errno));
		again = true;
	} else {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (take(m, dirfd(d), e->d_name) < 0)
				again = true;
		}
		closedir(d);
	}
	if (!again)
		return;
	(void)sd_event_now(m->loop, CLOCK_MONOTONIC, &now);
	(void)sd_event_source_set_time(m->retry, now + RETRY_USEC);
	(void)sd_event_source_set_enabled(m->retry, SD_EVENT_ONESHOT);
}

static int on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
	(void)s;
	(void)ev;
	scan(userdata);
	return 0;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	scan(userdata);
	return 0;
}

int maildir_watch(sd_event *loop, const char *path, struct store *store, struct maildir **ret,
		  struct mxs_error *reterr)
{
	struct maildir *m = calloc(1, sizeof(*m));
	struct stat st;
	int r;

	if (m == NULL)
		return -ENOMEM;
	m->loop = sd_event_ref(loop);
	m->store = store;
	m->path = strdup(path);
	m->new_dir = mxs_strdupf("%s/new", path);
	m->cur_dir = mxs_strdupf("%s/cur", path);
	if (m->path == NULL || m->new_dir == NULL || m->cur_dir == NULL) {
		maildir_free(m);
		return -ENOMEM;
	}
	if (stat(m->new_dir, &st) < 0 || !S_ISDIR(st.st_mode) || stat(m->cur_dir, &st) < 0 ||
	    !S_ISDIR(st.st_mode)) {
		maildir_free(m);
		return mxs_error_set(reterr, path, NULL,
				     "not a Maildir (it needs new/ and cur/ directories)");
	}
	r = sd_event_add_inotify(loop, &m->watch, m->new_dir, IN_MOVED_TO | IN_CLOSE_WRITE,
				 on_inotify, m);
	if (r >= 0)
		r = sd_event_add_time(loop, &m->retry, CLOCK_MONOTONIC, UINT64_MAX, 1000000,
				      on_retry, m);
	if (r < 0) {
		maildir_free(m);
		return mxs_error_set(reterr, path, NULL, "cannot watch it: %s", strerror(-r));
	}
	(void)sd_event_source_set_enabled(m->retry, SD_EVENT_OFF);
	scan(m);
	*ret = m;
	return 0;
}

struct maildir *maildir_free(struct maildir *m)
{
	if (m == NULL)
		return NULL;
	sd_event_source_disable_unref(m->watch);
	sd_event_source_disable_unref(m->retry);
	sd_event_unref(m->loop);
	free(m->path);
	free(m->new_dir);
	free(m->cur_dir);
	free(m);
	return NULL;
}

unsigned long maildir_taken(const struct maildir *m)
{
	return m != NULL ? m->taken : 0;
}
