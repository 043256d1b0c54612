/*
 * resdir.c -- a results directory written whole (see resdir.h).
 *
 * The lock is flock() on DIR.lock.  It is taken by opening the file and
 * locking it, then checking that the path still names the locked file
 * (a run that finishes unlinks it before closing, so a run that opened
 * the old file retries on the new one); it is released by unlinking, then
 * closing, so no lock files are left behind.
 *
 * SIGINT, SIGTERM and SIGHUP while a directory is being prepared remove
 * the temporary directory and the lock with async-signal-safe calls only
 * (openat, getdents64, unlinkat), then re-raise the signal.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "resdir.h"
#include "error.h"

struct resdir {
	char *final;             /* DIR */
	char *parent, *base;
	char *tmp;               /* PARENT/.BASE.tmp-XXXXXX */
	char *lock;              /* DIR.lock */
	int lock_fd;
	unsigned flags;
};

/* ---- removing a tree with async-signal-safe calls ---- */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Remove `name` in directory fd dirfd and everything under it (at most
 * `depth` levels of directories). */
static void rm_tree_at(int dirfd, const char *name, int depth)
{
	char buf[4096];
	long n;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return;
	for (int pass = 0; pass < 3 && depth > 0; pass++) {
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return;
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
			for (long off = 0; off < n;) {
				struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
				off += d->d_reclen;
				if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
					rm_tree_at(fd, d->d_name, depth - 1);
			}
		close(fd);
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return;
	}
}

static void rm_tree(const char *path)
{
	rm_tree_at(AT_FDCWD, path, 8);
}

/* ---- signals ---- */

#define SIG_PATH 4096
static char sig_tmp[SIG_PATH], sig_lock[SIG_PATH];
static volatile sig_atomic_t sig_armed;
static struct sigaction old_actions[3];
static const int caught[] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig)
{
	static const char msg[] = "\nslabsim: interrupted: results not written (an earlier "
	                          "directory is left as it was)\n";

	if (sig_armed) {
		rm_tree(sig_tmp);
		unlink(sig_lock);
		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
			/* nothing to do */
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void arm(const resdir_t *rd)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (strlen(rd->tmp) >= SIG_PATH || strlen(rd->lock) >= SIG_PATH)
		return;
	strcpy(sig_tmp, rd->tmp);
	strcpy(sig_lock, rd->lock);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < G_N_ELEMENTS(caught); i++)
		sigaction(caught[i], &sa, &old_actions[i]);
	sig_armed = 1;
}

static void disarm(void)
{
	if (!sig_armed)
		return;
	sig_armed = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(caught); i++)
		sigaction(caught[i], &old_actions[i], NULL);
}

/* ---- the lock ---- */

static bool take_lock(resdir_t *rd, GError **err)
{
	for (int tries = 0; tries < 100; tries++) {
		struct stat a, b;
		int fd = open(rd->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0) {
			g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot write the results directory's "
			            "parent (%s)", rd->lock, g_strerror(errno));
			return false;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			close(fd);
			g_set_error(err, SLABSIM_ERROR, 1, "%s is being written by another slabsim run "
			            "(%s is locked)", rd->final, rd->lock);
			return false;
		}
		if (fstat(fd, &a) == 0 && stat(rd->lock, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			rd->lock_fd = fd;
			return true;
		}
		close(fd);               /* unlinked by its holder meanwhile: again */
	}
	g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot take the lock", rd->lock);
	return false;
}

static void drop_lock(resdir_t *rd)
{
	if (rd->lock_fd < 0)
		return;
	unlink(rd->lock);
	close(rd->lock_fd);
	rd->lock_fd = -1;
}

/* ---- preparing ---- */

/* Remove the temporaries of killed runs into the same directory (we hold
 * its lock, so no live run writes them). */
static void clean_leftovers(resdir_t *rd)
{
	char *tmp = g_strdup_printf(".%s.tmp-", rd->base), *old = g_strdup_printf(".%s.old-", rd->base);
	GDir *d = g_dir_open(rd->parent, 0, NULL);
	const char *n;

	while (d && (n = g_dir_read_name(d)))
		if ((g_str_has_prefix(n, tmp) && strlen(n) == strlen(tmp) + 6) ||
		    (g_str_has_prefix(n, old) && strlen(n) == strlen(old) + 6)) {
			char *p = g_build_filename(rd->parent, n, NULL);
			rm_tree(p);
			g_free(p);
		}
	if (d)
		g_dir_close(d);
	g_free(tmp);
	g_free(old);
}

/* 0: absent, 1: an empty directory, 2: a directory with files, -1: not a
 * directory. */
static int dir_state(const char *path)
{
	GDir *d;
	int state;

	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return 0;
	if (!g_file_test(path, G_FILE_TEST_IS_DIR))
		return -1;
	d = g_dir_open(path, 0, NULL);
	state = d && g_dir_read_name(d) ? 2 : 1;
	if (d)
		g_dir_close(d);
	return state;
}

static void set_names(resdir_t *rd, const char *dir)
{
	char *clean = g_strdup(dir);
	size_t n = strlen(clean);

	while (n > 1 && clean[n - 1] == '/')
		clean[--n] = '\0';
	g_free(rd->final);
	g_free(rd->parent);
	g_free(rd->base);
	g_free(rd->lock);
	rd->final = clean;
	rd->parent = g_path_get_dirname(clean);
	rd->base = g_path_get_basename(clean);
	rd->lock = g_strconcat(clean, ".lock", NULL);
}

static void resdir_free(resdir_t *rd)
{
	g_free(rd->final);
	g_free(rd->parent);
	g_free(rd->base);
	g_free(rd->tmp);
	g_free(rd->lock);
	g_free(rd);
}

resdir_t *resdir_begin(const char *dir, unsigned flags, GError **err)
{
	resdir_t *rd = g_new0(resdir_t, 1);
	int state;

	rd->lock_fd = -1;
	rd->flags = flags;
	set_names(rd, dir);
	if (strcmp(rd->base, ".") == 0 || strcmp(rd->base, "..") == 0 || strcmp(rd->base, "/") == 0) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: name a results directory of its own", dir);
		goto fail;
	}
	if (g_mkdir_with_parents(rd->parent, 0755) != 0) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot create the results directory's parent: %s",
		            rd->parent, g_strerror(errno));
		goto fail;
	}
	for (int i = 2;; i++) {
		if (!take_lock(rd, err))
			goto fail;
		state = dir_state(rd->final);
		if (state == 2 && (flags & RESDIR_NUMBERED) && !(flags & RESDIR_FORCE) && i < 10000) {
			char *next = g_strdup_printf("%s-%d", dir, i);
			drop_lock(rd);
			set_names(rd, next);
			g_free(next);
			continue;
		}
		break;
	}
	if (state < 0) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s exists and is not a directory", rd->final);
		goto fail;
	}
	if (state == 2 && !(flags & RESDIR_FORCE)) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s holds earlier results; give --force to replace "
		            "them whole, or another --out", rd->final);
		goto fail;
	}
	clean_leftovers(rd);
	rd->tmp = g_strdup_printf("%s/.%s.tmp-XXXXXX", rd->parent, rd->base);
	if (!g_mkdtemp_full(rd->tmp, 0755)) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot write the results directory's parent: %s",
		            rd->parent, g_strerror(errno));
		g_free(rd->tmp);
		rd->tmp = NULL;
		goto fail;
	}
	arm(rd);
	return rd;
fail:
	drop_lock(rd);
	resdir_free(rd);
	return NULL;
}

const char *resdir_tmp(const resdir_t *rd)
{
	return rd->tmp;
}

const char *resdir_final(const resdir_t *rd)
{
	return rd->final;
}

/* ---- writing ---- */

bool resdir_write_file(const char *dir, const char *name, const char *text, GError **err)
{
	char *path = g_build_filename(dir, name, NULL);
	size_t len = strlen(text), done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok = fd >= 0;

	while (ok && done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0;
		done += ok ? (size_t)n : 0;
	}
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (!ok)
		g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot write: %s", path, g_strerror(errno));
	g_free(path);
	return ok;
}

/* fsync every file and directory under path (plots included). */
static bool sync_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;
	bool ok = d != NULL;
	int fd;

	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(path, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			ok &= sync_tree(p);
		else if ((fd = open(p, O_RDONLY | O_CLOEXEC)) >= 0) {
			ok &= fsync(fd) == 0;
			close(fd);
		}
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		ok &= fsync(fd) == 0;
		close(fd);
	}
	return ok;
}

static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Put tmp in place of an existing directory final, and remove the old
 * one: an atomic exchange where the kernel has it, else two renames. */
static bool swap_in(resdir_t *rd)
{
	char *old;
	bool ok;

	if (renameat2(AT_FDCWD, rd->tmp, AT_FDCWD, rd->final, RENAME_EXCHANGE) == 0) {
		rm_tree(rd->tmp);
		return true;
	}
	old = g_strdup_printf("%s/.%s.old-XXXXXX", rd->parent, rd->base);
	/* A fresh name (mkdtemp), renamed over while empty. */
	ok = g_mkdtemp(old) && rename(rd->final, old) == 0;
	if (ok && rename(rd->tmp, rd->final) != 0) {
		int e = errno;
		rename(old, rd->final);
		errno = e;
		ok = false;
	}
	if (ok)
		rm_tree(old);
	else
		g_rmdir(old);
	g_free(old);
	return ok;
}

bool resdir_commit(resdir_t *rd, GError **err)
{
	sigset_t all, before;
	bool ok;

	sync_tree(rd->tmp);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &before);
	if (dir_state(rd->final) == 2)
		ok = swap_in(rd);
	else
		ok = rename(rd->tmp, rd->final) == 0;
	if (!ok) {
		g_set_error(err, SLABSIM_ERROR, 1, "%s: cannot put the results in place: %s", rd->final,
		            g_strerror(errno));
		rm_tree(rd->tmp);
	}
	sync_dir(rd->parent);
	disarm();
	drop_lock(rd);
	sigprocmask(SIG_SETMASK, &before, NULL);
	resdir_free(rd);
	return ok;
}

void resdir_abort(resdir_t *rd)
{
	if (!rd)
		return;
	disarm();
	if (rd->tmp)
		rm_tree(rd->tmp);
	drop_lock(rd);
	resdir_free(rd);
}
