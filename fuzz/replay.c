/*
 * replay.c - a main() for fuzz targets built without libFuzzer: run LLVMFuzzerTestOneInput once
 * on every file named on the command line (directories are read one level deep). "make check"
 * uses it to replay each seed corpus, so every build exercises every target; under ASan+UBSan the
 * replay is a cheap regression test for every crash ever added to a corpus.
 *
 * Exit status: 0 when every input was run, 1 when one could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Corpus entries are small; anything larger than this is not a seed but a mistake. */
#define REPLAY_MAX_INPUT (1024 * 1024)

static int run_file(const char *path)
{
	uint8_t *buf;
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(REPLAY_MAX_INPUT);
	if (buf == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	fclose(f);
	/* An exact-size copy, so ASan sees reads past the end of the input. */
	{
		uint8_t *exact = malloc(n ? n : 1);

		if (exact == NULL) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, n);
		free(buf);
		(void)LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	return 0;
}

static int run_path(const char *path, unsigned *count)
{
	struct dirent *e;
	struct stat st;
	char child[4096];
	DIR *d;
	int bad = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", path, e->d_name) >= (int)sizeof(child))
			continue;
		(*count)++;
		if (run_file(child) < 0)
			bad = -1;
	}
	closedir(d);
	return bad;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, bad = 0;

	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			bad = 1;
	printf("replayed %u input%s\n", count, count == 1 ? "" : "s");
	return bad;
}
