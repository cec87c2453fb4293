/*
 * Force-included into the glibc build: binds the symbols that glibc 2.34
 * moved into libc to their original versions, so the agent also loads into
 * JVMs on older distributions (back to glibc 2.17). Symbol versions are
 * looked up by name at run time, so libc, libpthread or libdl may supply them.
 */
#ifndef AG_GLIBC_COMPAT_H
#define AG_GLIBC_COMPAT_H

#if defined(__x86_64__) && !defined(__clang__)
__asm__(".symver pthread_create,pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.2.5");
__asm__(".symver pthread_once,pthread_once@GLIBC_2.2.5");
__asm__(".symver pthread_getspecific,pthread_getspecific@GLIBC_2.2.5");
__asm__(".symver pthread_mutex_trylock,pthread_mutex_trylock@GLIBC_2.2.5");
__asm__(".symver pthread_condattr_setclock,pthread_condattr_setclock@GLIBC_2.3.3");
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dladdr,dladdr@GLIBC_2.2.5");
#endif

#endif
