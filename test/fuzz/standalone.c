/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A main() for fuzz targets built without libFuzzer: it feeds every file named
 * on the command line (or every regular file of a named directory) to
 * LLVMFuzzerTestOneInput() once. CI runs it over each target's corpus, so a
 * checked-in crash reproducer fails the build's tests until it is fixed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: read failed\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	/* An exact-size heap copy lets ASan/valgrind see reads past the end. */
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int n = 0, errors = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			errors++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;

			while (d != NULL && (e = readdir(d)) != NULL) {
				char path[4096];

				if (e->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
				if (run_file(path) != 0)
					errors++;
				n++;
			}
			if (d != NULL)
				closedir(d);
		} else {
			if (run_file(argv[i]) != 0)
				errors++;
			n++;
		}
	}
	printf("replayed %u inputs, %u unreadable\n", n, errors);
	return (errors || n == 0) ? 1 : 0;
}
