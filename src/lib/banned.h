/*
 * banned.h — functions that must not be used in Juwei (git's banned.h).
 * Forced into every .c file with the compiler's -include flag.
 */
#ifndef JW_BANNED_H
#define JW_BANNED_H

/* System headers first, so that their own inline definitions (glibc's
 * atoi at -O2) are not caught by the macros below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef gets
#define gets(x) BANNED(gets)

#endif
