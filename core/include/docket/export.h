/*
 * docket/export.h - which functions libdocket exports.
 *
 * libdocket is built with hidden visibility: only the functions declared
 * with DK_API in the installed headers are part of its interface
 * (`readelf --dyn-syms libdocket.so` lists them and nothing else).
 */
#ifndef DOCKET_EXPORT_H
#define DOCKET_EXPORT_H

#if defined(__GNUC__)
#define DK_API __attribute__((visibility("default")))
#else
#define DK_API
#endif

#endif
