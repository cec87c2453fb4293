#include "native_symbols.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "demangle.h"

#define MAX_LOADS 16
#define NAME_CAP 1024

typedef struct nsym {
	uint64_t addr; /* file (link-time) address */
	uint32_t size;
	uint32_t name; /* offset in the string table */
} nsym;

typedef struct nload {
	uint64_t vaddr, off, filesz;
} nload;

typedef struct nlib {
	char *path; /* as /proc/self/maps shows it */
	const char *base; /* its last component */
	unsigned long ino;
	bool tried; /* symbols loaded, or failed for good */
	const uint8_t *image; /* the file, mapped read-only (or the vDSO in memory) */
	size_t image_len;
	bool mapped; /* image is our mmap */
	const char *strtab;
	size_t strtab_len;
	nsym *syms;
	size_t nsyms;
	nload loads[MAX_LOADS];
	int nloads;
	uint32_t *display; /* per symbol: interned display name, 0 = not yet */
} nlib;

typedef struct nmap {
	uintptr_t start, end;
	uint64_t off;
	size_t lib;
} nmap;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static nlib *libs;
static size_t nlibs, libs_cap;
static nmap *maps;
static size_t nmaps;
static bool stale = true;
static ag_intern names;

void ag_native_maps_changed(void)
{
	pthread_mutex_lock(&lock);
	stale = true;
	pthread_mutex_unlock(&lock);
}

static size_t lib_index(const char *path, unsigned long ino)
{
	for (size_t i = 0; i < nlibs; i++)
		if (libs[i].ino == ino && strcmp(libs[i].path, path) == 0)
			return i;
	if (nlibs == libs_cap) {
		size_t cap = libs_cap ? libs_cap * 2 : 32;
		nlib *grown = realloc(libs, cap * sizeof(*grown));
		if (!grown)
			return SIZE_MAX;
		libs = grown;
		libs_cap = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return SIZE_MAX;
	const char *slash = strrchr(copy, '/');
	libs[nlibs] = (nlib){.path = copy, .base = slash ? slash + 1 : copy, .ino = ino};
	return nlibs++;
}

static char *read_maps(size_t *len)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ag_buf b = {0};
	char chunk[8192];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ag_buf_put(&b, chunk, (size_t)n);
	close(fd);
	ag_buf_u8(&b, 0);
	if (n < 0 || b.failed) {
		free(b.data);
		return NULL;
	}
	*len = b.len - 1;
	return (char *)b.data;
}

static int compare_maps(const void *a, const void *b)
{
	const nmap *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The executable mappings of files and of the vDSO. */
static void reload_maps(void)
{
	size_t len = 0;
	char *text = read_maps(&len);
	if (!text)
		return;
	size_t cap = 0, n = 0;
	nmap *list = NULL;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		unsigned long start, end, off, ino;
		char perms[5];
		int path_at = 0;
		if (sscanf(line, "%lx-%lx %4s %lx %*x:%*x %lu %n", &start, &end, perms, &off, &ino,
			    &path_at) < 5 || path_at == 0 || perms[2] != 'x')
			continue;
		const char *path = line + path_at;
		if (path[0] != '/' && strcmp(path, "[vdso]") != 0)
			continue;
		size_t lib = lib_index(path, ino);
		if (lib == SIZE_MAX)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nmap *grown = realloc(list, cap * sizeof(*grown));
			if (!grown)
				break;
			list = grown;
		}
		list[n++] = (nmap){start, end, off, lib};
	}
	free(text);
	qsort(list, n, sizeof(*list), compare_maps);
	free(maps);
	maps = list;
	nmaps = n;
}

static const nmap *find_map(uintptr_t pc)
{
	size_t lo = 0, hi = nmaps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pc < maps[mid].start)
			hi = mid;
		else if (pc >= maps[mid].end)
			lo = mid + 1;
		else
			return &maps[mid];
	}
	return NULL;
}

static int compare_syms(const void *a, const void *b)
{
	const nsym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

static bool in_image(const nlib *l, uint64_t off, uint64_t len)
{
	return off <= l->image_len && len <= l->image_len - off;
}

/* In the image and 8-byte aligned: where ELF structures (headers, symbols) are read. */
static bool structs_at(const nlib *l, uint64_t off, uint64_t len)
{
	return in_image(l, off, len) && ((uintptr_t)l->image + off) % 8 == 0;
}

/* The function symbols of one symbol table section; false on a malformed table. */
static bool load_symtab(nlib *l, const Elf64_Shdr *sh, const Elf64_Shdr *strsh)
{
	if (sh->sh_entsize != sizeof(Elf64_Sym) || !structs_at(l, sh->sh_offset, sh->sh_size) ||
	    !in_image(l, strsh->sh_offset, strsh->sh_size) || strsh->sh_size == 0)
		return false;
	l->strtab = (const char *)l->image + strsh->sh_offset;
	l->strtab_len = strsh->sh_size;
	if (l->strtab[l->strtab_len - 1] != '\0')
		return false;
	size_t count = sh->sh_size / sizeof(Elf64_Sym);
	l->syms = malloc((count ? count : 1) * sizeof(*l->syms));
	if (!l->syms)
		return false;
	const Elf64_Sym *s = (const Elf64_Sym *)(l->image + sh->sh_offset);
	for (size_t i = 0; i < count; i++) {
		int type = ELF64_ST_TYPE(s[i].st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s[i].st_shndx == SHN_UNDEF ||
		    s[i].st_value == 0 || s[i].st_name == 0 || s[i].st_name >= l->strtab_len)
			continue;
		l->syms[l->nsyms++] = (nsym){s[i].st_value,
			s[i].st_size > UINT32_MAX ? UINT32_MAX : (uint32_t)s[i].st_size, s[i].st_name};
	}
	qsort(l->syms, l->nsyms, sizeof(*l->syms), compare_syms);
	return true;
}

/* Program headers (for the load bias) and the best symbol table of an ELF image. */
static void parse_image(nlib *l)
{
	if (!structs_at(l, 0, sizeof(Elf64_Ehdr)))
		return;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)l->image;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return;
	if (eh->e_phentsize == sizeof(Elf64_Phdr) &&
	    structs_at(l, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(l->image + eh->e_phoff);
		for (int i = 0; i < eh->e_phnum && l->nloads < MAX_LOADS; i++)
			if (ph[i].p_type == PT_LOAD)
				l->loads[l->nloads++] = (nload){ph[i].p_vaddr, ph[i].p_offset, ph[i].p_filesz};
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !structs_at(l, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(l->image + eh->e_shoff);
	/* .symtab has every function; stripped files keep only the exported ones in .dynsym. */
	for (uint32_t want = SHT_SYMTAB;; want = SHT_DYNSYM) {
		for (int i = 0; i < eh->e_shnum; i++) {
			if (sh[i].sh_type != want || sh[i].sh_link >= eh->e_shnum)
				continue;
			if (load_symtab(l, &sh[i], &sh[sh[i].sh_link]) && l->nsyms > 0)
				return;
			free(l->syms);
			l->syms = NULL;
			l->nsyms = 0;
		}
		if (want == SHT_DYNSYM)
			return;
	}
}

static void load_lib(nlib *l, const nmap *m)
{
	l->tried = true;
	if (strcmp(l->path, "[vdso]") == 0) {
		/* The vDSO is a complete ELF image in memory. */
		unsigned long at = getauxval(AT_SYSINFO_EHDR);
		if (at != m->start)
			return;
		l->image = (const uint8_t *)at;
		l->image_len = m->end - m->start;
		parse_image(l);
		return;
	}
	int fd = open(l->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	/* A file replaced since it was mapped is not the code that runs. */
	if (fstat(fd, &st) != 0 || st.st_ino != l->ino || st.st_size <= 0) {
		close(fd);
		return;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return;
	l->image = p;
	l->image_len = (size_t)st.st_size;
	l->mapped = true;
	parse_image(l);
}

/* The load bias of mapping m: runtime address = file address + bias. */
static uintptr_t bias_of(const nlib *l, const nmap *m)
{
	for (int i = 0; i < l->nloads; i++) {
		const nload *s = &l->loads[i];
		if (m->off >= s->off && m->off - s->off < (s->filesz ? s->filesz : 1))
			return m->start - m->off - (uintptr_t)(s->vaddr - s->off);
	}
	return l->nloads ? m->start - m->off - (uintptr_t)(l->loads[0].vaddr - l->loads[0].off)
			 : m->start - m->off;
}

static const nsym *find_sym(const nlib *l, uint64_t addr)
{
	size_t lo = 0, hi = l->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const nsym *s = &l->syms[lo - 1];
	/* A sized symbol ends where it says; an unsized one reaches the next symbol. */
	if (s->size && addr - s->addr >= s->size)
		return NULL;
	return s;
}

static const char *display_name(nlib *l, const nsym *s, bool *cpp)
{
	const char *raw = l->strtab + s->name;
	size_t i = (size_t)(s - l->syms);
	if (!l->display)
		l->display = calloc(l->nsyms, sizeof(*l->display));
	const char *name = l->display && l->display[i] ? ag_intern_key(&names, l->display[i]) : NULL;
	if (!name) {
		char out[NAME_CAP];
		uint32_t id = ag_intern_str(&names, ag_demangle(raw, out, sizeof(out)) ? out : raw);
		if (!id) {
			*cpp = false;
			return raw;
		}
		if (l->display)
			l->display[i] = id;
		name = ag_intern_key(&names, id);
	}
	*cpp = strcmp(name, raw) != 0;
	return name;
}

bool ag_native_lookup(uintptr_t pc, ag_native_name *out)
{
	pthread_mutex_lock(&lock);
	if (stale) {
		/* Libraries come and go (and a new one can take an old one's addresses). */
		reload_maps();
		stale = false;
	}
	const nmap *m = find_map(pc);
	if (!m) {
		pthread_mutex_unlock(&lock);
		return false;
	}
	nlib *l = &libs[m->lib];
	if (!l->tried)
		load_lib(l, m);
	const nsym *s = l->nsyms ? find_sym(l, (uint64_t)(pc - bias_of(l, m))) : NULL;
	/* As async-profiler: an address no symbol covers is named by its file's path. */
	out->lib = s ? l->base : "";
	out->cpp = false;
	out->name = s ? display_name(l, s, &out->cpp) : l->path;
	pthread_mutex_unlock(&lock);
	return true;
}

size_t ag_native_elf_symbols(const void *image, size_t len,
	void (*fn)(void *arg, const char *name, uint64_t addr, uint64_t size), void *arg)
{
	nlib l = {.image = image, .image_len = len};
	parse_image(&l);
	for (size_t i = 0; i < l.nsyms; i++)
		fn(arg, l.strtab + l.syms[i].name, l.syms[i].addr, l.syms[i].size);
	free(l.syms);
	return l.nsyms;
}
