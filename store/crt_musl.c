//go:build musl

// glibc-only symbols that DuckDB's libraries and libstdc++ reference,
// for a static link against musl (see crt_musl.go).

#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>

// glibc sets this to 1 while a process has one thread, letting libstdc++
// skip atomic operations; 0 is always safe.
char __libc_single_threaded = 0;

// Memory is returned to the system by musl's allocator on its own.
int malloc_trim(size_t pad) {
	(void)pad;
	return 0;
}

// No stack traces: DuckDB prints one only in its own debug messages.
int backtrace(void **buffer, int size) {
	(void)buffer;
	(void)size;
	return 0;
}

char **backtrace_symbols(void *const *buffer, int size) {
	(void)buffer;
	(void)size;
	return NULL;
}

uint32_t arc4random(void) {
	uint32_t v = 0;
	while (getrandom(&v, sizeof v, 0) < 0 && errno == EINTR) {
	}
	return v;
}

// The unwinder (GCC 12's libgcc, built against glibc 2.35+) asks glibc's
// _dl_find_object for the object holding a pc and its .eh_frame_hdr, and
// has no other way to find them: without an answer every C++ exception
// aborts. This answers from dl_iterate_phdr, which musl has; the static
// link needs -Wl,--eh-frame-hdr for the PT_GNU_EH_FRAME segment. The
// struct is glibc's struct dl_find_object for 64-bit targets without
// dlfo_eh_dbase (aarch64).
struct civicscore_dl_find_object {
	unsigned long long dlfo_flags;
	void *dlfo_map_start;
	void *dlfo_map_end;
	void *dlfo_link_map;
	void *dlfo_eh_frame;
	unsigned long long dlfo_reserved[7];
};

struct civicscore_find {
	uintptr_t pc;
	struct civicscore_dl_find_object *out;
	int found;
};

static int civicscore_find_object(struct dl_phdr_info *info, size_t size, void *data) {
	(void)size;
	struct civicscore_find *f = data;
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	int holds = 0;
	void *eh = NULL;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD) {
			uintptr_t end = start + ph->p_memsz;
			if (f->pc >= start && f->pc < end) {
				holds = 1;
			}
			if (start < lo) {
				lo = start;
			}
			if (end > hi) {
				hi = end;
			}
		} else if (ph->p_type == PT_GNU_EH_FRAME) {
			eh = (void *)start;
		}
	}
	if (!holds) {
		return 0;
	}
	f->out->dlfo_flags = 0;
	f->out->dlfo_map_start = (void *)lo;
	f->out->dlfo_map_end = (void *)hi;
	f->out->dlfo_link_map = NULL;
	f->out->dlfo_eh_frame = eh;
	f->found = eh != NULL;
	return 1;
}

int _dl_find_object(void *pc, struct civicscore_dl_find_object *result) {
	struct civicscore_find f = {(uintptr_t)pc, result, 0};
	dl_iterate_phdr(civicscore_find_object, &f);
	return f.found ? 0 : -1;
}

// Destructors of thread_local objects, run when their thread ends.
struct civicscore_dtor {
	void (*fn)(void *);
	void *obj;
	struct civicscore_dtor *next;
};

static pthread_key_t civicscore_dtor_key;
static pthread_once_t civicscore_dtor_once = PTHREAD_ONCE_INIT;

static void civicscore_run_dtors(void *head) {
	struct civicscore_dtor *d = head;
	while (d != NULL) {
		struct civicscore_dtor *next = d->next;
		d->fn(d->obj);
		free(d);
		d = next;
	}
}

static void civicscore_dtor_init(void) { pthread_key_create(&civicscore_dtor_key, civicscore_run_dtors); }

int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso) {
	(void)dso;
	pthread_once(&civicscore_dtor_once, civicscore_dtor_init);
	struct civicscore_dtor *d = malloc(sizeof *d);
	if (d == NULL) {
		return -1;
	}
	d->fn = fn;
	d->obj = obj;
	d->next = pthread_getspecific(civicscore_dtor_key);
	pthread_setspecific(civicscore_dtor_key, d);
	return 0;
}

// glibc's res_init (its headers call it __res_init): the resolver reads
// its configuration when it is first used.
int __res_init(void) { return 0; }
