/*
 * docket/docket.h - the whole public API: the tree, buffers, the plugin
 * interface and the library (registry and conversions). Plugin authors
 * need docket/plugin.h alone; programs converting documents include this.
 */
#ifndef DOCKET_DOCKET_H
#define DOCKET_DOCKET_H

#include <docket/buf.h>
#include <docket/library.h>
#include <docket/plugin.h>
#include <docket/tree.h>

#endif
