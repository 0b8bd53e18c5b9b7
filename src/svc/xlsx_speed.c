/*
 * xlsx_speed.c — big exports compress fast.
 *
 * libxlsxwriter (1.1, Debian 12) packs the workbook with the system's
 * minizip at zlib's default level 6 and has no option to change it.  On a
 * 1,000,000-row export that deflate is most of the time.  This program
 * therefore provides zipOpenNewFileInZip4_64 itself: the dynamic linker
 * binds libxlsxwriter's call to this definition first (ELF symbol
 * interposition), which passes everything through to minizip's own
 * function unchanged except the level, Z_BEST_SPEED (1).  Level 1 makes the
 * file some 20 % bigger and the export several times faster; every reader
 * (Excel, WPS, LibreOffice, openpyxl) reads any deflate level.
 * Nothing else in Juwei uses minizip (reading .xlsx goes through libzip).
 */
#include <dlfcn.h>
#include <stddef.h>

int zipOpenNewFileInZip4_64(void *file, const char *filename, const void *zipfi, const void *extrafield_local,
			    unsigned size_extrafield_local, const void *extrafield_global,
			    unsigned size_extrafield_global, const char *comment, int method, int level, int raw,
			    int windowBits, int memLevel, int strategy, const char *password,
			    unsigned long crcForCrypting, unsigned long versionMadeBy, unsigned long flagBase,
			    int zip64);

typedef int (*zip_open_fn)(void *, const char *, const void *, const void *, unsigned, const void *, unsigned,
			   const char *, int, int, int, int, int, int, const char *, unsigned long,
			   unsigned long, unsigned long, int);

int zipOpenNewFileInZip4_64(void *file, const char *filename, const void *zipfi, const void *extrafield_local,
			    unsigned size_extrafield_local, const void *extrafield_global,
			    unsigned size_extrafield_global, const char *comment, int method, int level, int raw,
			    int windowBits, int memLevel, int strategy, const char *password,
			    unsigned long crcForCrypting, unsigned long versionMadeBy, unsigned long flagBase,
			    int zip64)
{
	static zip_open_fn cached;
	zip_open_fn real = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
	if (!real) {
		/* the object pointer → function pointer cast dlsym requires */
		void *sym = dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
		*(void **)&real = sym;
		__atomic_store_n(&cached, real, __ATOMIC_RELEASE);
	}
	if (!real)
		return -104;   /* ZIP_INTERNALERROR */
	if (level != 0)
		level = 1;     /* Z_BEST_SPEED; 0 (stored) stays stored */
	return real(file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
		    size_extrafield_global, comment, method, level, raw, windowBits, memLevel, strategy, password,
		    crcForCrypting, versionMadeBy, flagBase, zip64);
}

